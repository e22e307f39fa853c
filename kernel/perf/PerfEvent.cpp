// The perf event core (see PerfEvent.h): creation and teardown, counting and times,
// enable/disable/reset/refresh/period, overflows and samples, the BPF output and local
// reads used by PERF_EVENT_ARRAY, and program attachment.
#include "perf/PerfEvent.h"
#include "arch/Cpu.h"
#include "arch/Registers.h"
#include "bpf/verifier/TracepointRegistry.h"
#include "proc/Process.h"
#include "sched/Thread.h"
#include "time/Clock.h"
#include "trace/BpfRun.h"
#include <linux/bpf_perf_event.h>

namespace perf {

namespace {

Atomic<u64> s_next_event_id { 1 };

// hrtimer-based clocks never fire faster than every 10 us (perf_swevent_start_hrtimer).
constexpr u64 min_clock_period_ns = 10000;

// What a PERF_EVENT program sees is struct bpf_perf_event_data; bpf_perf_prog_read_value
// finds the event in the TraceContext.
static_assert(sizeof(bpf_perf_event_data) == 168 + 16);
static_assert(sizeof(Registers) == sizeof(bpf_user_pt_regs_t));

}

ErrorOr<RefPtr<PerfEvent>> PerfEvent::create(EventConfig&& config)
{
    auto event = TRY(adopt_ref_or_enomem(new (std::nothrow) PerfEvent(move(config))));
    if (event->m_tracepoint) {
        TRY(event->m_tracepoint->add_listener(*event));
        event->m_listening = true;
    }
    register_event(*event);
    return event;
}

PerfEvent::PerfEvent(EventConfig&& config)
    : AnonInodeFile("[perf_event]")
    , m_attr(config.attr)
    , m_id(s_next_event_id.fetch_add(1, MemoryOrder::Relaxed))
    , m_kind(config.kind)
    , m_cpu(config.cpu)
    , m_task(move(config.task))
    , m_tracepoint(config.tracepoint)
    , m_probe(move(config.probe))
{
    if (is_clock() && m_attr.freq) {
        // perf_swevent_init_hrtimer(): a frequency becomes a fixed period.
        if (m_attr.sample_freq)
            m_attr.sample_period = NS_PER_SEC / m_attr.sample_freq;
        m_attr.freq = 0;
    }
    if (is_sampling(m_attr))
        m_period = m_attr.freq ? 1 : m_attr.sample_period;
    if (is_clock() && m_period && m_period < min_clock_period_ns)
        m_period = min_clock_period_ns;
    m_period_left = static_cast<i64>(m_period);
    m_reported_period = is_clock() ? m_attr.sample_period : m_period;
    Thread& current = Thread::current();
    m_scheduled = !m_task || (!current.is_idle() && current.process() == m_task.ptr());
    m_last_update = clock_monotonic_ns();
    m_enabled = !m_attr.disabled;
}

PerfEvent::~PerfEvent()
{
    if (m_listening)
        m_tracepoint->remove_listener(*this);
    unregister_event(*this);
    detach_program();
}

bool PerfEvent::task_matches() const
{
    if (!m_task)
        return true;
    Thread& current = Thread::current();
    return !current.is_idle() && current.process() == m_task.ptr();
}

u64 PerfEvent::sample_time() const
{
    if (m_attr.use_clockid && (m_attr.clockid == 0 || m_attr.clockid == 11))
        return clock_realtime_ns(); // REALTIME, TAI (no leap-second offset is kept)
    return clock_monotonic_ns();    // perf's local_clock(), MONOTONIC(_RAW), BOOTTIME
}

bool PerfEvent::update_locked(u64 now, u64 hits)
{
    if (m_enabled && m_scheduled && now > m_last_update) {
        u64 delta = now - m_last_update;
        m_time_enabled += delta;
        m_time_running += delta;
        if (is_clock()) {
            m_count += delta;
            if (m_period)
                m_period_left -= static_cast<i64>(delta);
        }
    }
    m_last_update = now;
    if (hits && m_enabled) {
        m_count += hits;
        if (m_period)
            m_period_left -= static_cast<i64>(hits);
    }
    if (!m_enabled || !m_period || m_period_left > 0)
        return false;
    // One overflow per check; missed periods are skipped (hrtimer_forward_now).
    m_period_left += static_cast<i64>(m_period);
    if (m_period_left <= 0)
        m_period_left = static_cast<i64>(m_period);
    return true;
}

void PerfEvent::set_enabled_locked(bool enabled, u64 now)
{
    update_locked(now, 0);
    m_enabled = enabled;
    update_userpage_locked(now);
}

void PerfEvent::update_userpage_locked(u64 now)
{
    if (!m_ring)
        return;
    (void)now;
    // perf_event_update_userpage(): a seqcount around the counter fields.
    auto& page = m_ring->user_page();
    __atomic_add_fetch(&page.lock, 1, __ATOMIC_RELEASE);
    page.index = 0; // no rdpmc for software events
    page.offset = static_cast<i64>(m_count);
    page.time_enabled = m_time_enabled;
    page.time_running = m_time_running;
    __atomic_add_fetch(&page.lock, 1, __ATOMIC_RELEASE);
}

ReadValues PerfEvent::read_values_locked(u64 now)
{
    update_locked(now, 0);
    return ReadValues { m_count, m_time_enabled, m_time_running, m_id, m_lost_samples };
}

void PerfEvent::enable()
{
    SpinlockGuard guard(m_lock);
    if (!m_enabled)
        set_enabled_locked(true, clock_monotonic_ns());
}

void PerfEvent::disable()
{
    SpinlockGuard guard(m_lock);
    if (m_enabled)
        set_enabled_locked(false, clock_monotonic_ns());
}

void PerfEvent::reset()
{
    SpinlockGuard guard(m_lock);
    u64 now = clock_monotonic_ns();
    update_locked(now, 0);
    m_count = 0;
    update_userpage_locked(now);
}

ErrorOr<void> PerfEvent::refresh(u64 count)
{
    // _perf_event_refresh(): only sampling events; the count is an int.
    if (!is_sampling(m_attr))
        return Error(EINVAL);
    SpinlockGuard guard(m_lock);
    m_event_limit += static_cast<i32>(count);
    if (!m_enabled)
        set_enabled_locked(true, clock_monotonic_ns());
    return {};
}

ErrorOr<void> PerfEvent::set_period(u64 value)
{
    // perf_event_period().
    if (!is_sampling(m_attr) || !value)
        return Error(EINVAL);
    if (m_attr.freq) {
        if (value > max_sample_rate)
            return Error(EINVAL);
    } else if (value & (1ULL << 63)) {
        return Error(EINVAL);
    }
    SpinlockGuard guard(m_lock);
    if (m_attr.freq) {
        m_attr.sample_freq = value;
        return {};
    }
    m_attr.sample_period = value;
    m_period = is_clock() && value < min_clock_period_ns ? min_clock_period_ns : value;
    m_period_left = static_cast<i64>(m_period);
    // The hrtimer clocks keep reporting the period they were opened with.
    if (!is_clock())
        m_reported_period = value;
    return {};
}

void PerfEvent::task_scheduled(bool on_cpu, u64 now)
{
    SpinlockGuard guard(m_lock);
    update_locked(now, 0);
    m_scheduled = on_cpu;
}

void PerfEvent::clock_tick(Registers const& regs, u64 now, u32 cpu)
{
    if (m_cpu != -1 && static_cast<u32>(m_cpu) != cpu)
        return;
    bool overflowed;
    {
        SpinlockGuard guard(m_lock);
        if (!m_scheduled)
            return;
        overflowed = update_locked(now, 0);
    }
    if (overflowed)
        overflow(&regs, nullptr, 0);
}

void PerfEvent::fill_sample_context(SampleData& data, Registers const* regs)
{
    Thread& thread = Thread::current();
    Process* process = thread.is_idle() ? nullptr : thread.process();
    data.pid = process ? static_cast<u32>(process->pid()) : 0;
    data.tid = process ? thread.tid() : 0;
    data.ip = regs ? regs->rip : 0;
    data.misc = regs && regs->from_user() ? PERF_RECORD_MISC_USER : PERF_RECORD_MISC_KERNEL;
    data.time = sample_time();
    data.id = m_id;
    data.stream_id = m_id;
    data.cpu = arch::current_cpu_id();
    data.period = m_reported_period;
}

i64 PerfEvent::output_sample(SampleData& data)
{
    RecordFragments record;
    RefPtr<RingBuffer> ring;
    bool wakeup = false;
    {
        SpinlockGuard guard(m_lock);
        if (m_attr.sample_type & PERF_SAMPLE_READ)
            data.read = read_values_locked(clock_monotonic_ns());
        if (!m_ring)
            return -ENOSPC; // perf_output_begin() without a buffer
        if (!build_sample(m_attr.sample_type, m_attr.read_format, data, record)) {
            ++m_lost_samples;
            return -E2BIG;
        }
        auto result = m_ring->write(record, data, m_attr.sample_type, m_attr.sample_id_all, m_id, true);
        if (result == PerfRing::Result::Lost) {
            ++m_lost_samples;
            return -ENOSPC;
        }
        wakeup = result == PerfRing::Result::WrittenWakeup;
        if (wakeup)
            m_ring->raise_poll(fs::POLLIN_ | fs::POLLRDNORM_);
        update_userpage_locked(data.time);
    }
    if (wakeup)
        notify_readiness_changed();
    return 0;
}

void PerfEvent::overflow(Registers const* regs, void const* raw, u32 raw_size)
{
    if (is_clock()) {
        // perf_exclude_event() and exclude_idle, as the cpu-clock/task-clock hrtimer checks.
        bool user = regs && regs->from_user();
        if ((m_attr.exclude_user && user) || (m_attr.exclude_kernel && !user))
            return;
        if (m_attr.exclude_idle && Thread::current().is_idle())
            return;
    }
    bool limit_reached = false;
    {
        SpinlockGuard guard(m_lock);
        if (m_event_limit && --m_event_limit == 0)
            limit_reached = true;
    }
    bool output = true;
    if (m_kind != EventKind::Tracepoint) {
        // bpf_overflow_handler(): the program decides whether the sample is written.
        bpf::kernel::ProgramObject* program = nullptr;
        u64 cookie = 0;
        {
            SpinlockGuard guard(m_lock);
            program = m_program;
            cookie = m_program_cookie;
            if (program)
                m_program_users.fetch_add(1, MemoryOrder::Acquire);
        }
        if (program) {
            bpf_perf_event_data context {};
            Registers zero {};
            Registers const& sampled = regs ? *regs : zero;
            memcpy(&context.regs, &sampled, sizeof(Registers));
            context.sample_period = m_reported_period;
            context.addr = 0;
            bpf::kernel::TraceContext trace_context { &sampled, 0, cookie, this };
            output = trace::run_traced_program(*program, &context, trace_context) != 0;
            m_program_users.fetch_sub(1, MemoryOrder::Release);
        }
    }
    if (output) {
        SampleData data;
        fill_sample_context(data, regs);
        data.raw = raw;
        data.raw_size = raw_size;
        (void)output_sample(data);
    }
    if (limit_reached) {
        // perf_event_disable_inatomic(); pollers see the stop as POLL_HUP in Linux.
        SpinlockGuard guard(m_lock);
        if (m_enabled)
            set_enabled_locked(false, clock_monotonic_ns());
    }
}

i32 PerfEvent::active_cpu() const
{
    SpinlockGuard guard(m_lock);
    if (!m_enabled || !m_scheduled)
        return -1;
    return m_cpu != -1 ? m_cpu : static_cast<i32>(arch::current_cpu_id());
}

i64 PerfEvent::bpf_output(void const* data, u64 size)
{
    if (size > max_raw_size)
        return -E2BIG;
    // The registers come from the context the program runs in, not from its ctx argument
    // (which is a tracepoint record or a socket buffer for some program types).
    auto const* trace = bpf::kernel::current_trace_context();
    SampleData sample;
    fill_sample_context(sample, trace ? trace->regs : nullptr);
    sample.period = 0; // perf_sample_data_init(sd, 0, 0)
    sample.raw = data;
    sample.raw_size = static_cast<u32>(size);
    return output_sample(sample);
}

i64 PerfEvent::read_local(u64* value, u64* enabled, u64* running)
{
    // perf_event_read_local().
    if (m_task) {
        if (!task_matches())
            return -EINVAL;
    } else if (static_cast<u32>(m_cpu) != arch::current_cpu_id()) {
        return -EINVAL;
    }
    SpinlockGuard guard(m_lock);
    if (m_attr.pinned && !(m_enabled && m_scheduled))
        return -EBUSY;
    auto values = read_values_locked(clock_monotonic_ns());
    *value = values.value;
    if (enabled)
        *enabled = values.time_enabled;
    if (running)
        *running = values.time_running;
    return 0;
}

ErrorOr<void> PerfEvent::attach_program(RefPtr<bpf::kernel::ProgramObject> program, u64 cookie)
{
    u32 type = program->type();
    if (m_kind == EventKind::Tracepoint) {
        // perf_event_set_bpf_prog() for tracing events.
        bool is_probe = m_tracepoint->definition().flags & trace::tracepoint_flag_probe;
        if (is_probe && type != BPF_PROG_TYPE_KPROBE)
            return Error(EINVAL);
        if (!is_probe && type != BPF_PROG_TYPE_TRACEPOINT)
            return Error(EINVAL);
        // Only uprobe programs may sleep; programs here run with interrupts masked.
        if (program->info().flags & BPF_F_SLEEPABLE)
            return Error(EINVAL);
        if (!is_probe) {
            u32 max_offset = program->info().max_context_offset;
            auto checked = bpf::verifier::check_tracepoint_attach(max_offset, m_tracepoint->id());
            if (checked.is_error() && checked.error().code() == ENOENT) {
                if (max_offset > m_tracepoint->record_size())
                    return Error(EACCES);
            } else {
                TRY(checked);
            }
        }
        TRY(attach_tracepoint_program(*this, *program, cookie));
        (void)program.leak_ref(); // the event holds the reference now
        return {};
    } else {
        // perf_event_set_bpf_handler(): EEXIST is checked before the type.
        SpinlockGuard guard(m_lock);
        if (m_program)
            return Error(EEXIST);
        if (type != BPF_PROG_TYPE_PERF_EVENT)
            return Error(EINVAL);
    }
    SpinlockGuard guard(m_lock);
    if (m_program)
        return Error(EEXIST);
    m_program = program.leak_ref();
    m_program_cookie = cookie;
    return {};
}

void PerfEvent::detach_program()
{
    bpf::kernel::ProgramObject* program;
    {
        SpinlockGuard guard(m_lock);
        program = m_program;
        m_program = nullptr;
        m_program_cookie = 0;
    }
    if (!program)
        return;
    // Runs in flight on other CPUs finish with the old pointer first.
    while (m_program_users.load(MemoryOrder::Acquire))
        arch_cpu_relax();
    program->unref();
}

bool PerfEvent::has_program() const
{
    SpinlockGuard guard(m_lock);
    return m_program != nullptr;
}

PerfEvent* perf_event_from_file(File& file)
{
    return file.class_name() == StringView(PerfEvent::kind_name) ? static_cast<PerfEvent*>(&file) : nullptr;
}

}
