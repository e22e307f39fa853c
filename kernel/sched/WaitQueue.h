// WaitQueue: threads sleep here until a condition becomes true. Wakers call wake_all()
// (safe from interrupt context). wait_until() follows the classic pattern — enqueue and mark
// the thread blocked with interrupts masked, test the condition, then switch away — so a
// wake-up between the test and the switch is never lost.
//
// Sleeps are interruptible: a pending, unblocked signal ends the wait with ERESTARTSYS, which
// the syscall return path turns into a restart of the syscall (no handler runs, or the handler
// has SA_RESTART) or into EINTR, like Linux. Calls that must never restart return EINTR
// themselves. A deadline (CLOCK_MONOTONIC nanoseconds, 0 = none) ends a wait with ETIMEDOUT.
#pragma once

#include "klib/Error.h"
#include "klib/Spinlock.h"

class Thread;

class WaitQueue {
public:
    struct Waiter {
        Thread* thread { nullptr };
        Waiter* next { nullptr };
        bool queued { false };
    };

    WaitQueue() = default;
    WaitQueue(WaitQueue const&) = delete;

    template<typename Condition>
    ErrorOr<void> wait_until(Condition condition, u64 deadline_ns = 0)
    {
        for (;;) {
            Waiter waiter;
            u64 irq_state = prepare_to_wait(waiter);
            if (condition()) {
                finish_wait(waiter, irq_state);
                return {};
            }
            auto sleep_result = sleep(waiter, deadline_ns);
            finish_wait(waiter, irq_state);
            if (sleep_result.is_error()) {
                // The condition may have become true at the same time; it wins.
                if (condition())
                    return {};
                return sleep_result;
            }
        }
    }

    void wake_all();
    void wake_one();
    bool has_waiters() const;

private:
    u64 prepare_to_wait(Waiter&);
    ErrorOr<void> sleep(Waiter&, u64 deadline_ns);
    void finish_wait(Waiter&, u64 irq_state);

    mutable Spinlock m_lock;
    Waiter* m_head { nullptr };
};
