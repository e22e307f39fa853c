// FrameBitmap: the pure allocation logic behind the physical frame allocator — one bit per
// frame (1 = used), first-fit from a rotating hint, contiguous runs by scanning, whole used
// words skipped for single frames. No locking and no memory of its own: PhysicalMemory
// provides the words and the lock. Compiled into host tests too.
#pragma once

#include "klib/Types.h"

struct FrameRun {
    bool has_value { false };
    u64 value { 0 };
};

class FrameBitmap {
public:
    FrameBitmap() = default;
    // `words` covers frame_count bits; the caller initialises it (all ones = all used).
    FrameBitmap(u64* words, u64 frame_count)
        : m_words(words)
        , m_frame_count(frame_count)
    {
    }

    bool is_used(u64 frame) const { return m_words[frame / 64] & (1ULL << (frame % 64)); }
    // Returns how many frames changed state.
    u64 mark_free(u64 first, u64 count);
    u64 mark_used(u64 first, u64 count);
    FrameRun allocate(u64 count);
    void release(u64 first, u64 count);
    u64 free_count() const { return m_free; }
    u64 frame_count() const { return m_frame_count; }

private:
    void set_used(u64 frame) { m_words[frame / 64] |= 1ULL << (frame % 64); }
    void set_free(u64 frame) { m_words[frame / 64] &= ~(1ULL << (frame % 64)); }

    u64* m_words { nullptr };
    u64 m_frame_count { 0 };
    u64 m_free { 0 };
    u64 m_hint { 0 };
};
