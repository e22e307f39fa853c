// BPF_PROG_TEST_RUN (Linux's bpf_prog_test_run and net/bpf/test_run.c): runs a loaded program
// once or `repeat` times on a context built from the caller's data_in/ctx_in and reports
// retval, duration, data_out and ctx_out. Implemented for SOCKET_FILTER (bpf_prog_test_run_skb:
// the packet is handed over without its Ethernet header), XDP (bpf_prog_test_run_xdp: the frame
// gets 256 bytes of headroom, bpf_xdp_adjust_head/tail move its ends) and RAW_TRACEPOINT
// (bpf_prog_test_run_raw_tp: up to 12 u64 arguments from ctx_in, BPF_F_TEST_RUN_ON_CPU).
#pragma once

#include "klib/Error.h"
#include <linux/bpf.h>

namespace bpf::kernel {

class ProgramObject;

ErrorOr<u64> test_run_skb(ProgramObject& program, union bpf_attr const& attr, u64 user_attr);
ErrorOr<u64> test_run_xdp(ProgramObject& program, union bpf_attr const& attr, u64 user_attr);
ErrorOr<u64> test_run_raw_tracepoint(ProgramObject& program, union bpf_attr const& attr, u64 user_attr);

}
