// Round-robin scheduler (see Scheduler.h). Invariants: the run queue holds Runnable threads
// only; the running thread is in no queue; the idle thread is never queued and runs only
// when the queue is empty; a Dead thread is freed by whichever thread runs next, after the
// switch, because its stack was in use until then.
#include "sched/Scheduler.h"
#include "lib/LinuxFunctions.h"
#include "trace/events/Events.h"
#include "arch/Cpu.h"
#include "arch/Paging.h"
#include "arch/Traps.h"
#include "console/Console.h"
#include "klib/Spinlock.h"
#include "mm/AddressSpace.h"
#include "proc/Process.h"
#include "sched/PerCpu.h"
#include "sched/Thread.h"
#include "time/Clock.h"

// perf task events start and stop with their task (kernel/perf), when in the image.
__attribute__((weak)) void perf_task_switch(Thread& previous, Thread& next);

namespace {

constexpr u64 time_slice_ticks = 10;

Spinlock scheduler_lock;
Thread* run_queue_head;
Thread* run_queue_tail;
u32 run_queue_length;
Thread* sleepers;       // blocked threads with a deadline
Thread* dead_threads;   // waiting to be freed
u64 slice_remaining = time_slice_ticks;

void enqueue(Thread& thread)
{
    thread.m_run_next = nullptr;
    if (run_queue_tail)
        run_queue_tail->m_run_next = &thread;
    else
        run_queue_head = &thread;
    run_queue_tail = &thread;
    ++run_queue_length;
}

Thread* dequeue()
{
    Thread* thread = run_queue_head;
    if (!thread)
        return nullptr;
    run_queue_head = thread->m_run_next;
    if (!run_queue_head)
        run_queue_tail = nullptr;
    thread->m_run_next = nullptr;
    --run_queue_length;
    return thread;
}

void remove_from_run_queue(Thread& thread)
{
    Thread* previous = nullptr;
    for (Thread* t = run_queue_head; t; previous = t, t = t->m_run_next) {
        if (t != &thread)
            continue;
        if (previous)
            previous->m_run_next = t->m_run_next;
        else
            run_queue_head = t->m_run_next;
        if (run_queue_tail == t)
            run_queue_tail = previous;
        t->m_run_next = nullptr;
        --run_queue_length;
        return;
    }
}

void remove_sleeper(Thread& thread)
{
    for (Thread** link = &sleepers; *link; link = &(*link)->m_sleep_next) {
        if (*link == &thread) {
            *link = thread.m_sleep_next;
            thread.m_sleep_next = nullptr;
            return;
        }
    }
}

void reap_dead_threads()
{
    Thread* list;
    {
        SpinlockGuard guard(scheduler_lock);
        list = exchange(dead_threads, nullptr);
    }
    while (list) {
        Thread* next = list->m_run_next;
        release_dead_thread(list);
        list = next;
    }
}

void switch_to(Thread& previous, Thread& next)
{
    PerCpu& cpu = this_cpu();
    cpu.current_thread = &next;
    // An exiting process drops its address space before its thread dies; until then the
    // thread runs on the kernel tables.
    AddressSpace* space = next.process() ? next.process()->address_space_or_null() : nullptr;
    if (space)
        space->activate();
    else
        arch::activate_page_table(arch::kernel_page_table());
    arch_switch_thread_state(previous.arch_state(), next.arch_state(), next.m_kernel_stack_top);
    arch_switch_context(&previous.m_saved_rsp, next.m_saved_rsp);
}

}

void release_dead_thread(Thread* thread) { delete thread; }

extern "C" void scheduler_finish_switch_for_new_thread()
{
    reap_dead_threads();
    arch::enable_interrupts();
}

void Scheduler::initialize()
{
    Thread* idle = Thread::adopt_boot_context();
    PerCpu& cpu = this_cpu();
    cpu.current_thread = idle;
    cpu.idle_thread = idle;
}

void Scheduler::make_runnable(Thread& thread)
{
    SpinlockGuard guard(scheduler_lock);
    thread.m_state = ThreadState::Runnable;
    enqueue(thread);
}

__attribute__((noinline)) void Scheduler::schedule()
{
    VERIFY(!arch::interrupts_enabled());
    PerCpu& cpu = this_cpu();
    Thread& previous = *cpu.current_thread;
    Thread* next;
    {
        SpinlockGuard guard(scheduler_lock);
        cpu.need_resched = false;
        if (previous.m_state == ThreadState::Running && !previous.is_idle()) {
            previous.m_state = ThreadState::Runnable;
            enqueue(previous);
        }
        next = dequeue();
        if (!next)
            next = cpu.idle_thread;
        next->m_state = ThreadState::Running;
        slice_remaining = time_slice_ticks;
    }
    if (next == &previous)
        return;
    // prev_state: 0 (TASK_RUNNING) when preempted, TASK_INTERRUPTIBLE (1) when blocking,
    // EXIT_DEAD (16) when exiting.
    bool preempted = previous.m_state == ThreadState::Runnable;
    u32 prev_state = preempted ? 0 : previous.m_state == ThreadState::Dead ? 16 : 1;
    trace::trace_sched_switch(preempted, &previous, next, prev_state);
    if (perf_task_switch)
        perf_task_switch(previous, *next);
    switch_to(previous, *next);
    reap_dead_threads();
}

