// Running BPF programs from events (tracepoints, perf samples, probes): Linux's
// trace_call_bpf(). At most one traced program runs per CPU at a time: an event that fires
// while a program runs on the same CPU (a helper hitting a tracepoint, a probe inside a
// helper) does not run its program and counts a miss on it instead (bpf_prog_active,
// reported as recursion_misses in bpf_prog_info).
//
// Call with interrupts masked (tracepoint listeners and probe handlers are).
#pragma once

#include "bpf/syscall/ProgramObject.h"
#include "bpf/syscall/TraceContext.h"

namespace trace {

// Returns the program's r0, or 0 when it did not run (recursion).
u64 run_traced_program(bpf::kernel::ProgramObject& program, void* ctx, bpf::kernel::TraceContext const& context);

// True while a traced program runs on this CPU.
bool traced_program_running();

}
