// BpfLog (see BpfLog.h).
#include "bpf/syscall/BpfLog.h"
#include "klib/Format.h"

namespace bpf::kernel {

void BpfLog::append(char const* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vappend(fmt, args);
    va_end(args);
}

void BpfLog::vappend(char const* fmt, va_list args)
{
    if (!m_level || m_truncated)
        return;
    char line[512];
    va_list copy;
    va_copy(copy, args);
    int needed = klib::vformat(line, sizeof(line), fmt, copy);
    va_end(copy);
    if (needed < 0)
        return;
    usize length = min<usize>(static_cast<usize>(needed), sizeof(line) - 1);
    usize room = m_capacity > 0 ? m_capacity - 1 - min<usize>(m_text.size(), m_capacity - 1) : 0;
    if (length > room || static_cast<usize>(needed) > length) {
        length = min(length, room);
        m_truncated = true;
    }
    if (length && m_text.try_append(line, length).is_error())
        m_truncated = true;
}

}
