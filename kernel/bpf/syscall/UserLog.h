// Copying a BpfLog to the user's log buffer (log_buf/log_size), Linux 6.1 style: the text so
// far plus a NUL. write_user_log() is for a command that already failed (its errno wins);
// finish_user_log() for one that succeeded: a truncated log turns success into ENOSPC.
#pragma once

#include "bpf/syscall/BpfLog.h"
#include "mm/UserBuffer.h"

namespace bpf::kernel {

inline ErrorOr<void> write_user_log(BpfLog const& log, u64 user_buffer)
{
    if (!log.enabled() || !user_buffer)
        return {};
    TRY(copy_to_user(user_buffer, log.text(), log.length()));
    char nul = '\0';
    return copy_to_user(user_buffer + log.length(), &nul, 1);
}

inline ErrorOr<void> finish_user_log(BpfLog const& log, u64 user_buffer)
{
    TRY(write_user_log(log, user_buffer));
    if (log.enabled() && log.truncated())
        return Error(ENOSPC);
    return {};
}

}
