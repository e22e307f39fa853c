// Shared helpers for the file-system host tests: a fresh root ramfs per test and small
// wrappers that read/write files through descriptions with kernel buffers.
#pragma once

#include "fs/Inode.h"
#include "fs/Mount.h"
#include "fs/VfsOps.h"
#include "fs/ramfs/RamFS.h"
#include "mm/UserBuffer.h"
#include <catch2/catch.hpp>
#include <string>

inline RefPtr<Custody> fresh_root()
{
    vfs_reset_mounts_for_testing();
    auto fs = MUST(RamFS::try_create("rootfs"));
    return MUST(vfs_set_root_filesystem(fs, "rootfs", "rw"));
}

inline int error_of(ErrorOr<void> const& result) { return result.is_error() ? result.error().code() : 0; }
template<typename T>
inline int error_of(ErrorOr<T> const& result) { return result.is_error() ? result.error().code() : 0; }

inline FsCredentials user_cred() { return FsCredentials { 1000, 1000 }; }

inline void write_file(Custody& base, char const* path, std::string const& content, u32 flags = fs::O_CREATE | fs::O_WRITE_ONLY | fs::O_TRUNCATE)
{
    auto description = MUST(vfs_open_at(base, path, flags, 0644, FsCredentials::root()));
    auto buffer = UserBuffer::kernel(const_cast<char*>(content.data()), content.size());
    REQUIRE(MUST(description->write(buffer, content.size())) == content.size());
}

inline std::string read_file(Custody& base, char const* path)
{
    auto description = MUST(vfs_open_at(base, path, fs::O_READ_ONLY, 0, FsCredentials::root()));
    std::string out;
    char chunk[1000];
    for (;;) {
        auto buffer = UserBuffer::kernel(chunk, sizeof(chunk));
        usize n = MUST(description->read(buffer, sizeof(chunk)));
        if (n == 0)
            break;
        out.append(chunk, n);
    }
    return out;
}

inline std::string path_of(RefPtr<Custody> const& custody)
{
    auto path = MUST(custody->absolute_path());
    return std::string(path.c_str());
}
