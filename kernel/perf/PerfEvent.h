// PerfEvent: one perf event (Linux's struct perf_event) and the file its fd names
// ("anon_inode:[perf_event]"). Kinds: the software clocks (CPU_CLOCK, TASK_CLOCK), the
// BPF output event, the dummy event, and tracepoint events (static tracepoints and the probe
// events of dynamic PMUs). Every event is the only member of its group.
//
// Scope: bound to a task (counts only while that process runs) or to a CPU (counts whatever
// runs there). State: enabled or not; for task events also whether the task is on a CPU now
// (the scheduler hook, SoftwareEvents.cpp). time_enabled/time_running advance while the
// event is enabled and scheduled (no multiplexing here, so they are equal); the clocks'
// count advances with them, in ns. Sampling (sample_period, or freq turned into a period as
// Linux does for the clocks) is driven by the timer tick for the clocks and by each hit for
// tracepoints; an overflow runs the attached PERF_EVENT program (a 0 return drops the
// sample) and then writes a PERF_RECORD_SAMPLE into the ring.
//
// Lifetime: referenced by its fds, by mmaps of its ring (through their descriptions), by
// PERF_EVENT_ARRAY slots (PerfEventSourceHandle) and by perf links. The destructor leaves
// the global event list, stops listening to its tracepoint, and drops its program and ring.
//
// Locking: m_lock (a Spinlock: interrupts masked) guards the counting state, the ring
// pointer and ring writes. Programs run without it: the program pointer is published under
// m_lock and m_program_users counts runs in flight, which detach_program() waits out. Lock
// order: the global event list lock (events_lock) before m_lock; a RingBuffer's lock after.
#pragma once

#include "bpf/syscall/ProgramObject.h"
#include "bpf/syscall/TraceContext.h"
#include "fs/AnonInode.h"
#include "perf/PerfAttr.h"
#include "perf/PerfRecords.h"
#include "perf/PerfRingBuffer.h"
#include "perf/Pmu.h"
#include "trace/Tracepoint.h"

class Process;
struct Registers;

