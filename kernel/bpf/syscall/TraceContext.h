// TraceContext: what the code that runs an attached program knows about the event that
// triggered it and the helpers cannot read from the program's context: the registers of the
// interrupted code (kprobes, uprobes, perf samples, tracepoints' callers), the traced
// function's address (bpf_get_func_ip) and the attachment's cookie (bpf_get_attach_cookie).
// The tracing code wraps each program run in a TraceContextScope; the helper environment
// (KernelHelperEnvironment.cpp) consults the innermost scope of the current CPU.
//
// Scopes nest (a program that triggers another event) and are per CPU; they must be created
// and destroyed on the same CPU with preemption impossible in between (program runs are).
#pragma once

#include "arch/Registers.h"
#include "klib/Types.h"

namespace bpf::kernel {

struct TraceContext {
    Registers const* regs { nullptr }; // null: walk the current stack
    u64 func_ip { 0 };
    u64 cookie { 0 };
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
