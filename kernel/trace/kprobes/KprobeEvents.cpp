// kprobe_events and the kprobe PMU (see KprobeEvents.h). The listed events are kept in
// s_events under s_lock; creating and destroying an event (arming the probe, registering the
// tracepoint) happens outside the lock, with s_busy serializing whole commands.
#include "trace/kprobes/KprobeEvents.h"
#include "console/Console.h"
#include "klib/Spinlock.h"
#include "klib/Vector.h"
#include "mm/UserBuffer.h"
#include "perf/Pmu.h"
#include "trace/kprobes/KprobeEventsParser.h"
#include "trace/kprobes/ProbeEvent.h"
#include "trace/tracefs/TraceFS.h"

namespace kprobes {

namespace {

Spinlock s_lock;
Atomic<u32> s_busy { 0 };
Vector<RefPtr<ProbeEvent>> s_events;

// A sleeping lock is not needed: commands are short; a second writer waits its turn.
class CommandGuard {
public:
    CommandGuard()
    {
        while (s_busy.exchange(1, MemoryOrder::Acquire))
            asm volatile("pause");
    }
    ~CommandGuard() { s_busy.store(0, MemoryOrder::Release); }
};

isize find_event_locked(StringView group, StringView event)
{
    for (usize i = 0; i < s_events.size(); ++i)
        if ((group.is_empty() || s_events[i]->group() == group) && s_events[i]->event() == event)
            return static_cast<isize>(i);
    return -1;
}

ErrorOr<void> run_command(KprobeEventCommand const& command)
{
    if (command.kind == KprobeEventCommand::Kind::Remove) {
        RefPtr<ProbeEvent> removed;
        {
            SpinlockGuard guard(s_lock);
            isize index = find_event_locked(command.group.view(), command.event.view());
            if (index < 0)
                return Error(ENOENT);
            if (s_events[static_cast<usize>(index)]->in_use())
                return Error(EBUSY);
            removed = s_events[static_cast<usize>(index)];
            s_events.remove(static_cast<usize>(index));
        }
        return {}; // the last reference goes here: probe disarmed, tracepoint unregistered
    }
    {
        SpinlockGuard guard(s_lock);
        if (find_event_locked(command.group.view(), command.event.view()) >= 0)
            return Error(EEXIST);
    }
    TRY(s_events.try_ensure_capacity(s_events.size() + 1));
    auto event = TRY(ProbeEvent::create({ command.group.view(), command.event.view(), command.symbol.view(),
        command.offset, command.is_return, command.maxactive, true }));
    SpinlockGuard guard(s_lock);
    return s_events.try_append(move(event));
}

ErrorOr<RefPtr<perf::ProbeEvent>> open_pmu_event(perf_event_attr const& attr, Process*)
{
    // perf_kprobe_init(): config bits other than retprobe are EINVAL; no name and no address
    // is EINVAL.
    if (attr.config & ~1ULL)
        return Error(EINVAL);
    bool is_return = attr.config & 1;
    char name[128] = {};
    if (attr.config1) {
        // strndup_user(…, KSYM_NAME_LEN): EFAULT for a bad pointer, E2BIG when too long.
        usize length = 0;
        for (; length < sizeof name; ++length) {
            TRY(copy_from_user(&name[length], attr.config1 + length, 1));
            if (!name[length])
                break;
        }
        if (length == sizeof name)
            return Error(E2BIG);
        if (length == 0)
            return Error(EINVAL);
    } else if (!attr.config2) {
        return Error(EINVAL);
    }
    StringView symbol = attr.config1 ? StringView(name) : StringView();
    if (is_return && attr.config1 && attr.config2)
        return Error(EINVAL);
    auto event = TRY(ProbeEvent::create({ is_return ? "kretprobes" : "kprobes", attr.config1 ? symbol : StringView("perf_kprobe"),
        symbol, attr.config2, is_return, 0, false }));
    return RefPtr<perf::ProbeEvent>(event.ptr());
}

constexpr perf::PmuFormatFile kprobe_format_files[] = {
    { "retprobe", "config:0\n" },
};

constexpr perf::DynamicPmu kprobe_pmu = {
    "kprobe",
    kprobe_format_files,
    1,
    open_pmu_event,
};

}

ErrorOr<void> kprobe_events_write(StringView text)
{
    CommandGuard serialize;
    while (!text.is_empty()) {
        isize newline = text.find('\n');
        StringView line = newline >= 0 ? text.substring(0, static_cast<usize>(newline)) : text;
        text = newline >= 0 ? text.substring(static_cast<usize>(newline) + 1) : StringView();
        isize comment = line.find('#');
        if (comment >= 0)
            line = line.substring(0, static_cast<usize>(comment));
        line = line.trim_whitespace();
        if (line.is_empty())
            continue;
        auto command = TRY(parse_kprobe_event_command(line));
        TRY(run_command(command));
    }
    return {};
}

ErrorOr<void> kprobe_events_show(StringBuilder& b)
{
    Vector<RefPtr<ProbeEvent>> snapshot;
    {
        CommandGuard serialize;
        SpinlockGuard guard(s_lock);
        TRY(snapshot.try_ensure_capacity(s_events.size()));
        for (auto& event : s_events)
            TRY(snapshot.try_append(RefPtr<ProbeEvent>(event)));
    }
    for (auto& event : snapshot)
        TRY(event->show(b));
    return {};
}

ErrorOr<void> kprobe_events_truncate()
{
    CommandGuard serialize;
    Vector<RefPtr<ProbeEvent>> removed;
    {
        SpinlockGuard guard(s_lock);
        for (auto& event : s_events)
            if (event->in_use())
                return Error(EBUSY);
        TRY(removed.try_ensure_capacity(s_events.size()));
        for (auto& event : s_events)
            TRY(removed.try_append(move(event)));
        s_events.clear();
    }
    return {};
}

ErrorOr<void> kprobe_events_initialize()
{
    trace::set_kprobe_events_file({ kprobe_events_show, kprobe_events_write, kprobe_events_truncate });
    TRY(perf::register_pmu(kprobe_pmu));
    return {};
}

namespace {
// Runs with the global constructors at boot: both calls only record pointers (tracefs and the
// PMU's sysfs files pick them up when they are created).
struct Initializer {
    Initializer()
    {
        if (auto result = kprobe_events_initialize(); result.is_error())
            kprintf("kprobes: initialization failed (errno %d)\n", result.error().code());
    }
} s_initializer;
}

}
