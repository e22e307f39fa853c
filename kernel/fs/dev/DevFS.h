// devtmpfs at /dev: a ramfs instance populated at boot with the standard device nodes
// (null, zero, full, random, urandom, console, tty), the /dev/fd, stdin, stdout and stderr
// links into /proc/self/fd, and /dev/shm and /dev/pts directories. Drivers added later
// register a DeviceOpener (fs/DeviceRegistry.h) and create their node with devfs_add_node().
#pragma once

#include "fs/Custody.h"

// Creates the standard nodes below `dev_root` (the devtmpfs root custody).
ErrorOr<void> devfs_populate(Custody& dev_root);
// Creates /dev/<name> as a character device node (mode: permission bits).
ErrorOr<void> devfs_add_node(StringView name, u32 major, u32 minor, u32 mode);
