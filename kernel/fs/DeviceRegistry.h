// Character device registry: (major, minor) -> a function that makes the File an open of a
// device node creates. Device nodes live in any file system (devtmpfs at /dev); opening one
// whose number nobody registered gives ENXIO, like Linux. Registration happens at boot (and
// later from drivers); one spinlock guards the table.
#pragma once

#include "fs/File.h"

class Inode;

using DeviceOpener = ErrorOr<RefPtr<File>> (*)(Inode& node, u32 flags);

ErrorOr<void> register_char_device(u32 major, u32 minor, DeviceOpener);
ErrorOr<RefPtr<File>> open_char_device(u64 rdev, Inode& node, u32 flags);
