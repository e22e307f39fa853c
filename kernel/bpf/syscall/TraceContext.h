// TraceContext: what the code that runs an attached program knows about the event that
// triggered it and the helpers cannot read from the program's context: the registers of the
// interrupted code (kprobes, uprobes, perf samples, tracepoints' callers), the traced
// function's address (bpf_get_func_ip), the attachment's cookie (bpf_get_attach_cookie) and,
// for a PERF_EVENT program, the perf event whose sample runs it (bpf_perf_prog_read_value).
// The tracing code wraps each program run in a TraceContextScope; the helper environment
// (KernelHelperEnvironment.cpp) consults the innermost scope of the current CPU.
//
// Scopes nest (a program that triggers another event) and are per CPU; they must be created
// and destroyed on the same CPU with preemption impossible in between (program runs are).
#pragma once

#include "arch/Registers.h"
#include "klib/Types.h"

namespace bpf::kernel {

// The perf event a PERF_EVENT program runs for; the perf code implements it. It outlives the
// program run (the sampling path holds it).
class SampledPerfEvent {
public:
    // perf_event_read_local(): 0 or -errno.
    virtual i64 read_local(u64* value, u64* enabled, u64* running) = 0;

protected:
    ~SampledPerfEvent() = default;
};

struct TraceContext {
    Registers const* regs { nullptr }; // null: walk the current stack
    u64 func_ip { 0 };
    u64 cookie { 0 };
    SampledPerfEvent* perf_event { nullptr }; // null: not a perf sample
};

class TraceContextScope {
public:
    explicit TraceContextScope(TraceContext const& context);
    ~TraceContextScope();
    TraceContextScope(TraceContextScope const&) = delete;
    TraceContextScope& operator=(TraceContextScope const&) = delete;

private:
    TraceContext m_context;
    TraceContext const* m_previous;
    u32 m_cpu;
};

// The innermost context of the current CPU, or null.
TraceContext const* current_trace_context();

}
