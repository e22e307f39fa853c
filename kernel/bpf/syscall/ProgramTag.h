// The program tag (bpf_prog_calc_tag): the first 8 bytes of the SHA-1 of the instructions as
// loaded, with the immediates of map-referencing LD_IMM64 pairs (BPF_PSEUDO_MAP_FD and
// BPF_PSEUDO_MAP_VALUE, both halves) zeroed because fd numbers are not stable. Shown as
// prog_tag in fdinfo and bpf_prog_info.tag. Pure.
#pragma once

#include "bpf/isa/Encoding.h"
#include "klib/Error.h"
#include "klib/Span.h"
#include <linux/bpf.h>

namespace bpf::kernel {

void sha1(u8 const* data, usize length, u8 (&digest)[20]);
ErrorOr<void> program_tag(Span<isa::RawInstruction const> instructions, u8 (&tag)[BPF_TAG_SIZE]);

}
