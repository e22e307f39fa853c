// tracefs (see TraceFS.h): the file system, its static files and the mount.
#include "trace/tracefs/TraceFS.h"
#include "arch/Cpu.h"
#include "bpf/syscall/TraceRing.h"
#include "fs/Vfs.h"
#include "fs/proc/ProcFS.h"
#include "fs/pseudo/PseudoFS.h"
#include "trace/Tracepoint.h"
#include "trace/tracefs/EventsDirectory.h"
#include "trace/tracefs/TracePipe.h"

namespace trace {

namespace {

using namespace bpf::kernel;

constexpr u64 tracefs_magic = 0x74726163; // TRACEFS_MAGIC

DynamicEventsFile kprobe_handlers;
DynamicEventsFile uprobe_handlers;

ErrorOr<void> generate_available_events(StringBuilder& out)
{
    struct Walk {
        StringBuilder& out;
        ErrorOr<void> result {};
        bool failed { false };
    } walk { out };
    for_each_tracepoint([](Tracepoint& tracepoint, void* context) {
        auto& w = *static_cast<Walk*>(context);
        if (tracepoint.definition().flags & tracepoint_flag_hidden)
            return true;
        if (w.out.try_appendf("%s:%s\n", tracepoint.definition().system, tracepoint.definition().name).is_error()) {
            w.failed = true;
            return false;
        }
        return true;
    }, &walk);
    return walk.failed ? ErrorOr<void>(Error(ENOMEM)) : ErrorOr<void>();
}

ErrorOr<void> generate_tracing_on(StringBuilder& out) { return out.try_append(trace_ring_is_recording() ? "1\n" : "0\n"); }

ErrorOr<void> write_tracing_on(StringView data)
{
    while (data.length() && (data[data.length() - 1] == '\n' || data[data.length() - 1] == ' '))
        data = data.substring(0, data.length() - 1);
    if (data == "0")
        trace_ring_set_recording(false);
    else if (data == "1")
        trace_ring_set_recording(true);
    else
        return Error(EINVAL);
    return {};
}

// tracefs `trace`: Linux's header for the nop tracer, then the ring's records (not consumed).
class TraceFileInode final : public GeneratedInode {
public:
    explicit TraceFileInode(PseudoFS& fs)
        : GeneratedInode(fs, 0, 0644)
    {
    }
    ErrorOr<void> generate(StringBuilder& out) override
    {
        u32 count = trace_ring_count();
        TRY(out.try_appendf("# tracer: nop\n#\n# entries-in-buffer/entries-written: %u/%llu   #P:%u\n#\n", count,
            static_cast<unsigned long long>(trace_ring_written()), arch::cpu_count()));
        TRY(out.try_append("#                                _-----=> irqs-off/BH-disabled\n"
                           "#                               / _----=> need-resched\n"
                           "#                              | / _---=> hardirq/softirq\n"
                           "#                              || / _--=> preempt-depth\n"
                           "#                              ||| / _-=> migrate-disable\n"
                           "#                              |||| /     delay\n"
                           "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
                           "#              | |         |   |||||     |         |\n"));
        TraceRecord record;
        for (u32 i = 0; trace_ring_peek(i, record); i++) {
            char line[384];
            usize length = format_trace_record(record, line, sizeof line);
            TRY(out.try_append(StringView(line, length)));
        }
        return {};
    }
    bool is_writable() const override { return true; }
    ErrorOr<void> write_data(StringView) override { return {}; }
    ErrorOr<void> truncate(u64) override
    {
        trace_ring_clear();
        return {};
    }
};

class DynamicEventsInode final : public GeneratedInode {
public:
    DynamicEventsInode(PseudoFS& fs, DynamicEventsFile const& handlers)
        : GeneratedInode(fs, 0, 0644)
        , m_handlers(handlers)
    {
    }
    ErrorOr<void> generate(StringBuilder& out) override { return m_handlers.show ? m_handlers.show(out) : ErrorOr<void>(); }
    bool is_writable() const override { return true; }
    ErrorOr<void> write_data(StringView text) override { return m_handlers.write ? m_handlers.write(text) : Error(ENODEV); }
    ErrorOr<void> truncate(u64) override { return m_handlers.truncate ? m_handlers.truncate() : ErrorOr<void>(); }

private:
    DynamicEventsFile const& m_handlers;
};

}

void set_kprobe_events_file(DynamicEventsFile const& handlers) { kprobe_handlers = handlers; }
void set_uprobe_events_file(DynamicEventsFile const& handlers) { uprobe_handlers = handlers; }

ErrorOr<void> tracefs_initialize()
{
    auto fs = TRY(PseudoFS::try_create("tracefs", tracefs_magic));
    TRY(fs->register_file("available_events", generate_available_events));
    TRY(fs->register_file("tracing_on", generate_tracing_on, write_tracing_on, 0644));
    TRY(fs->register_inode("events", TRY(create_events_directory(*fs))));
    TRY(fs->register_inode("trace_pipe", TRY(create_trace_pipe_inode(*fs))));
    TRY(fs->register_inode("trace", RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) TraceFileInode(*fs))))));
    TRY(fs->register_inode("kprobe_events", RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) DynamicEventsInode(*fs, kprobe_handlers))))));
    TRY(fs->register_inode("uprobe_events", RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) DynamicEventsInode(*fs, uprobe_handlers))))));
    trace_pipe_initialize();
    TRY(sysfs_register_directory("kernel/tracing"));
    TRY(vfs_mount_at("/sys/kernel/tracing", move(fs), "tracefs", "rw,nosuid,nodev,noexec,relatime"));
    return {};
}

}
