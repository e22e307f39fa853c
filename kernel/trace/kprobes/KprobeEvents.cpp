// kprobe_events and the kprobe PMU (see KprobeEvents.h). The listed events are kept in a
// trace::DynamicEvents table (locking and the command rules there); this file parses the
// commands and creates the events.
#include "trace/kprobes/KprobeEvents.h"
#include "console/Console.h"
#include "mm/UserBuffer.h"
#include "perf/Pmu.h"
#include "trace/DynamicEvents.h"
#include "trace/kprobes/KprobeEventsParser.h"
#include "trace/kprobes/ProbeEvent.h"
#include "trace/tracefs/TraceFS.h"

namespace kprobes {

namespace {

trace::DynamicEvents s_events;

ErrorOr<void> run_command(trace::DynamicEvents& events, StringView line)
{
    auto command = TRY(parse_kprobe_event_command(line));
    if (command.kind == KprobeEventCommand::Kind::Remove)
        return events.remove(command.group.view(), command.event.view());
    return events.add(command.group.view(), command.event.view(), [&] {
        return ProbeEvent::create({ command.group.view(), command.event.view(), command.symbol.view(), command.offset,
            command.is_return, command.maxactive, true });
    });
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

ErrorOr<void> kprobe_events_write(StringView text) { return s_events.write(text, run_command); }

ErrorOr<void> kprobe_events_show(StringBuilder& b) { return s_events.show(b); }

ErrorOr<void> kprobe_events_truncate() { return s_events.truncate(); }

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