namespace perf {

enum class EventKind : u8 {
    CpuClock,
    TaskClock,
    BpfOutput,
    Dummy,
    Tracepoint,
};

struct EventConfig {
    perf_event_attr attr;
    EventKind kind;
    i32 cpu { -1 };                   // -1: any CPU (task events only)
    RefPtr<Process> task;             // null: every task on `cpu`
    trace::Tracepoint* tracepoint { nullptr };
    RefPtr<ProbeEvent> probe;         // keeps a dynamic PMU's probe alive
};

class PerfEvent final : public AnonInodeFile
    , public bpf::kernel::SampledPerfEvent
    , public trace::TracepointListener {
public:
    static constexpr char kind_name[] = "PerfEventFile";
    static ErrorOr<RefPtr<PerfEvent>> create(EventConfig&& config);
    ~PerfEvent() override;

    perf_event_attr const& attr() const { return m_attr; }
    u64 id() const { return m_id; }
    EventKind kind() const { return m_kind; }
    i32 cpu() const { return m_cpu; }
    Process* task() const { return m_task.ptr(); }
    trace::Tracepoint* tracepoint() const { return m_tracepoint; }
    bool is_clock() const { return m_kind == EventKind::CpuClock || m_kind == EventKind::TaskClock; }

    // File.
    ErrorOr<usize> read(OpenFileDescription&, u64 offset, UserBuffer const&, usize size) override;
    ErrorOr<usize> write(OpenFileDescription&, u64, UserBuffer const&, usize) override { return Error(EINVAL); }
    ErrorOr<u64> ioctl(OpenFileDescription&, u32 request, u64 arg) override;
    u32 poll_status(OpenFileDescription&) override;
    ErrorOr<PhysicalAddress> mmap_page(OpenFileDescription&, u64 offset_in_file, bool writable) override;
    ErrorOr<void> mmap_opened(OpenFileDescription&, u64 offset, u64 length, bool writable) override;
    void mmap_closed(OpenFileDescription&, u64 offset, u64 length, bool writable) override;
    StringView class_name() const override { return kind_name; }

    // PERF_EVENT_IOC_ENABLE/DISABLE/RESET/REFRESH/PERIOD.
    void enable();
    void disable();
    void reset();
    ErrorOr<void> refresh(u64 count);
    ErrorOr<void> set_period(u64 value);
    // PERF_EVENT_IOC_SET_OUTPUT (null: back to the event's own ring).
    ErrorOr<void> set_output(PerfEvent* target);

    // perf_event_set_bpf_prog(): Linux's program-type checks, EEXIST when one is attached.
    ErrorOr<void> attach_program(RefPtr<bpf::kernel::ProgramObject> program, u64 cookie);
    void detach_program();
    bool has_program() const;

    // Hooks (SoftwareEvents.cpp): the scheduler and the timer tick, interrupts masked.
    void task_scheduled(bool on_cpu, u64 now);
    void clock_tick(Registers const& regs, u64 now, u32 cpu);

    // bpf::PerfEventSource, through PerfEventSourceHandle; read_local also serves
    // bpf_perf_prog_read_value (bpf::kernel::SampledPerfEvent).
    i32 active_cpu() const;
    i64 bpf_output(void const* data, u64 size);
    i64 read_local(u64* value, u64* enabled, u64* running) override;

    // trace::TracepointListener (TracepointEvents.cpp).
    bool wants_record() const override;
    void on_hit(trace::TracepointHit const& hit) override;

    // Intrusive list of all events (SoftwareEvents.cpp), guarded by the list lock.
    PerfEvent* m_next_event { nullptr };
    PerfEvent* m_previous_event { nullptr };

private:
    explicit PerfEvent(EventConfig&& config);

    // Advances times and, for clocks, the count; consumes the sampling period. Returns true
    // on an overflow. Call with m_lock held.
    bool update_locked(u64 now, u64 hits);
    void set_enabled_locked(bool enabled, u64 now);
    void update_userpage_locked(u64 now);
    ReadValues read_values_locked(u64 now);
    // An overflow: limit, exclusion, program, then the sample. `raw` for tracepoints.
    void overflow(Registers const* regs, void const* raw, u32 raw_size);
    // Fills the task/cpu/time fields of a sample from the current context.
    void fill_sample_context(SampleData& data, Registers const* regs);
    // Writes a record (and a pending LOST record) into the ring; wakes pollers if due.
    // Returns 0, or -ENOSPC when the record was dropped.
    i64 output_sample(SampleData& data);
    u64 sample_time() const;
    bool task_matches() const;

    perf_event_attr m_attr;
    u64 m_id;
    EventKind m_kind;
    i32 m_cpu;
    RefPtr<Process> m_task;
    trace::Tracepoint* m_tracepoint;
    RefPtr<ProbeEvent> m_probe;
    bool m_listening { false };

    mutable Spinlock m_lock;
    bool m_enabled { false };
    bool m_scheduled { false };
    u64 m_last_update { 0 };
    u64 m_time_enabled { 0 };
    u64 m_time_running { 0 };
    u64 m_count { 0 };
    u64 m_period { 0 };
    u64 m_reported_period { 0 }; // the samples' PERIOD (Linux's hwc->last_period)
    i64 m_period_left { 0 };
    u64 m_event_limit { 0 }; // PERF_EVENT_IOC_REFRESH: overflows left before disabling
    u64 m_lost_samples { 0 };
    RefPtr<RingBuffer> m_ring;
    u32 m_mmap_count { 0 };
    bool m_ring_redirected { false }; // m_ring is another event's (SET_OUTPUT)

    bpf::kernel::ProgramObject* m_program { nullptr }; // holds a reference
    u64 m_program_cookie { 0 };
    Atomic<u32> m_program_users { 0 };

    friend void detach_ring_everywhere(RingBuffer&);
    friend u32 tracepoint_program_ids(trace::Tracepoint&, u32*, u32);
    friend ErrorOr<void> attach_tracepoint_program(PerfEvent&, bpf::kernel::ProgramObject&, u64);
};

// The PerfEvent behind a file, or null.
PerfEvent* perf_event_from_file(File& file);

// bpf::PerfEventSource for a PERF_EVENT_ARRAY slot; holds the event.
ErrorOr<RefPtr<bpf::PerfEventSource>> make_perf_event_source(PerfEvent& event);

// The global event list (SoftwareEvents.cpp).
void register_event(PerfEvent& event);
void unregister_event(PerfEvent& event);
// Detaches `ring` from every event using it (the last unmap of the ring).
void detach_ring_everywhere(RingBuffer& ring);
// Attaches `program` to a tracepoint event, with Linux's per-tracepoint program array
// rules: EEXIST when the event has a program or the tracepoint already runs this one,
// E2BIG past BPF_TRACE_MAX_PROGS programs on the tracepoint.
ErrorOr<void> attach_tracepoint_program(PerfEvent& event, bpf::kernel::ProgramObject& program, u64 cookie);
// Ids of the programs attached to events on `tracepoint` (PERF_EVENT_IOC_QUERY_BPF).
u32 tracepoint_program_ids(trace::Tracepoint& tracepoint, u32* ids, u32 max);

}
