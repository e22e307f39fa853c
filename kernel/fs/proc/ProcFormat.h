// Text formats of /proc and /sys files, byte-for-byte like Linux (fs/proc/array.c,
// task_mmu.c, meminfo.c, fd.c; drivers/base/cpu.c). Pure functions over plain structs so
// they are host-testable; fs/proc/ProcFS.cpp gathers the data from the kernel.
#pragma once

#include "klib/String.h"

constexpr u64 user_hz = 100; // USER_HZ: the unit of clock ticks in /proc

struct ProcStatInfo {
    i32 pid { 0 };
    StringView comm;
    char state { 'R' };
    i32 ppid { 0 }, pgrp { 0 }, session { 0 };
    i32 tty_nr { 0 }, tpgid { -1 };
    u32 flags { 0 };
    u64 utime_ns { 0 }, stime_ns { 0 };
    i64 cutime_ns { 0 }, cstime_ns { 0 };
    i64 priority { 20 }, nice { 0 };
    i64 num_threads { 1 };
    u64 start_time_ns { 0 }; // since boot
    u64 vsize { 0 };          // bytes
    u64 rss_pages { 0 };
    u64 start_code { 0 }, end_code { 0 }, start_stack { 0 };
    u64 signal_pending { 0 }, signal_blocked { 0 }, signal_ignored { 0 }, signal_caught { 0 };
    i32 exit_signal { 17 };
    i32 processor { 0 };
    u64 start_data { 0 }, end_data { 0 }, start_brk { 0 };
    u64 arg_start { 0 }, arg_end { 0 }, env_start { 0 }, env_end { 0 };
    i32 exit_code { 0 };
    bool has_mm { true };
};
// The 52 fields of /proc/<pid>/stat, one line.
ErrorOr<void> format_proc_stat(StringBuilder&, ProcStatInfo const&);

struct ProcStatusInfo {
    StringView name;
    u32 umask { 022 };
    char state { 'R' };
    i32 tgid { 0 }, pid { 0 }, ppid { 0 }, pgid { 0 }, sid { 0 };
    u32 uid[4] {}, gid[4] {};
    u32 fd_size { 64 };
    bool has_mm { true };
    u64 vm_size_kb { 0 }, vm_rss_kb { 0 }, vm_data_kb { 0 }, vm_stack_kb { 0 }, vm_exe_kb { 0 };
    u32 threads { 1 };
    u64 sig_pending { 0 }, sig_blocked { 0 }, sig_ignored { 0 }, sig_caught { 0 };
    u32 cpu_count { 1 };
};
// "Name:\t...\nUmask:\t0022\nState:\tR (running)\n..." like Linux 6.1.
ErrorOr<void> format_proc_status(StringBuilder&, ProcStatusInfo const&);
// "R (running)", "S (sleeping)", "Z (zombie)"...
StringView proc_state_name(char state);

// One /proc/<pid>/maps line: "start-end rwxp offset maj:min inode" padded to column 73, then
// the name (no padding and a trailing space when there is no name), then '\n'.
ErrorOr<void> format_maps_line(StringBuilder&, u64 start, u64 end, bool readable, bool writable, bool executable,
    bool shared, u64 offset, u32 dev_major, u32 dev_minor, u64 inode, StringView name);

struct MeminfoInput {
    u64 total_kb { 0 };
    u64 free_kb { 0 };
    u64 available_kb { 0 };
    u64 cached_kb { 0 };
    u64 shmem_kb { 0 };
    u64 kernel_kb { 0 };
};
ErrorOr<void> format_meminfo(StringBuilder&, MeminfoInput const&);

// "0\n" for one CPU, "0-N\n" for more (drivers/base/cpu.c's cpulist format).
ErrorOr<void> format_cpu_list(StringBuilder&, u32 cpu_count);
// "pos:\t%lli\nflags:\t0%o\nmnt_id:\t%i\nino:\t%lu\n"
ErrorOr<void> format_fdinfo_header(StringBuilder&, u64 position, u32 flags, u32 mount_id, u64 ino);
// "%lu.%02lu %lu.%02lu\n" (seconds with hundredths)
ErrorOr<void> format_uptime(StringBuilder&, u64 uptime_ns, u64 idle_ns);
