// Kernel entry points of the file system layer (what the core calls), plus helpers for
// code running in a process context (the syscalls, exec, drivers that create fds).
//
// Boot order: vfs_initialize() (root ramfs, /dev, /proc, /sys, /tmp), then
// unpack_initramfs() for each boot module. Everything else is in VfsOps.h (path operations
// with an explicit base and credentials) and the headers of the individual objects.
#pragma once

#include "fs/VfsOps.h"
#include "klib/Span.h"

class FileSystem;
class Process;

ErrorOr<void> vfs_initialize();
ErrorOr<void> unpack_initramfs(ReadonlyBytes archive);

// The current process's file-system credentials (fsuid/fsgid).
FsCredentials current_fs_credentials();
// The current process's working directory (the root if it has none yet).
RefPtr<Custody> current_cwd();
// open() on behalf of the current process: relative to `base` or its cwd, with its
// credentials. `mode` is used as given (no umask).
ErrorOr<RefPtr<OpenFileDescription>> vfs_open(StringView path, int flags, u32 mode, Custody* base = nullptr);

// Mounts `fs` on the directory `path` (absolute), e.g. bpffs on /sys/fs/bpf later.
ErrorOr<void> vfs_mount_at(StringView path, RefPtr<FileSystem> fs, StringView source, StringView options);
// /proc/filesystems: file system type names ("nodev" ones have no backing device).
ErrorOr<void> vfs_register_filesystem_type(StringView name, bool nodev = true);
ErrorOr<String> vfs_filesystems_text();
