// FileSystem: anonymous device numbers for file system instances (major 0, minors from 1,
// like Linux's get_anon_bdev()).
#include "fs/FileSystem.h"

namespace {
Atomic<u32> next_anonymous_minor { 1 };
}

u64 allocate_anonymous_dev()
{
    return fs::encode_dev(0, next_anonymous_minor.fetch_add(1));
}

FileSystem::FileSystem()
    : m_dev(allocate_anonymous_dev())
{
}
