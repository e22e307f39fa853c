// TraceContext scopes (see TraceContext.h): one pointer per CPU, indexed by the CPU id.
#include "bpf/syscall/TraceContext.h"
#include "arch/Cpu.h"

namespace bpf::kernel {

namespace {
constexpr u32 max_cpus = 64;
TraceContext const* s_current[max_cpus];
}

TraceContextScope::TraceContextScope(TraceContext const& context)
    : m_context(context)
    , m_cpu(arch::current_cpu_id() % max_cpus)
{
    m_previous = s_current[m_cpu];
    s_current[m_cpu] = &m_context;
}

TraceContextScope::~TraceContextScope() { s_current[m_cpu] = m_previous; }

TraceContext const* current_trace_context() { return s_current[arch::current_cpu_id() % max_cpus]; }

}
