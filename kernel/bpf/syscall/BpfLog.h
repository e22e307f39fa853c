// BpfLog: the verifier-style log that BPF_BTF_LOAD and BPF_PROG_LOAD write to user space:
// a level (0 = no log), a capacity (log_size) and the text collected in a kernel buffer.
// Linux 6.1 semantics (bpf_verifier_vlog): the log keeps the first log_size - 1 bytes and is
// always NUL-terminated; once it overflows the command fails with ENOSPC (unless it failed
// with another errno first). Appending never fails: text beyond the capacity only marks the
// log as truncated.
//
// Pure (klib only). Not thread-safe: one log per command invocation.
#pragma once

#include "klib/Vector.h"
#include <stdarg.h>

namespace bpf::kernel {

class BpfLog {
public:
    BpfLog() = default;
    // level and capacity as the user asked (already validated); capacity >= 1 when level != 0.
    BpfLog(u32 level, u32 capacity)
        : m_level(level)
        , m_capacity(capacity)
    {
    }

    bool enabled() const { return m_level != 0; }
    u32 level() const { return m_level; }
    bool truncated() const { return m_truncated; }
    void append(char const* fmt, ...) __attribute__((format(printf, 2, 3)));
    void vappend(char const* fmt, va_list args);
    // The text (without the terminating NUL); at most capacity - 1 bytes.
    char const* text() const { return m_text.data() ? m_text.data() : ""; }
    usize length() const { return m_text.size(); }

private:
    u32 m_level { 0 };
    u32 m_capacity { 0 };
    bool m_truncated { false };
    Vector<char> m_text;
};

// Linux's bpf_verifier_log_attr_valid(): the three log attributes together are sane.
inline bool log_attributes_valid(u32 level, u64 buffer, u32 size)
{
    constexpr u32 log_mask = 1 | 2 | 4; // BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2 | BPF_LOG_STATS
    return size >= 128 && size <= (0xffffffffu >> 2) && level != 0 && buffer != 0 && !(level & ~log_mask);
}

}
