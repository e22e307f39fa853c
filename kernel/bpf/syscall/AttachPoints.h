// Where programs attach, supplied by the subsystems that own the attach points (perf events,
// tracepoints). They register one function per kind at boot; until a kind is registered the
// bpf() commands give what Linux gives on a kernel without it:
//  - perf event links (LINK_CREATE with BPF_PERF_EVENT): EOPNOTSUPP, so libbpf's perf-link
//    probe (which wants EBADF for target_fd -1) concludes "no perf links";
//  - raw tracepoints (RAW_TRACEPOINT_OPEN): ENOENT, no tracepoint of that name.
// A registered function returns the attached link (not yet published) or Linux's errno
// (EBADF when `perf_file` is not a perf event, ENOENT for an unknown tracepoint...).
#pragma once

#include "bpf/syscall/LinkObject.h"
#include "klib/StringView.h"

class File;

namespace bpf::kernel {

using PerfLinkAttach = ErrorOr<RefPtr<LinkObject>> (*)(File& perf_file, RefPtr<ProgramObject> program, u64 bpf_cookie);
using RawTracepointAttach = ErrorOr<RefPtr<LinkObject>> (*)(StringView name, RefPtr<ProgramObject> program);

void set_perf_link_attach(PerfLinkAttach attach);
void set_raw_tracepoint_attach(RawTracepointAttach attach);
PerfLinkAttach perf_link_attach();
RawTracepointAttach raw_tracepoint_attach();

}
