// FrameBitmap implementation (see FrameBitmap.h).
#include "mm/FrameBitmap.h"
#include "klib/Assert.h"

u64 FrameBitmap::mark_free(u64 first, u64 count)
{
    u64 changed = 0;
    for (u64 frame = first; frame < first + count && frame < m_frame_count; ++frame) {
        if (is_used(frame)) {
            set_free(frame);
            ++m_free;
            ++changed;
        }
    }
    if (first < m_hint)
        m_hint = first;
    return changed;
}

u64 FrameBitmap::mark_used(u64 first, u64 count)
{
    u64 changed = 0;
    for (u64 frame = first; frame < first + count && frame < m_frame_count; ++frame) {
        if (!is_used(frame)) {
            set_used(frame);
            --m_free;
            ++changed;
        }
    }
    return changed;
}

FrameRun FrameBitmap::allocate(u64 count)
{
    if (count == 0 || m_free < count)
        return {};
    for (int pass = 0; pass < 2; ++pass) {
        u64 start = pass == 0 ? m_hint : 0;
        u64 limit = pass == 0 ? m_frame_count : min(m_hint + count, m_frame_count);
        u64 run = 0;
        for (u64 frame = start; frame < limit; ++frame) {
            if (count == 1 && (frame % 64) == 0 && m_words[frame / 64] == ~0ULL) {
                frame += 63;
                run = 0;
                continue;
            }
            if (is_used(frame)) {
                run = 0;
                continue;
            }
            if (++run == count) {
                u64 first = frame + 1 - count;
                for (u64 f = first; f <= frame; ++f)
                    set_used(f);
                m_free -= count;
                m_hint = frame + 1;
                return { true, first };
            }
        }
    }
    return {};
}

void FrameBitmap::release(u64 first, u64 count)
{
    for (u64 frame = first; frame < first + count; ++frame) {
        VERIFY(frame < m_frame_count && is_used(frame));
        set_free(frame);
    }
    m_free += count;
    if (first < m_hint)
        m_hint = first;
}
