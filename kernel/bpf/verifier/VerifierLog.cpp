// The verifier log (see VerifierLog.h).
#include "bpf/verifier/VerifierLog.h"
#include "klib/CString.h"
#include "klib/Format.h"

namespace bpf::verifier {

ErrorOr<void> VerifierLog::validate_attributes(u32 level, bool has_buffer, u32 size)
{
    if (has_buffer != (size != 0))
        return Error(EINVAL);
    if (has_buffer && level == 0)
        return Error(EINVAL);
    if (level & ~log_level_mask)
        return Error(EINVAL);
    if (size > (0xffffffffu >> 2))
        return Error(EINVAL);
    return {};
}

void VerifierLog::vprintf(char const* fmt, va_list args)
{
    if (!m_level)
        return;
    char small[256];
    va_list copy;
    va_copy(copy, args);
    int needed = klib::vformat(small, sizeof(small), fmt, copy);
    va_end(copy);
    if (needed < static_cast<int>(sizeof(small))) {
        append(StringView(small, static_cast<usize>(needed)));
        return;
    }
    Vector<char> big;
    if (big.try_resize(static_cast<usize>(needed) + 1).is_error())
        return;
    klib::vformat(big.data(), big.size(), fmt, args);
    append(StringView(big.data(), static_cast<usize>(needed)));
}

void VerifierLog::printf(char const* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
}

void VerifierLog::append(StringView text)
{
    if (!m_level || text.is_empty())
        return;
    u64 new_end = m_end_pos + text.length();
    m_len_max = max(m_len_max, new_end + 1);
    if (!m_has_buffer) {
        m_end_pos = new_end;
        m_start_pos = m_window_start = new_end;
        return;
    }
    u64 keep = m_size - 1; // bytes the user buffer holds besides the NUL
    if (m_level & log_fixed) {
        if (m_end_pos < keep) {
            usize room = static_cast<usize>(min<u64>(keep - m_end_pos, text.length()));
            // The kept text is exactly [0, m_end_pos) here: fixed mode never rotates.
            (void)m_text.try_append(text.substring(0, room));
        }
        m_end_pos = new_end;
        return;
    }
    (void)m_text.try_append(text);
    m_end_pos = new_end;
    if (m_end_pos - m_window_start > keep)
        m_window_start = m_end_pos - keep;
    if (m_text.length() > 2 * keep + 4096)
        compact();
}

void VerifierLog::compact()
{
    if (m_window_start <= m_start_pos)
        return;
    u64 drop = m_window_start - m_start_pos;
    auto& buffer = m_text.buffer();
    usize remaining = buffer.size() - static_cast<usize>(drop);
    memmove(buffer.data(), buffer.data() + drop, remaining);
    MUST(buffer.try_resize(remaining));
    m_start_pos += drop;
}

void VerifierLog::reset(u64 position)
{
    if (!m_level || position > m_end_pos)
        return;
    m_end_pos = position;
    if (!m_has_buffer) {
        m_start_pos = m_window_start = position;
        return;
    }
    if (m_level & log_fixed) {
        u64 kept = min<u64>(position, m_size - 1);
        MUST(m_text.buffer().try_resize(static_cast<usize>(kept)));
        return;
    }
    if (m_end_pos < m_window_start)
        m_window_start = m_end_pos;
    if (m_end_pos < m_start_pos)
        m_start_pos = m_end_pos;
    MUST(m_text.buffer().try_resize(static_cast<usize>(m_end_pos - m_start_pos)));
}

char VerifierLog::last_char() const
{
    auto view = m_text.view();
    if (view.is_empty() || ((m_level & log_fixed) && m_end_pos > view.length()))
        return 0;
    return view[view.length() - 1];
}

ErrorOr<void> VerifierLog::finalize() const
{
    if (!m_level || !m_has_buffer)
        return {};
    if (m_len_max > m_size)
        return Error(ENOSPC);
    return {};
}

StringView VerifierLog::contents() const
{
    if (!m_has_buffer)
        return {};
    StringView view = m_text.view();
    if (m_level & log_fixed)
        return view;
    return view.substring(static_cast<usize>(m_window_start - m_start_pos));
}

}
