// initramfs: the "newc" cpio archive the boot loader hands over (magic 070701, or 070702
// with checksums which are not verified), unpacked into the root ramfs at boot. Each entry is
// a 110-byte header of 8-digit hex fields, the NUL-terminated name padded to 4 bytes, and the
// data padded to 4 bytes; "TRAILER!!!" ends an archive (several archives may follow each
// other, separated by zero padding, as Linux allows).
//
// A malformed archive gives EINVAL and a log line naming the offset — never a crash: every
// size is bounds- and overflow-checked before use. Pure code (no process state).
#pragma once

#include "klib/Error.h"
#include "klib/Span.h"
#include "klib/StringView.h"

class Custody;

struct CpioEntry {
    StringView name; // as stored (without the NUL)
    u32 ino { 0 };
    u32 mode { 0 };
    u32 uid { 0 };
    u32 gid { 0 };
    u32 nlink { 0 };
    u64 mtime { 0 };
    u32 rdev_major { 0 };
    u32 rdev_minor { 0 };
    ReadonlyBytes data;
};

class CpioReader {
public:
    explicit CpioReader(ReadonlyBytes archive)
        : m_archive(archive)
    {
    }
    // Reads the next entry; false when no entries remain (after the last trailer).
    ErrorOr<bool> next(CpioEntry&);
    usize offset() const { return m_offset; }

private:
    ReadonlyBytes m_archive;
    usize m_offset { 0 };
};

// Creates the archive's directories, files (with their modes, owners and mtimes), symlinks
// and device nodes below `root`; missing parent directories are created, existing
// directories are kept, existing files are replaced.
ErrorOr<void> unpack_cpio(ReadonlyBytes archive, Custody& root);
