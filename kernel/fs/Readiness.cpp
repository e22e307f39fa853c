// Readiness: the global poll generation and wait queue (see Readiness.h).
#include "fs/Readiness.h"
#include "klib/Atomic.h"
#include "sched/WaitQueue.h"

namespace {
constinit Atomic<u64> generation { 1 };
constinit WaitQueue poll_queue;
}

u64 poll_generation() { return generation.load(); }

void poll_notify_all()
{
    generation.fetch_add(1);
    poll_queue.wake_all();
}

ErrorOr<void> poll_wait_for_change(u64 seen, u64 deadline_ns)
{
    return poll_queue.wait_until([seen] { return generation.load() != seen; }, deadline_ns);
}
