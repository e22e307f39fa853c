// The helpers that need a kernel context (bpf_skb_load_bytes for socket filters,
// bpf_xdp_adjust_head/tail for XDP) are registered by the kernel's program-type layer at
// boot (kernel/bpf/syscall/ProgramTypes.cpp). The host tools verify programs without that
// layer, so they register the same prototypes here; the checked interpreter
// (SafetyInterpreter) implements the calls itself.
#pragma once

namespace bpfvm {

// Registers the context helper prototypes once; later calls do nothing.
void register_host_context_helpers();

}
