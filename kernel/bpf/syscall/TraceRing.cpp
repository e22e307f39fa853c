// The trace_printk ring (see TraceRing.h): a fixed array of records used as a circular queue.
#include "bpf/syscall/TraceRing.h"
#include "arch/Cpu.h"
#include "klib/Atomic.h"
#include "klib/CString.h"
#include "klib/Format.h"
#include "klib/Spinlock.h"
#include "proc/Process.h"
#include "sched/Thread.h"
#include "time/Clock.h"

namespace bpf::kernel {

namespace {

constexpr u32 capacity = 256;

Spinlock s_lock;
TraceRecord s_records[capacity];
u32 s_head = 0;  // oldest record
u32 s_count = 0;
u64 s_dropped = 0;
u64 s_written = 0;
Atomic<bool> s_recording { true };
void (*s_notify)() = nullptr;

}

void trace_ring_append(char const* text, u32 length) { trace_ring_append_event("bpf_trace_printk", text, length); }

void trace_ring_append_event(char const* event, char const* text, u32 length)
{
    if (!s_recording.load(MemoryOrder::Relaxed))
        return;
    TraceRecord record;
    memcpy(record.event, event, strnlen(event, sizeof(record.event) - 1));
    record.timestamp_ns = clock_monotonic_ns();
    record.cpu = arch::current_cpu_id();
    Thread& thread = Thread::current();
    if (Process* process = thread.process()) {
        record.pid = process->pid();
        StringView comm = process->comm();
        memcpy(record.comm, comm.chars(), min<usize>(comm.length(), sizeof(record.comm) - 1));
    } else {
        char const* name = thread.name();
        memcpy(record.comm, name, strnlen(name, sizeof(record.comm) - 1));
    }
    record.length = static_cast<u16>(min<u32>(length, sizeof(record.text)));
    memcpy(record.text, text, record.length);
    {
        SpinlockGuard guard(s_lock);
        if (s_count == capacity) {
            s_head = (s_head + 1) % capacity;
            --s_count;
            ++s_dropped;
        }
        s_records[(s_head + s_count) % capacity] = record;
        ++s_count;
        ++s_written;
    }
    if (auto notify = s_notify)
        notify();
}

bool trace_ring_pop(TraceRecord& out)
{
    SpinlockGuard guard(s_lock);
    if (!s_count)
        return false;
    out = s_records[s_head];
    s_head = (s_head + 1) % capacity;
    --s_count;
    return true;
}

bool trace_ring_is_empty()
{
    SpinlockGuard guard(s_lock);
    return s_count == 0;
}

void trace_ring_set_recording(bool on) { s_recording.store(on, MemoryOrder::Relaxed); }
bool trace_ring_is_recording() { return s_recording.load(MemoryOrder::Relaxed); }

void trace_ring_clear()
{
    SpinlockGuard guard(s_lock);
    s_head = 0;
    s_count = 0;
}

bool trace_ring_peek(u32 index, TraceRecord& out)
{
    SpinlockGuard guard(s_lock);
    if (index >= s_count)
        return false;
    out = s_records[(s_head + index) % capacity];
    return true;
}

u64 trace_ring_written()
{
    SpinlockGuard guard(s_lock);
    return s_written;
}

u32 trace_ring_count()
{
    SpinlockGuard guard(s_lock);
    return s_count;
}

u64 trace_ring_dropped()
{
    SpinlockGuard guard(s_lock);
    return s_dropped;
}

usize format_trace_record(TraceRecord const& record, char* buffer, usize size)
{
    u32 length = record.length;
    if (length && record.text[length - 1] == '\n')
        --length; // one line per record
    u64 usec = record.timestamp_ns / 1000;
    int written = klib::format(buffer, size, "%16s-%-7d [%03u] d..3. %5lu.%06lu: %s: %.*s\n", record.comm, record.pid,
        record.cpu, static_cast<unsigned long>(usec / 1000000), static_cast<unsigned long>(usec % 1000000), record.event,
        static_cast<int>(length), record.text);
    if (written < 0 || size == 0)
        return 0;
    return min<usize>(static_cast<usize>(written), size - 1);
}

void set_trace_ring_notify(void (*notify)()) { s_notify = notify; }

}
