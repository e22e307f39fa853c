// procfs at /proc and sysfs at /sys, built on PseudoFS (see fs/pseudo/PseudoFS.h).
//
// /proc: self (-> <pid>), mounts (-> self/mounts), cpuinfo, meminfo, uptime, loadavg, stat,
// version, filesystems, cmdline, kallsyms, sys/kernel/{ostype,osrelease,hostname,version,pid_max,
// perf_event_paranoid,unprivileged_bpf_disabled,kptr_restrict,randomize_va_space}, and one
// directory per process: <pid>/{stat,statm,status,cmdline,comm,maps,environ,mounts,mountinfo,
// exe,cwd,root,fd/,fdinfo/}.
// /sys: devices/system/cpu/{possible,online,present}, and empty kernel/, fs/, bus/, class/
// directories for later subsystems (tracing mounts on kernel/tracing, bpffs on fs/bpf).
//
// Later subsystems add files with the registration functions below (e.g. the tracing work
// adds /proc/kallsyms, the perf work /sys/bus/event_source/devices/...). Paths are relative
// to the mount point; missing directories are created.
#pragma once

#include "fs/pseudo/PseudoFS.h"

ErrorOr<RefPtr<PseudoFS>> procfs_create();
ErrorOr<RefPtr<PseudoFS>> sysfs_create();

ErrorOr<void> procfs_register_file(StringView path, PseudoGenerator, PseudoWriter = nullptr, u32 mode = 0);
ErrorOr<void> procfs_register_symlink(StringView path, StringView target);
ErrorOr<void> sysfs_register_file(StringView path, PseudoGenerator, PseudoWriter = nullptr, u32 mode = 0);
ErrorOr<void> sysfs_register_symlink(StringView path, StringView target);
// Creates (or finds) a directory, e.g. as a mount point: sysfs_register_directory("fs/bpf").
ErrorOr<void> sysfs_register_directory(StringView path);

// Tunables behind /proc/sys/kernel (read by the perf and BPF syscalls later).
int sysctl_perf_event_paranoid();
int sysctl_unprivileged_bpf_disabled();
int sysctl_kptr_restrict();

// Internal: the per-process part of /proc (ProcPid.cpp).
ErrorOr<void> procfs_install_process_directories(PseudoFS&);
ErrorOr<void> append_mounts_text(StringBuilder&);
ErrorOr<void> append_mountinfo_text(StringBuilder&);
