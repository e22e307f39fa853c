// Spinlock: a test-and-set lock that also masks local interrupts while held, so code that
// runs in interrupt or probe context may take it. Kernel builds mask interrupts through
// the architecture hooks below; host builds (tests) only spin. Never sleep while holding
// one. SpinlockGuard is the RAII form; prefer it.
#pragma once

#include "Atomic.h"

#ifndef KLIB_HOSTED
// Provided by kernel/arch/<arch>: returns the previous interrupt state and masks interrupts.
extern "C" u64 arch_irq_save();
extern "C" void arch_irq_restore(u64 state);
extern "C" void arch_cpu_relax();
#endif

namespace klib {

class Spinlock {
public:
    constexpr Spinlock() = default;
    Spinlock(Spinlock const&) = delete;

    u64 lock()
    {
#ifndef KLIB_HOSTED
        u64 state = arch_irq_save();
#else
        u64 state = 0;
#endif
        while (m_locked.exchange(1, MemoryOrder::Acquire)) {
            while (m_locked.load(MemoryOrder::Relaxed)) {
#ifndef KLIB_HOSTED
                arch_cpu_relax();
#endif
            }
        }
        return state;
    }
    void unlock(u64 state)
    {
        m_locked.store(0, MemoryOrder::Release);
#ifndef KLIB_HOSTED
        arch_irq_restore(state);
#else
        (void)state;
#endif
    }
    bool is_locked() const { return m_locked.load(MemoryOrder::Relaxed) != 0; }

private:
    Atomic<u32> m_locked { 0 };
};

class SpinlockGuard {
public:
    explicit SpinlockGuard(Spinlock& lock)
        : m_lock(lock)
        , m_state(lock.lock())
    {
    }
    ~SpinlockGuard() { m_lock.unlock(m_state); }
    SpinlockGuard(SpinlockGuard const&) = delete;

private:
    Spinlock& m_lock;
    u64 m_state;
};

}

using klib::Spinlock;
using klib::SpinlockGuard;
