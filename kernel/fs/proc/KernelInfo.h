// Core services procfs needs beyond the listed core headers. Declared here, implemented by
// the core (strong definitions); weak fallbacks live in fs/proc/KernelInfo.cpp so the file
// system builds on its own.
#pragma once

#include "klib/Error.h"

class Process;

// The release string uname(2) reports (syscalls/core/SystemCalls.cpp).
char const* kernel_release();
// The kernel command line the boot loader passed (for /proc/cmdline).
char const* kernel_command_line();
// Copies `length` bytes of user memory of `process` (which need not be the current one)
// into `dest`. EFAULT for unmapped memory, EIO for a process without memory.
ErrorOr<void> read_process_memory(Process& process, u64 address, void* dest, usize length);
