// BpfObject: the reference-counted base of the kernel's BPF objects (maps, programs, links,
// BTF). Like klib's RefCounted, but with try_ref() — Linux's "inc_not_zero" — so the id
// registries can hand out new references to objects they only point at: a lookup that
// races with the last unref sees a zero count and treats the object as gone.
//
// RefPtr<T> works with it unchanged (it only calls ref()/unref()). The count is atomic; the
// object is deleted through its virtual destructor when the last reference goes.
#pragma once

#include "klib/Atomic.h"
#include "klib/Types.h"

namespace bpf::kernel {

class BpfObject {
public:
    BpfObject() = default;
    BpfObject(BpfObject const&) = delete;
    BpfObject& operator=(BpfObject const&) = delete;
    virtual ~BpfObject() = default;

    void ref() const { m_refs.fetch_add(1, MemoryOrder::Relaxed); }
    void unref() const
    {
        if (m_refs.fetch_sub(1, MemoryOrder::AcqRel) == 1)
            delete this;
    }
    // Takes a reference unless the count already reached zero.
    bool try_ref() const
    {
        u64 count = m_refs.load(MemoryOrder::Relaxed);
        while (count != 0) {
            if (m_refs.compare_exchange(count, count + 1))
                return true;
        }
        return false;
    }
    u64 ref_count() const { return m_refs.load(MemoryOrder::Relaxed); }

private:
    mutable Atomic<u64> m_refs { 1 };
};

}
