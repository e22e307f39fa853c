// VerifierLog: Linux's verifier log (kernel/bpf/log.c) with its user-visible semantics:
//
//  - attributes (bpf_vlog_init): a buffer and a size come together, a buffer needs a non-zero
//    level, level bits beyond BPF_LOG_LEVEL1|LEVEL2|STATS|FIXED and sizes above UINT_MAX >> 2
//    are EINVAL. (Linux before 6.4 also required size >= 128; 6.4+ accepts any size.)
//  - level 1 prints the path that failed (the trace of paths that ended safely is rolled
//    back, and all of it when the program is accepted); level 2 prints every path; level 4
//    (BPF_LOG_STATS) adds the time and stack depth lines; level 8 (BPF_LOG_FIXED) keeps the
//    beginning of a log that does not fit instead of its end (the default "rotating" mode).
//  - when the text does not fit the buffer the load fails with ENOSPC; true_size() is the
//    buffer size that would have held it (Linux's log_true_size), NUL included.
//
// The log lives in kernel memory; the bpf() layer copies contents() (plus a NUL) to the
// user's log_buf. At most `size` - 1 bytes are kept, so a huge trace never costs more than
// the user asked for.
#pragma once

#include "klib/Error.h"
#include "klib/String.h"
#include <stdarg.h>

namespace bpf::verifier {

constexpr u32 log_level1 = 1;
constexpr u32 log_level2 = 2;
constexpr u32 log_stats = 4;
constexpr u32 log_fixed = 8;
constexpr u32 log_level_mask = log_level1 | log_level2 | log_stats | log_fixed;

class VerifierLog {
public:
    VerifierLog() = default;
    // `has_buffer` is whether the user passed a log_buf; `size` its log_size.
    VerifierLog(u32 level, u32 size, bool has_buffer)
        : m_level(level)
        , m_size(size)
        , m_has_buffer(has_buffer)
    {
    }

    // Linux's bpf_verifier_log_attr_valid(): EINVAL for inconsistent attributes.
    static ErrorOr<void> validate_attributes(u32 level, bool has_buffer, u32 size);

    u32 level() const { return m_level; }
    bool enabled() const { return m_level & (log_level1 | log_level2); }
    bool level2() const { return m_level & log_level2; }
    bool stats() const { return m_level & log_stats; }

    void printf(char const* fmt, ...) __attribute__((format(printf, 2, 3)));
    void vprintf(char const* fmt, va_list args);
    void append(StringView text);

    // Logical position (bytes written since the start, minus rollbacks).
    u64 position() const { return m_end_pos; }
    // Rolls back to an earlier position (bpf_vlog_reset).
    void reset(u64 position);
    // The last character written, or 0.
    char last_char() const;

    // EINVAL-free end of logging: ENOSPC when the text did not fit the user's buffer.
    ErrorOr<void> finalize() const;
    // The text for the user's buffer (without the NUL); at most size - 1 bytes.
    StringView contents() const;
    u32 true_size() const { return static_cast<u32>(m_len_max > 0xffffffffull ? 0xffffffffull : m_len_max); }

private:
    void compact();

    u32 m_level { 0 };
    u32 m_size { 0 };
    bool m_has_buffer { false };
    u64 m_start_pos { 0 };      // logical position of m_text[0]
    u64 m_window_start { 0 };   // Linux's start_pos: the oldest byte the user buffer still holds
    u64 m_end_pos { 0 };        // logical end
    u64 m_len_max { 0 };        // max end + 1 ever reached
    StringBuilder m_text;       // bytes [m_start_pos, m_end_pos) (rotating) or the head (fixed)
};

}
