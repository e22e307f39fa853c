// OwnPtr<T>: single owner of a heap object. try_make<T>(...) allocates with nothrow new and
// reports ENOMEM instead of failing hard.
#pragma once

#include "Error.h"

namespace klib {

template<typename T>
class OwnPtr {
public:
    OwnPtr() = default;
    OwnPtr(decltype(nullptr)) { }
    explicit OwnPtr(T* ptr)
        : m_ptr(ptr)
    {
    }
    template<typename U>
    requires std::is_convertible_v<U*, T*>
    OwnPtr(OwnPtr<U>&& other)
        : m_ptr(other.leak())
    {
    }
    OwnPtr(OwnPtr&& other)
        : m_ptr(other.leak())
    {
    }
    OwnPtr& operator=(OwnPtr&& other)
    {
        if (this != &other)
            reset(other.leak());
        return *this;
    }
    OwnPtr(OwnPtr const&) = delete;
    OwnPtr& operator=(OwnPtr const&) = delete;
    ~OwnPtr() { reset(); }

    void reset(T* ptr = nullptr)
    {
        T* old = exchange(m_ptr, ptr);
        delete old;
    }
    T* leak() { return exchange(m_ptr, nullptr); }
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

private:
    T* m_ptr { nullptr };
};

template<typename T, typename... Args>
ErrorOr<OwnPtr<T>> try_make(Args&&... args)
{
    T* object = new (std::nothrow) T(forward<Args>(args)...);
    if (!object)
        return Error(ENOMEM);
    return OwnPtr<T>(object);
}

}

using klib::OwnPtr;
using klib::try_make;
