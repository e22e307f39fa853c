// The scheduler: one round-robin run queue per CPU (one CPU today), 10 ms time slices from
// the timer tick, preemption on the way out of the timer interrupt when the interrupted code
// had interrupts enabled (so it held no spinlock). schedule() must be called with interrupts
// masked; it returns, masked, when the calling thread runs again.
#pragma once

#include "klib/Types.h"

class Thread;

class Scheduler {
public:
    static void initialize();
    static void make_runnable(Thread&);
    static void schedule();
    static void yield();
    // Marks the current thread blocked with an optional deadline and switches away. Returns
    // true if the deadline passed before a wake-up.
    static bool block_current(u64 deadline_ns);
    // Returns 1 if the thread was woken, 0 if it was not sleeping.
    static int wake(Thread&);
    // The two halves around a wait: mark the current thread Blocked before testing the wait
    // condition, and Running again afterwards (undoing a wake-up that raced with the test).
    static void set_current_blocked();
    static void set_current_running();
    [[noreturn]] static void exit_current_thread();
    static u32 runnable_count();
    static void idle_loop();
};

void scheduler_timer_tick();
