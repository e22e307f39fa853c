// Syscall tracepoints: syscalls:sys_enter_<name> / sys_exit_<name> for every implemented
// syscall (Linux's record layout: __syscall_nr, then each argument as an 8-byte field; `ret`
// on exit) and raw_syscalls:sys_enter / sys_exit (the raw tracepoints libbpf attaches
// raw_tp/sys_enter to: args (struct pt_regs *regs, long id) and (regs, long ret)).
//
// Called from the syscall entry path with the frame of the calling task. The fast path is a
// table load and a test per tracepoint; nothing is built while nothing listens.
#pragma once

#include "arch/Registers.h"
#include "trace/Tracepoint.h"

namespace trace {

ErrorOr<void> syscall_events_initialize();

void fire_syscall_enter(Registers const& regs);
void fire_syscall_exit(Registers const& regs, u64 number, u64 result);

// The per-syscall tracepoints (null for numbers without a syscall).
Tracepoint* syscall_enter_tracepoint(u64 number);
Tracepoint* syscall_exit_tracepoint(u64 number);
extern Tracepoint* raw_syscalls_enter;
extern Tracepoint* raw_syscalls_exit;
extern Atomic<u32> syscall_tracepoint_users;

#if TRACEPOINTS_ENABLED
inline void trace_syscall_enter(Registers const& regs)
{
    if (syscall_tracepoint_users.load(MemoryOrder::Relaxed)) [[unlikely]]
        fire_syscall_enter(regs);
}
// `number` is the syscall's number (the frame's orig_rax may have been rebuilt by execve).
inline void trace_syscall_exit(Registers const& regs, u64 number, u64 result)
{
    if (syscall_tracepoint_users.load(MemoryOrder::Relaxed)) [[unlikely]]
        fire_syscall_exit(regs, number, result);
}
#else
inline void trace_syscall_enter(Registers const&) { }
inline void trace_syscall_exit(Registers const&, u64, u64) { }
#endif

}
