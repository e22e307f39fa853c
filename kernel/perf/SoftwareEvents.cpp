// The global list of perf events and what walks it: the scheduler hook that starts and
// stops task events (Linux's perf_event_task_sched_in/out), the timer tick that advances and
// samples the software clocks (1000 Hz: samples come at tick granularity, at most one per
// event per tick), the detaching of an unmapped ring, and the tracepoint program query.
//
// Locking: s_events_lock guards the list; each event's lock is taken inside it. The counts
// let the scheduler and the tick return at once when no event needs them.
#include "arch/Cpu.h"
#include "arch/Registers.h"
#include "perf/PerfEvent.h"
#include "sched/Thread.h"
#include "time/Clock.h"

namespace perf {

namespace {

constinit Spinlock s_events_lock;
PerfEvent* s_events_head { nullptr };
Atomic<u32> s_task_events { 0 };
Atomic<u32> s_clock_events { 0 };

}

void register_event(PerfEvent& event)
{
    SpinlockGuard guard(s_events_lock);
    event.m_next_event = s_events_head;
    event.m_previous_event = nullptr;
    if (s_events_head)
        s_events_head->m_previous_event = &event;
    s_events_head = &event;
    if (event.task())
        s_task_events.fetch_add(1, MemoryOrder::Relaxed);
    if (event.is_clock())
        s_clock_events.fetch_add(1, MemoryOrder::Relaxed);
}

void unregister_event(PerfEvent& event)
{
    SpinlockGuard guard(s_events_lock);
    if (event.m_previous_event)
        event.m_previous_event->m_next_event = event.m_next_event;
    else if (s_events_head == &event)
        s_events_head = event.m_next_event;
    else
        return; // never registered
    if (event.m_next_event)
        event.m_next_event->m_previous_event = event.m_previous_event;
    event.m_next_event = event.m_previous_event = nullptr;
    if (event.task())
        s_task_events.fetch_sub(1, MemoryOrder::Relaxed);
    if (event.is_clock())
        s_clock_events.fetch_sub(1, MemoryOrder::Relaxed);
}

void detach_ring_everywhere(RingBuffer& ring)
{
    // The caller holds a reference, so dropping the events' references here frees nothing.
    SpinlockGuard guard(s_events_lock);
    for (auto* event = s_events_head; event; event = event->m_next_event) {
        SpinlockGuard event_guard(event->m_lock);
        if (event->m_ring.ptr() == &ring) {
            event->m_ring = nullptr;
            event->m_ring_redirected = false;
        }
    }
}

ErrorOr<void> attach_tracepoint_program(PerfEvent& target, bpf::kernel::ProgramObject& program, u64 cookie)
{
    constexpr u32 bpf_trace_max_programs = 64;
    SpinlockGuard guard(s_events_lock);
    {
        SpinlockGuard event_guard(target.m_lock);
        if (target.m_program)
            return Error(EEXIST);
    }
    u32 count = 0;
    bool duplicate = false;
    for (auto* event = s_events_head; event; event = event->m_next_event) {
        if (event->tracepoint() != target.tracepoint())
            continue;
        SpinlockGuard event_guard(event->m_lock);
        if (event->m_program) {
            ++count;
            duplicate |= event->m_program == &program;
        }
    }
    if (count >= bpf_trace_max_programs)
        return Error(E2BIG);
    if (duplicate)
        return Error(EEXIST); // bpf_prog_array_copy(): the tracepoint runs it already
    SpinlockGuard event_guard(target.m_lock);
    target.m_program = &program;
    target.m_program_cookie = cookie;
    return {};
}

u32 tracepoint_program_ids(trace::Tracepoint& tracepoint, u32* ids, u32 max)
{
    u32 count = 0;
    SpinlockGuard guard(s_events_lock);
    for (auto* event = s_events_head; event && count < max; event = event->m_next_event) {
        if (event->tracepoint() != &tracepoint)
            continue;
        SpinlockGuard event_guard(event->m_lock);
        if (event->m_program)
            ids[count++] = event->m_program->id();
    }
    return count;
}

}

// Called by the scheduler just before switching from `previous` to `next`, interrupts masked.
void perf_task_switch(Thread& previous, Thread& next)
{
    using namespace perf;
    if (!s_task_events.load(MemoryOrder::Relaxed))
        return;
    Process* out = previous.is_idle() ? nullptr : previous.process();
    Process* in = next.is_idle() ? nullptr : next.process();
    if (out == in)
        return;
    u64 now = clock_monotonic_ns();
    SpinlockGuard guard(s_events_lock);
    for (auto* event = s_events_head; event; event = event->m_next_event) {
        Process* task = event->task();
        if (!task)
            continue;
        if (task == out)
            event->task_scheduled(false, now);
        else if (task == in)
            event->task_scheduled(true, now);
    }
}

// Called from the timer interrupt with the interrupted registers.
void perf_timer_tick(Registers const& regs)
{
    using namespace perf;
    if (!s_clock_events.load(MemoryOrder::Relaxed))
        return;
    u64 now = clock_monotonic_ns();
    u32 cpu = arch::current_cpu_id();
    SpinlockGuard guard(s_events_lock);
    for (auto* event = s_events_head; event; event = event->m_next_event)
        if (event->is_clock())
            event->clock_tick(regs, now, cpu);
}
