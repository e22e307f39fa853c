// ElementPool: fixed-size element storage for maps whose elements come and go (hash tables,
// LPM trie nodes). Preallocated pools carve all elements from one allocation made at map
// creation; lazy pools (BPF_F_NO_PREALLOC) grow in chunks from the general heap on demand,
// which is the only heap use on a program path (the role Linux's bpf_mem_alloc plays), and
// keep freed elements for reuse. Memory is returned to the heap only when the map dies, so
// a pointer to an element stays dereferenceable for the map's lifetime.
//
// Locking: an internal spinlock (interrupts masked) guards the free list and chunk list.
#pragma once

#include "klib/CString.h"
#include "klib/Error.h"
#include "klib/Spinlock.h"
#include "klib/Types.h"
#include <new>

namespace bpf {

class ElementPool {
public:
    ElementPool() = default;
    ElementPool(ElementPool const&) = delete;
    ~ElementPool()
    {
        while (m_chunks) {
            Chunk* next = m_chunks->next;
            delete[] reinterpret_cast<u8*>(m_chunks);
            m_chunks = next;
        }
    }

    // element_size must be a multiple of 8 and at least 8 (the free-list link lives at 0).
    ErrorOr<void> init(u32 element_size, u64 preallocated, bool lazy)
    {
        m_element_size = element_size;
        m_lazy = lazy;
        if (preallocated)
            TRY(add_chunk(preallocated));
        return {};
    }

    // nullptr when no element is free and (lazy pools) the heap refuses.
    u8* allocate()
    {
        {
            SpinlockGuard guard(m_lock);
            if (u8* element = pop_locked())
                return element;
            if (!m_lazy)
                return nullptr;
        }
        if (add_chunk(lazy_chunk_elements).is_error())
            return nullptr;
        SpinlockGuard guard(m_lock);
        return pop_locked();
    }

    void free(u8* element)
    {
        SpinlockGuard guard(m_lock);
        *reinterpret_cast<u8**>(element) = m_free;
        m_free = element;
    }

    // First element of the first (preallocated) chunk; used to populate LRU lists.
    u8* first_chunk_elements() const { return m_chunks ? reinterpret_cast<u8*>(m_chunks) + chunk_header : nullptr; }

private:
    static constexpr u64 chunk_header = 16;
    static constexpr u64 lazy_chunk_elements = 32;
    struct Chunk {
        Chunk* next;
        u64 count;
    };

    u8* pop_locked()
    {
        u8* element = m_free;
        if (element)
            m_free = *reinterpret_cast<u8**>(element);
        return element;
    }

    ErrorOr<void> add_chunk(u64 count)
    {
        u64 bytes;
        if (!klib::checked_mul<u64>(count, m_element_size, bytes) || bytes > (1ull << 46))
            return Error(ENOMEM);
        auto* raw = new (std::nothrow) u8[bytes + chunk_header];
        if (!raw)
            return Error(ENOMEM);
        memset(raw, 0, bytes + chunk_header);
        auto* chunk = reinterpret_cast<Chunk*>(raw);
        chunk->count = count;
        SpinlockGuard guard(m_lock);
        // Keep the first chunk first (LRU population reads it); push later ones behind it.
        if (!m_chunks) {
            chunk->next = nullptr;
            m_chunks = chunk;
        } else {
            chunk->next = m_chunks->next;
            m_chunks->next = chunk;
        }
        u8* elements = raw + chunk_header;
        for (u64 i = count; i > 0; --i) {
            u8* element = elements + (i - 1) * m_element_size;
            *reinterpret_cast<u8**>(element) = m_free;
            m_free = element;
        }
        return {};
    }

    Spinlock m_lock;
    u8* m_free { nullptr };
    Chunk* m_chunks { nullptr };
    u32 m_element_size { 0 };
    bool m_lazy { false };
};

}
