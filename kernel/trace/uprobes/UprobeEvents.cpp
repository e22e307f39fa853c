// uprobe_events and the uprobe PMU (see UprobeEvents.h). The listed events are kept in a
// trace::DynamicEvents table (locking and the command rules there); this file parses the
// commands, resolves the probed files and creates the events.
#include "trace/uprobes/UprobeEvents.h"
#include "fs/Custody.h"
#include "fs/FsTypes.h"
#include "fs/Inode.h"
#include "fs/PathResolution.h"
#include "fs/Vfs.h"
#include "klib/Vector.h"
#include "mm/UserBuffer.h"
#include "perf/Pmu.h"
#include "trace/DynamicEvents.h"
#include "proc/Process.h"
#include "trace/tracefs/TraceFS.h"
#include "trace/uprobes/UprobeEvent.h"
#include "trace/uprobes/UprobeEventsParser.h"

namespace uprobes {

namespace {

trace::DynamicEvents s_events;

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

ErrorOr<void> run_command(trace::DynamicEvents& events, StringView line)
{
    auto command = TRY(parse_uprobe_event_command(line));
    if (command.kind == UprobeEventCommand::Kind::Remove)
        return events.remove(command.group.view(), command.event.view());
    return events.add(command.group.view(), command.event.view(), [&]() -> ErrorOr<RefPtr<UprobeEvent>> {
        auto inode = TRY(resolve_binary(command.path.view()));
        return UprobeEvent::create({ command.group.view(), command.event.view(), command.path.view(), inode.ptr(),
            command.offset, command.is_return, true, 0 });
    });
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

ErrorOr<void> uprobe_events_write(StringView text) { return s_events.write(text, run_command); }

ErrorOr<void> uprobe_events_show(StringBuilder& b) { return s_events.show(b); }

ErrorOr<void> uprobe_events_truncate() { return s_events.truncate(); }

ErrorOr<void> uprobe_events_initialize()
{
    trace::set_uprobe_events_file({ uprobe_events_show, uprobe_events_write, uprobe_events_truncate });
    TRY(perf::register_pmu(uprobe_pmu));
    return {};
}

}
