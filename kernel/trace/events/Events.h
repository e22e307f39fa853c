// The static tracepoints of the kernel and their call-site functions. A call site costs a
// load and a not-taken branch while nothing listens; with the build option
// -Dtracepoints=false (TRACEPOINTS_ENABLED 0) the call sites compile to nothing.
//
// Raw tracepoint arguments follow Linux's TP_PROTO for each event, with our Thread where
// Linux passes a struct task_struct * (programs can compare such pointers, not read them).
// Fields and print formats are Linux's (see docs/tracing.md for the list).
#pragma once

#include "arch/Registers.h"
#include "trace/Tracepoint.h"

class Thread;

namespace trace {

extern Tracepoint tp_sched_switch;        // (bool preempt, prev, next, unsigned prev_state)
extern Tracepoint tp_sched_wakeup;        // (p)
extern Tracepoint tp_sched_process_fork;  // (parent, child)
extern Tracepoint tp_sched_process_exec;  // (p, pid_t old_pid, char const* filename)
extern Tracepoint tp_sched_process_exit;  // (p)
extern Tracepoint tp_task_newtask;        // (task, unsigned long clone_flags)
extern Tracepoint tp_irq_handler_entry;   // (int irq, char const* name)
extern Tracepoint tp_irq_handler_exit;    // (int irq, char const* name, int ret)
extern Tracepoint tp_hrtimer_expire_entry; // (void* timer, s64 now, void* function)
extern Tracepoint tp_signal_generate;     // (int sig, int code, Thread* target, int group, int result)

ErrorOr<void> static_events_initialize();

#if TRACEPOINTS_ENABLED
#    define TRACE_EVENT_CALL(tracepoint, ...)                         \
        do {                                                          \
            if ((tracepoint).is_active()) [[unlikely]]                \
                (tracepoint).fire_with(nullptr, __VA_ARGS__);         \
        } while (0)
#else
#    define TRACE_EVENT_CALL(tracepoint, ...) \
        do {                                  \
        } while (0)
#endif

inline void trace_sched_switch(bool preempt, Thread* prev, Thread* next, u32 prev_state) { TRACE_EVENT_CALL(tp_sched_switch, preempt, prev, next, prev_state); }
inline void trace_sched_wakeup(Thread* thread) { TRACE_EVENT_CALL(tp_sched_wakeup, thread); }
inline void trace_sched_process_fork(Thread* parent, Thread* child) { TRACE_EVENT_CALL(tp_sched_process_fork, parent, child); }
inline void trace_sched_process_exec(Thread* thread, i32 old_pid, char const* filename) { TRACE_EVENT_CALL(tp_sched_process_exec, thread, old_pid, filename); }
inline void trace_sched_process_exit(Thread* thread) { TRACE_EVENT_CALL(tp_sched_process_exit, thread); }
inline void trace_task_newtask(Thread* task, u64 clone_flags) { TRACE_EVENT_CALL(tp_task_newtask, task, clone_flags); }
inline void trace_irq_handler_entry(i32 irq, char const* name) { TRACE_EVENT_CALL(tp_irq_handler_entry, irq, name); }
inline void trace_irq_handler_exit(i32 irq, char const* name, i32 ret) { TRACE_EVENT_CALL(tp_irq_handler_exit, irq, name, ret); }
inline void trace_hrtimer_expire_entry(void* timer, i64 now, void* function) { TRACE_EVENT_CALL(tp_hrtimer_expire_entry, timer, now, function); }
inline void trace_signal_generate(i32 sig, i32 code, Thread* target, i32 group, i32 result) { TRACE_EVENT_CALL(tp_signal_generate, sig, code, target, group, result); }

}
