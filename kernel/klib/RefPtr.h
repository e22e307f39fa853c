// Intrusive reference counting: RefCounted is the base of every shared kernel object (files,
// inodes, maps, programs, links); RefPtr<T> holds one reference. The count is atomic; the
// object is deleted through its virtual destructor when the last reference goes.
#pragma once

#include "Atomic.h"
#include "Error.h"

namespace klib {

class RefCounted {
public:
    RefCounted() = default;
    RefCounted(RefCounted const&) = delete;
    RefCounted& operator=(RefCounted const&) = delete;
    virtual ~RefCounted() = default;

    void ref() const { m_ref_count.fetch_add(1, MemoryOrder::Relaxed); }
    void unref() const
    {
        u32 before = m_ref_count.fetch_sub(1, MemoryOrder::AcqRel);
        VERIFY(before > 0);
        if (before == 1)
            delete this;
    }
    u32 ref_count() const { return m_ref_count.load(MemoryOrder::Relaxed); }

private:
    mutable Atomic<u32> m_ref_count { 1 };
};

template<typename T>
class RefPtr {
public:
    RefPtr() = default;
    RefPtr(decltype(nullptr)) { }
    // Takes a new reference.
    RefPtr(T* ptr)
        : m_ptr(ptr)
    {
        if (m_ptr)
            m_ptr->ref();
    }
    RefPtr(T& object)
        : RefPtr(&object)
    {
    }
    RefPtr(RefPtr const& other)
        : RefPtr(other.m_ptr)
    {
    }
    RefPtr(RefPtr&& other)
        : m_ptr(other.leak_ref())
    {
    }
    template<typename U>
    requires std::is_convertible_v<U*, T*>
    RefPtr(RefPtr<U> const& other)
        : RefPtr(other.ptr())
    {
    }
    template<typename U>
    requires std::is_convertible_v<U*, T*>
    RefPtr(RefPtr<U>&& other)
        : m_ptr(other.leak_ref())
    {
    }
    RefPtr& operator=(RefPtr const& other)
    {
        RefPtr copy(other);
        swap(m_ptr, copy.m_ptr);
        return *this;
    }
    RefPtr& operator=(RefPtr&& other)
    {
        RefPtr moved(move(other));
        swap(m_ptr, moved.m_ptr);
        return *this;
    }
    ~RefPtr() { clear(); }

    // Adopts an existing reference (the one `new` created) without adding another.
    static RefPtr adopt(T* ptr)
    {
        RefPtr result;
        result.m_ptr = ptr;
        return result;
    }
    T* leak_ref() { return exchange(m_ptr, nullptr); }
    void clear()
    {
        if (T* old = exchange(m_ptr, nullptr))
            old->unref();
    }
    T* ptr() const { return m_ptr; }
    T* operator->() const
    {
        VERIFY(m_ptr);
        return m_ptr;
    }
    T& operator*() const
    {
        VERIFY(m_ptr);
        return *m_ptr;
    }
    explicit operator bool() const { return m_ptr != nullptr; }
    bool operator==(RefPtr const& other) const { return m_ptr == other.m_ptr; }
    bool operator==(T const* other) const { return m_ptr == other; }

private:
    T* m_ptr { nullptr };
};

template<typename T, typename... Args>
ErrorOr<RefPtr<T>> try_make_ref_counted(Args&&... args)
{
    T* object = new (std::nothrow) T(forward<Args>(args)...);
    if (!object)
        return Error(ENOMEM);
    return RefPtr<T>::adopt(object);
}

// For objects whose construction can fail: T::try_create builds with `new (std::nothrow)`
// and calls this to take the initial reference or report ENOMEM.
template<typename T>
ErrorOr<RefPtr<T>> adopt_ref_or_enomem(T* object)
{
    if (!object)
        return Error(ENOMEM);
    return RefPtr<T>::adopt(object);
}

}

using klib::adopt_ref_or_enomem;
using klib::RefCounted;
using klib::RefPtr;
using klib::try_make_ref_counted;
