// The x86-64 breakpoint and fault hooks of kprobes, called from the exception handler
// (Traps.cpp) in kernel mode. See Kprobes.cpp.
#pragma once

#include "arch/Registers.h"

// #BP: true when the breakpoint belonged to a probe (or to an out-of-line step) and was handled.
extern "C" bool kprobe_breakpoint_handler(Registers& regs);
// Any other kernel-mode exception: if it came from an out-of-line copy, ip is moved back to the
// probed instruction so the normal handling (page fault, exception-table fixup) applies there.
extern "C" void kprobe_fault_handler(Registers& regs);
