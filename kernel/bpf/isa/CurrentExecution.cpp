// The "current execution" slot used by call_bpf_function(). Host builds keep one per thread;
// the kernel keeps a single global behind this accessor until per-CPU storage exists.
#include "bpf/isa/ExecutionState.h"

namespace bpf::isa {

namespace {
#ifdef KLIB_HOSTED
thread_local ExecutionState* s_current_execution = nullptr;
#else
ExecutionState* s_current_execution = nullptr;
#endif
}

ExecutionState* current_execution() { return s_current_execution; }
void set_current_execution(ExecutionState* state) { s_current_execution = state; }

}
