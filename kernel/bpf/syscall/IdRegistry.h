// IdRegistry<T>: Linux's IDR for one kind of BPF object (maps, programs, links, BTF). Ids
// are allocated cyclically in [1, INT_MAX) like idr_alloc_cyclic: the next id is the first
// free one at or after the last id handed out plus one, wrapping to 1; 0 is never used.
// Entries point at live objects without owning them: an object registers itself once it is
// complete and removes its id in its destructor. Lookups take a new reference with
// try_ref(), so an object whose count already dropped to zero is "not found".
//
// Locking: one spinlock per registry (interrupts masked); entries are kept sorted by id, so
// "next id after" is a binary search. Nothing here sleeps or touches user memory.
#pragma once

#include "bpf/syscall/BpfObject.h"
#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/Spinlock.h"
#include "klib/Vector.h"

namespace bpf::kernel {

template<typename T>
class IdRegistry {
public:
    static constexpr u32 max_id = 0x7fffffff; // INT_MAX (exclusive)

    // ENOSPC when every id is taken; ENOMEM when the table cannot grow.
    ErrorOr<u32> allocate(T* object)
    {
        SpinlockGuard guard(m_lock);
        TRY(m_entries.try_ensure_capacity(m_entries.size() + 1));
        u32 id = find_free(m_next);
        if (id == 0)
            id = find_free(1);
        if (id == 0)
            return Error(ENOSPC);
        usize index = lower_bound(id);
        MUST(m_entries.try_insert(index, Entry { id, object }));
        m_next = id + 1 >= max_id ? 1 : id + 1;
        return id;
    }

    void release(u32 id)
    {
        if (id == 0)
            return;
        SpinlockGuard guard(m_lock);
        usize index = lower_bound(id);
        if (index < m_entries.size() && m_entries[index].id == id)
            m_entries.remove(index);
    }

    // A new reference to the object with `id`, or ENOENT.
    ErrorOr<RefPtr<T>> find(u32 id)
    {
        SpinlockGuard guard(m_lock);
        usize index = lower_bound(id);
        if (id == 0 || index >= m_entries.size() || m_entries[index].id != id || !m_entries[index].object->try_ref())
            return Error(ENOENT);
        return RefPtr<T>::adopt(m_entries[index].object);
    }

    // The smallest registered id greater than `start` (bpf_obj_get_next_id), or ENOENT.
    ErrorOr<u32> next_id(u32 start)
    {
        SpinlockGuard guard(m_lock);
        usize index = lower_bound(start + 1);
        if (index >= m_entries.size())
            return Error(ENOENT);
        return m_entries[index].id;
    }

    // Calls callback(T&) for every live object (new references held during the call).
    template<typename Callback>
    void for_each(Callback callback)
    {
        Vector<RefPtr<T>> live;
        {
            SpinlockGuard guard(m_lock);
            for (auto& entry : m_entries) {
                if (live.try_append(RefPtr<T>()).is_error())
                    break;
                if (entry.object->try_ref())
                    live.last() = RefPtr<T>::adopt(entry.object);
            }
        }
        for (auto& object : live)
            if (object)
                callback(*object);
    }

private:
    struct Entry {
        u32 id;
        T* object;
    };

    usize lower_bound(u32 id) const
    {
        usize low = 0, high = m_entries.size();
        while (low < high) {
            usize middle = (low + high) / 2;
            if (m_entries[middle].id < id)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
    }

    // The first id >= start (below max_id) that is not in use, or 0.
    u32 find_free(u32 start) const
    {
        u32 candidate = start;
        for (usize index = lower_bound(start); index < m_entries.size() && candidate < max_id; ++index) {
            if (m_entries[index].id != candidate)
                break;
            ++candidate;
        }
        return candidate < max_id ? candidate : 0;
    }

    Spinlock m_lock;
    Vector<Entry> m_entries;
    u32 m_next { 1 };
};

}
