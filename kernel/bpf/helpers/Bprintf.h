// Format-string handling for bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf, following
// Linux's bpf_bprintf_prepare() (kernel/bpf/helpers.c) rule for rule:
//  - the format must be NUL-terminated within fmt_size and consist of printable ASCII or
//    whitespace; every conversion needs an argument (at most num_args);
//  - allowed: %% and %[0 +-][width] followed by d i u x X with optional l or ll, c, s, and
//    the pointer forms %p %pK %px %ps %pS %pB %pks %pus %pI4 %pi4 %pI6 %pi6 (anything else,
//    precision included, is -EINVAL);
//  - strings and IP addresses are copied through the fault-tolerant reads of the
//    HelperEnvironment into a 512-byte argument buffer; overflowing it is -ENOSPC.
// Formatting then follows Linux's bstr_printf for those conversions. Intentional
// difference: %p, %pK, %ps, %pS and %pB print the raw address like %px (no pointer hashing
// or symbol lookup in the core).
//
// Pure functions; no state, no locking (the argument buffer is on the caller's stack).
#pragma once

#include "klib/Types.h"

namespace bpf {

constexpr u32 max_trace_printk_args = 3;  // MAX_TRACE_PRINTK_VARARGS
constexpr u32 max_bprintf_args = 12;      // MAX_BPRINTF_VARARGS
constexpr u32 max_bprintf_buffer = 1024;  // MAX_BPRINTF_BUF
constexpr u32 max_bprintf_bin_args = 512; // MAX_BPRINTF_BIN_ARGS

// Validates `fmt` against `num_args` arguments and, when `out` is non-null, formats into
// out[out_size] (always NUL-terminated if out_size > 0). Returns the length of the complete
// output (excluding the NUL, like snprintf) or a negative errno.
i64 bprintf(char const* fmt, u32 fmt_size, u64 const* args, u32 num_args, char* out, u32 out_size);

}
