// The BPF subsystem's boot entry point.
#pragma once

// Installs the kernel's helper environment (CPU, clocks, current task, probe reads, trace
// ring, signals), builds the per-program-type helper tables, hooks PROG_ARRAY tail calls,
// and mounts bpffs on /sys/fs/bpf. Call once from kernel_main64 after vfs_initialize() and
// before the first user process starts (no map or program may exist before it).
void bpf_subsystem_initialize();
