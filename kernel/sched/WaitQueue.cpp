// WaitQueue implementation (see WaitQueue.h). The queue's spinlock protects the waiter list;
// the thread's Blocked state, set before the condition is tested, is what makes a concurrent
// wake-up safe: Scheduler::wake turns it back to Runnable and block_current then returns
// at once.
#include "sched/WaitQueue.h"
#include "arch/Cpu.h"
#include "proc/Signals.h"
#include "sched/Scheduler.h"
#include "sched/Thread.h"

u64 WaitQueue::prepare_to_wait(Waiter& waiter)
{
    u64 irq_state = arch_irq_save();
    waiter.thread = &Thread::current();
    {
        SpinlockGuard guard(m_lock);
        waiter.next = m_head;
        m_head = &waiter;
        waiter.queued = true;
    }
    Scheduler::set_current_blocked();
    return irq_state;
}

ErrorOr<void> WaitQueue::sleep(Waiter&, u64 deadline_ns)
{
    if (current_has_pending_signal())
        return Error(ERESTARTSYS);
    if (Scheduler::block_current(deadline_ns))
        return Error(ETIMEDOUT);
    if (current_has_pending_signal())
        return Error(ERESTARTSYS);
    return {};
}

void WaitQueue::finish_wait(Waiter& waiter, u64 irq_state)
{
    {
        SpinlockGuard guard(m_lock);
        if (waiter.queued) {
            for (Waiter** link = &m_head; *link; link = &(*link)->next) {
                if (*link == &waiter) {
                    *link = waiter.next;
                    break;
                }
            }
            waiter.queued = false;
        }
    }
    Scheduler::set_current_running();
    arch_irq_restore(irq_state);
}

void WaitQueue::wake_all()
{
    SpinlockGuard guard(m_lock);
    for (Waiter* waiter = m_head; waiter; waiter = waiter->next)
        Scheduler::wake(*waiter->thread);
}

void WaitQueue::wake_one()
{
    SpinlockGuard guard(m_lock);
    if (m_head)
        Scheduler::wake(*m_head->thread);
}

bool WaitQueue::has_waiters() const
{
    SpinlockGuard guard(m_lock);
    return m_head != nullptr;
}
