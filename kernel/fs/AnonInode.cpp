// Anonymous-inode files (see AnonInode.h).
#include "fs/AnonInode.h"
#include "proc/Process.h"

ErrorOr<String> anon_inode_path(StringView name)
{
    StringBuilder builder;
    TRY(builder.try_append("anon_inode:"));
    TRY(builder.try_append(name));
    return builder.try_to_string();
}

ErrorOr<String> AnonInodeFile::absolute_path(OpenFileDescription const&) const
{
    return anon_inode_path(m_name);
}

ErrorOr<int> install_anonymous_fd(RefPtr<File> file, u32 flags)
{
    auto description = TRY(OpenFileDescription::try_create(move(file), flags & (fs::O_ACCESS_MASK | fs::O_NONBLOCK_)));
    constexpr int rlimit_nofile = 7;
    auto& process = Process::current();
    int limit = static_cast<int>(klib::min<u64>(process.resource_limit(rlimit_nofile).current, FdTable::max_fds));
    return process.fds().allocate(move(description), flags & fs::O_CLOEXEC_, 0, limit);
}
