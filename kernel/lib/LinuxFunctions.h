// Kernel functions under Linux's names and signatures, so tools written for Linux can probe
// them (kprobe/kretprobe by name, see docs/tracing-probes.md). They have C linkage, Linux's
// argument order (the arguments are in the registers Linux's would be) and Linux's return
// convention (a value or -errno in a long; converted with the dispatcher's helpers in
// syscalls/Syscall.h). Each is a real out-of-line function (noinline) that every path of
// its operation goes through. Kernel object pointers stand for Linux's: struct file * is an
// OpenFileDescription, struct task_struct * a Thread. Together with the generated
// `long __x64_sys_<name>(struct pt_regs const *)` syscall entry points (syscalls/Dispatcher.cpp)
// they are the probe namespace.
#pragma once

#include "klib/Types.h"

class OpenFileDescription;
class Thread;

// Linux's struct open_how (include/uapi/linux/openat2.h).
struct OpenHow {
    u64 flags;
    u64 mode;
    u64 resolve;
};

// The head of Linux's struct filename (include/linux/fs.h): the kernel copy of a path and
// the user pointer it came from.
struct LinuxFilename {
    char const* name;
    u64 uptr;
    i32 refcnt;
    void* aname;
};

extern "C" {
// syscalls/fs/Open.cpp: open, openat, creat. `filename` is a user pointer.
long do_sys_openat2(int dfd, char const* filename, OpenHow* how);
// syscalls/fs/ReadWrite.cpp: read/write and pread64/pwrite64. `buf` is a user pointer; `pos`
// is the position to use and advance, or null for the file's own position (as Linux's
// ksys_read passes for stream files).
long vfs_read(OpenFileDescription* file, char* buf, usize count, i64* pos);
long vfs_write(OpenFileDescription* file, char const* buf, usize count, i64* pos);
// syscalls/fs/Directories.cpp: unlink, unlinkat without AT_REMOVEDIR.
long do_unlinkat(int dfd, LinuxFilename* name);
// proc/Exit.cpp: every process exit (exit, exit_group, fatal signals); code is the wait status.
[[noreturn]] void do_exit(long code);
// sched/Scheduler.cpp: aliases of Scheduler::schedule() and Scheduler::wake(); wake_up_process
// returns 1 if the thread was woken, 0 if it was not sleeping.
void schedule();
int wake_up_process(Thread* task);
}
