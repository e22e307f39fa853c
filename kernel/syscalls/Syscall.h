// The Linux x86_64 syscall ABI. Every syscall is one line in a *.def list:
//     SYSCALL(number, name, (typed parameter list))
// with number = Linux's __NR_<name>. The line declares `ErrorOr<u64> sys_<name>(params)`
// and registers it in the dispatch table (syscalls/Dispatcher.cpp), which converts the six
// argument registers to the parameter types and turns ErrorOr into the -errno return value
// in one place. User pointers are passed as u64 (never dereferenced directly: use
// mm/UserBuffer.h copies). Lists: core.def (processes, memory, signals, time, misc),
// fs.def (files, directories, pipes, poll/epoll, ioctl) and bpf.def (bpf, perf_event_open).
#pragma once

#include "arch/Registers.h"
#include "klib/Error.h"

#define SYSCALL(number, name, params) ErrorOr<u64> sys_##name params;
#include "syscalls/core.def"
#include "syscalls/fs.def"
#include "syscalls/bpf.def"
#undef SYSCALL

// Linux's entry points: long __x64_sys_<name>(struct pt_regs const*), C linkage, one per
// syscall (generated in syscalls/Dispatcher.cpp).
#define SYSCALL(number, name, params) extern "C" long __x64_sys_##name(Registers const* regs);
#include "syscalls/core.def"
#include "syscalls/fs.def"
#include "syscalls/bpf.def"
#undef SYSCALL

// Called from the architecture's syscall entry with the saved user registers (orig_rax is
// the number). Returns the value for the user's rax.
u64 dispatch_syscall(Registers const& regs);
// The same with the number and arguments passed separately (they normally are the current
// thread's saved user frame, which is then what the __x64_sys_* function receives).
u64 dispatch_syscall(u64 number, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);

// Linux's return convention for the Linux-named kernel functions (do_sys_openat2, vfs_read,
// ...: value or -errno in a long) and back. Defined next to the dispatcher, the one place
// where ErrorOr and -errno meet.
long linux_return_value(ErrorOr<u64>&& result);
ErrorOr<u64> from_linux_return_value(long value);
// Name of a syscall number (for logs and tracing), or nullptr.
char const* syscall_name(u64 number);

