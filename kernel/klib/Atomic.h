// Atomic<T>: a thin wrapper over the compiler's __atomic builtins (sequentially consistent
// unless an order is given). Used for reference counts, ids and lock words.
#pragma once

#include "Types.h"

namespace klib {

enum class MemoryOrder : int {
    Relaxed = __ATOMIC_RELAXED,
    Acquire = __ATOMIC_ACQUIRE,
    Release = __ATOMIC_RELEASE,
    AcqRel = __ATOMIC_ACQ_REL,
    SeqCst = __ATOMIC_SEQ_CST,
};

template<typename T>
class Atomic {
public:
    constexpr Atomic() = default;
    constexpr Atomic(T value)
        : m_value(value)
    {
    }
    Atomic(Atomic const&) = delete;
    Atomic& operator=(Atomic const&) = delete;

    T load(MemoryOrder order = MemoryOrder::SeqCst) const { return __atomic_load_n(&m_value, static_cast<int>(order)); }
    void store(T value, MemoryOrder order = MemoryOrder::SeqCst) { __atomic_store_n(&m_value, value, static_cast<int>(order)); }
    T exchange(T value, MemoryOrder order = MemoryOrder::SeqCst) { return __atomic_exchange_n(&m_value, value, static_cast<int>(order)); }
    T fetch_add(T delta, MemoryOrder order = MemoryOrder::SeqCst) { return __atomic_fetch_add(&m_value, delta, static_cast<int>(order)); }
    T fetch_sub(T delta, MemoryOrder order = MemoryOrder::SeqCst) { return __atomic_fetch_sub(&m_value, delta, static_cast<int>(order)); }
    T fetch_or(T bits, MemoryOrder order = MemoryOrder::SeqCst) { return __atomic_fetch_or(&m_value, bits, static_cast<int>(order)); }
    T fetch_and(T bits, MemoryOrder order = MemoryOrder::SeqCst) { return __atomic_fetch_and(&m_value, bits, static_cast<int>(order)); }
    bool compare_exchange(T& expected, T desired, MemoryOrder order = MemoryOrder::SeqCst)
    {
        return __atomic_compare_exchange_n(&m_value, &expected, desired, false, static_cast<int>(order), __ATOMIC_RELAXED);
    }
    T* raw() { return &m_value; }

private:
    T m_value {};
};

}

using klib::Atomic;
using klib::MemoryOrder;
