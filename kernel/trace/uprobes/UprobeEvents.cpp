// uprobe_events and the uprobe PMU (see UprobeEvents.h). The listed events are kept in
// s_events under s_lock; creating and destroying an event (registering the probe and the
// tracepoint) happens outside the lock, with s_busy serializing whole commands.
#include "trace/uprobes/UprobeEvents.h"
#include "fs/Custody.h"
#include "fs/FsTypes.h"
#include "fs/Inode.h"
#include "fs/PathResolution.h"
#include "fs/Vfs.h"
#include "klib/Spinlock.h"
#include "klib/Vector.h"
#include "mm/UserBuffer.h"
#include "perf/Pmu.h"
#include "proc/Process.h"
#include "trace/tracefs/TraceFS.h"
#include "trace/uprobes/UprobeEvent.h"
#include "trace/uprobes/UprobeEventsParser.h"

namespace uprobes {

namespace {

Spinlock s_lock;
Atomic<u32> s_busy { 0 };
Vector<RefPtr<UprobeEvent>> s_events;

class CommandGuard {
public:
    CommandGuard()
    {
        while (s_busy.exchange(1, MemoryOrder::Acquire))
            asm volatile("pause");
    }
    ~CommandGuard() { s_busy.store(0, MemoryOrder::Release); }
};

bool matches(UprobeEvent const& event, StringView group, StringView name)
{
    return (group.is_empty() || event.group() == group) && (name.is_empty() || event.event() == name);
}

// The regular file a probe names (kern_path with LOOKUP_FOLLOW, then d_is_reg).
ErrorOr<RefPtr<Inode>> resolve_binary(StringView path)
{
    auto cwd = current_cwd();
    if (!cwd)
        return Error(ENOENT);
    auto custody = TRY(resolve_custody(path, *cwd, current_fs_credentials(), true));
    if (!custody->inode().is_regular())
        return Error(EINVAL);
    return custody->inode_ref();
}

ErrorOr<void> run_command(UprobeEventCommand const& command)
{
    if (command.kind == UprobeEventCommand::Kind::Remove) {
        Vector<RefPtr<UprobeEvent>> removed; // dropped after the lock
        SpinlockGuard guard(s_lock);
        bool found = false;
        for (auto& event : s_events) {
            if (!matches(*event, command.group.view(), command.event.view()))
                continue;
            found = true;
            if (event->in_use())
                return Error(EBUSY);
        }
        if (!found)
            return Error(ENOENT);
        TRY(removed.try_ensure_capacity(s_events.size()));
        for (usize i = 0; i < s_events.size();) {
            if (matches(*s_events[i], command.group.view(), command.event.view())) {
                MUST(removed.try_append(move(s_events[i])));
                s_events.remove(i);
                continue;
            }
            ++i;
        }
        return {}; // the guard goes first, then the last references: probes removed, tracepoints unregistered
    }
    {
        SpinlockGuard guard(s_lock);
        for (auto& event : s_events)
            if (event->group() == command.group.view() && event->event() == command.event.view())
                return Error(EEXIST);
    }
    auto inode = TRY(resolve_binary(command.path.view()));
    TRY(s_events.try_ensure_capacity(s_events.size() + 1));
    auto event = TRY(UprobeEvent::create({ command.group.view(), command.event.view(), command.path.view(), inode.ptr(),
        command.offset, command.is_return, true, 0 }));
    SpinlockGuard guard(s_lock);
    return s_events.try_append(move(event));
}

ErrorOr<RefPtr<perf::ProbeEvent>> open_pmu_event(perf_event_attr const& attr, Process* task)
{
    // perf_uprobe_event_init() / perf_uprobe_init(): bits 1-31 of config are not looked at.
    bool is_return = attr.config & 1;
    u64 ref_ctr_offset = attr.config >> 32;
    if (!attr.config1)
        return Error(EINVAL);
    // strndup_user(path, PATH_MAX): EFAULT for a bad pointer, E2BIG when too long.
    Vector<char> path;
    TRY(path.try_resize(fs::path_max));
    usize length = 0;
    for (; length < fs::path_max; ++length) {
        TRY(copy_from_user(&path[length], attr.config1 + length, 1));
        if (!path[length])
            break;
    }
    if (length == fs::path_max)
        return Error(E2BIG);
    if (length == 0)
        return Error(EINVAL);
    StringView path_view(path.data(), length);
    auto inode = TRY(resolve_binary(path_view));
    // __uprobe_register(): the offset within the file, a short-aligned counter.
    if (attr.config2 > inode->metadata().size)
        return Error(EINVAL);
    if (ref_ctr_offset & 1)
        return Error(EINVAL);
    if (ref_ctr_offset)
        return Error(EOPNOTSUPP); // USDT semaphores are not implemented
    auto event = TRY(UprobeEvent::create({ is_return ? "uretprobes" : "uprobes", "perf_uprobe", path_view, inode.ptr(),
        attr.config2, is_return, false, task ? task->pid() : 0 }));
    return RefPtr<perf::ProbeEvent>(event.ptr());
}

constexpr perf::PmuFormatFile uprobe_format_files[] = {
    { "retprobe", "config:0\n" },
    { "ref_ctr_offset", "config:32-63\n" },
};

constexpr perf::DynamicPmu uprobe_pmu = {
    "uprobe",
    uprobe_format_files,
    2,
    open_pmu_event,
};

}

ErrorOr<void> uprobe_events_write(StringView text)
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
        auto command = TRY(parse_uprobe_event_command(line));
        TRY(run_command(command));
    }
    return {};
}

ErrorOr<void> uprobe_events_show(StringBuilder& b)
{
    Vector<RefPtr<UprobeEvent>> snapshot;
    {
        CommandGuard serialize;
        SpinlockGuard guard(s_lock);
        TRY(snapshot.try_ensure_capacity(s_events.size()));
        for (auto& event : s_events)
            TRY(snapshot.try_append(RefPtr<UprobeEvent>(event)));
    }
    for (auto& event : snapshot)
        TRY(event->show(b));
    return {};
}

ErrorOr<void> uprobe_events_truncate()
{
    CommandGuard serialize;
    Vector<RefPtr<UprobeEvent>> removed;
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

ErrorOr<void> uprobe_events_initialize()
{
    trace::set_uprobe_events_file({ uprobe_events_show, uprobe_events_write, uprobe_events_truncate });
    TRY(perf::register_pmu(uprobe_pmu));
    return {};
}

}
