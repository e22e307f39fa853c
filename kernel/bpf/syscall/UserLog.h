// Setting up a verifier-style log from the attr (log_level/log_size/log_buf of PROG_LOAD,
// btf_log_* of BTF_LOAD) and copying it back: the text the user's buffer holds plus a NUL
// (bpf_vlog_finalize). A command that failed keeps its own errno; one that succeeded turns
// into ENOSPC when the log did not fit.
#pragma once

#include "bpf/verifier/VerifierLog.h"
#include "mm/UserBuffer.h"

namespace bpf::kernel {

using verifier::VerifierLog;

// EINVAL for inconsistent attributes (bpf_vlog_init).
inline ErrorOr<VerifierLog> make_user_log(u32 level, u64 buffer, u32 size)
{
    if (!level && !buffer && !size)
        return VerifierLog();
    TRY(VerifierLog::validate_attributes(level, buffer != 0, size));
    return VerifierLog(level, size, buffer != 0);
}

inline ErrorOr<void> write_user_log(VerifierLog const& log, u64 user_buffer)
{
    if (!log.level() || !user_buffer)
        return {};
    StringView text = log.contents();
    TRY(copy_to_user(user_buffer, text.chars(), text.length()));
    char nul = '\0';
    return copy_to_user(user_buffer + text.length(), &nul, 1);
}

inline ErrorOr<void> finish_user_log(VerifierLog const& log, u64 user_buffer)
{
    TRY(write_user_log(log, user_buffer));
    return log.finalize();
}

}