void Scheduler::yield()
{
    u64 state = arch_irq_save();
    schedule();
    arch_irq_restore(state);
}

bool Scheduler::block_current(u64 deadline_ns)
{
    VERIFY(!arch::interrupts_enabled());
    Thread& current = Thread::current();
    {
        SpinlockGuard guard(scheduler_lock);
        if (current.m_state != ThreadState::Blocked) {
            // Woken between preparing and sleeping: it is queued, but it is running.
            remove_from_run_queue(current);
            current.m_state = ThreadState::Running;
            return false;
        }
        current.m_timed_out = false;
        current.m_wake_deadline_ns = deadline_ns;
        if (deadline_ns) {
            current.m_sleep_next = sleepers;
            sleepers = &current;
        }
    }
    schedule();
    SpinlockGuard guard(scheduler_lock);
    if (deadline_ns)
        remove_sleeper(current);
    return current.m_timed_out;
}

__attribute__((noinline)) int Scheduler::wake(Thread& thread)
{
    {
        SpinlockGuard guard(scheduler_lock);
        if (thread.m_state != ThreadState::Blocked)
            return 0;
        thread.m_state = ThreadState::Runnable;
        if (thread.m_wake_deadline_ns)
            remove_sleeper(thread);
        enqueue(thread);
        this_cpu().need_resched = true;
    }
    // Outside the lock: a program on the event may wake other threads.
    trace::trace_sched_wakeup(&thread);
    return 1;
}

void Scheduler::set_current_blocked()
{
    SpinlockGuard guard(scheduler_lock);
    Thread::current().m_state = ThreadState::Blocked;
}
// Linux's names for the two (lib/LinuxFunctions.h): aliases at the same addresses, so a probe
// on schedule or wake_up_process fires on every call. Static members have no `this`: the
// Thread& of wake() is wake_up_process's task pointer in rdi.
extern "C" void schedule() __attribute__((alias("_ZN9Scheduler8scheduleEv")));
extern "C" int wake_up_process(Thread* task) __attribute__((alias("_ZN9Scheduler4wakeER6Thread")));


void Scheduler::set_current_running()
{
    SpinlockGuard guard(scheduler_lock);
    Thread& current = Thread::current();
    if (current.m_state == ThreadState::Runnable)
        remove_from_run_queue(current);
    current.m_state = ThreadState::Running;
}

void Scheduler::exit_current_thread()
{
    arch::disable_interrupts();
    Thread& current = Thread::current();
    {
        SpinlockGuard guard(scheduler_lock);
        current.m_state = ThreadState::Dead;
        current.m_run_next = dead_threads;
        dead_threads = &current;
    }
    schedule();
    VERIFY_NOT_REACHED();
}

u32 Scheduler::runnable_count()
{
    SpinlockGuard guard(scheduler_lock);
    return run_queue_length;
}

void Scheduler::idle_loop()
{
    for (;;) {
        arch::disable_interrupts();
        if (run_queue_head)
            schedule();
        arch::wait_for_interrupt();
    }
}

void scheduler_timer_tick()
{
    PerCpu& cpu = this_cpu();
    ++cpu.ticks;
    u64 now = clock_monotonic_ns();
    // The periodic tick plays Linux's tick_sched_timer hrtimer.
    trace::trace_hrtimer_expire_entry(&cpu.ticks, static_cast<i64>(now), reinterpret_cast<void*>(&scheduler_timer_tick));
    SpinlockGuard guard(scheduler_lock);
    for (Thread** link = &sleepers; *link;) {
        Thread* thread = *link;
        if (thread->m_wake_deadline_ns && thread->m_wake_deadline_ns <= now && thread->m_state == ThreadState::Blocked) {
            *link = thread->m_sleep_next;
            thread->m_sleep_next = nullptr;
            thread->m_timed_out = true;
            thread->m_state = ThreadState::Runnable;
            enqueue(*thread);
            cpu.need_resched = true;
            continue;
        }
        link = &thread->m_sleep_next;
    }
    Thread* current = cpu.current_thread;
    if (current->is_idle()) {
        if (run_queue_head)
            cpu.need_resched = true;
        return;
    }
    current->cpu_time_ns += NS_PER_SEC / TICK_HZ;
    if (--slice_remaining == 0 && run_queue_head)
        cpu.need_resched = true;
}

void handle_timer_tick_exit(Registers& regs)
{
    PerCpu& cpu = this_cpu();
    Thread* current = cpu.current_thread;
    if (Process* process = current->process())
        process->account_tick(regs.from_user());
    // Preempt if the interrupted context could take it: user mode, or kernel code running
    // with interrupts enabled (it holds no spinlock). Returning to user mode reschedules in
    // prepare_return_to_user anyway.
    if (cpu.need_resched && cpu.irq_nesting == 0 && (regs.rflags & (1 << 9)) && !regs.from_user())
        Scheduler::schedule();
}
