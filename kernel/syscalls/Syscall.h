// The Linux x86_64 syscall ABI. Every syscall is one line in a *.def list:
//     SYSCALL(number, name, (typed parameter list))
// with number = Linux's __NR_<name>. The line declares `ErrorOr<u64> sys_<name>(params)`
// and registers it in the dispatch table (syscalls/Dispatcher.cpp), which converts the six
// argument registers to the parameter types and turns ErrorOr into the -errno return value
// in one place. User pointers are passed as u64 (never dereferenced directly: use
// mm/UserBuffer.h copies). Lists: core.def (processes, memory, signals, time, misc),
// fs.def (files, directories, pipes, poll/epoll, ioctl) and bpf.def (bpf, perf_event_open).
#pragma once

#include "klib/Error.h"

#define SYSCALL(number, name, params) ErrorOr<u64> sys_##name params;
#include "syscalls/core.def"
#include "syscalls/fs.def"
#include "syscalls/bpf.def"
#undef SYSCALL

struct SyscallRegisters;

// Called from the architecture's syscall entry with the saved user registers.
// Returns the value for the user's rax.
u64 dispatch_syscall(u64 number, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);
// Name of a syscall number (for logs and tracing), or nullptr.
char const* syscall_name(u64 number);

