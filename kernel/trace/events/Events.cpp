// Definitions of the static tracepoints declared in Events.h: Linux's fields, offsets and
// print formats (checked against a Linux 6.x tracefs), and the record fillers.
#include "trace/events/Events.h"
#include "arch/Cpu.h"
#include "klib/CString.h"
#include "proc/Process.h"
#include "sched/Thread.h"

namespace trace {

namespace {

constexpr i32 normal_prio = 120; // Linux's prio of a SCHED_NORMAL task at nice 0

Thread* thread_arg(u64 value) { return reinterpret_cast<Thread*>(value); }

// comm and pid as Linux reports them: the idle thread is swapper/<cpu> with pid 0; kernel
// threads have their thread name.
void task_comm(Thread const* thread, char* out)
{
    memset(out, 0, 16);
    if (!thread)
        return;
    if (thread->is_idle()) {
        memcpy(out, "swapper/0", 9);
        out[8] = static_cast<char>('0' + arch::current_cpu_id() % 10);
        return;
    }
    if (Process* process = thread->process()) {
        StringView comm = process->comm();
        memcpy(out, comm.chars(), min<usize>(comm.length(), 15));
        return;
    }
    if (thread->name())
        memcpy(out, thread->name(), strnlen(thread->name(), 15));
}

i32 task_pid(Thread const* thread) { return !thread || thread->is_idle() ? 0 : static_cast<i32>(thread->tid()); }

template<typename T>
void put(u8* record, u32 offset, T value) { memcpy(record + offset, &value, sizeof value); }

// Appends a __data_loc string at `*end` and stores its locator (offset | length << 16, the
// length including the NUL) at `field_offset`.
void put_string(u8* record, u32 field_offset, u32& end, u32 limit, char const* text, usize max_length)
{
    usize length = text ? strnlen(text, max_length) : 0;
    if (end + length + 1 > limit)
        length = limit > end + 1 ? limit - end - 1 : 0;
    memcpy(record + end, text ? text : "", length);
    record[end + length] = 0;
    put<u32>(record, field_offset, end | static_cast<u32>(length + 1) << 16);
    end += static_cast<u32>(length + 1);
}

// sched:sched_switch
constexpr TracepointField sched_switch_fields[] = {
    { "char", "prev_comm[16]", 8, 16, false },
    { "pid_t", "prev_pid", 24, 4, true },
    { "int", "prev_prio", 28, 4, true },
    { "long", "prev_state", 32, 8, true },
    { "char", "next_comm[16]", 40, 16, false },
    { "pid_t", "next_pid", 56, 4, true },
    { "int", "next_prio", 60, 4, true },
};
u32 fill_sched_switch(TracepointDefinition const& d, u64 const* args, u8* r)
{
    task_comm(thread_arg(args[1]), reinterpret_cast<char*>(r + 8));
    put<i32>(r, 24, task_pid(thread_arg(args[1])));
    put<i32>(r, 28, normal_prio);
    put<i64>(r, 32, static_cast<i64>(args[3]));
    task_comm(thread_arg(args[2]), reinterpret_cast<char*>(r + 40));
    put<i32>(r, 56, task_pid(thread_arg(args[2])));
    put<i32>(r, 60, normal_prio);
    return d.record_size;
}
constexpr TracepointDefinition sched_switch_definition {
    "sched", "sched_switch", sched_switch_fields, 7, 64, 4,
    "\"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d\", REC->prev_comm, "
    "REC->prev_pid, REC->prev_prio, (REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | "
    "0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | "
    "0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1), \"|\", { 0x00000001, \"S\" }, "
    "{ 0x00000002, \"D\" }, { 0x00000004, \"T\" }, { 0x00000008, \"t\" }, { 0x00000010, \"X\" }, { 0x00000020, \"Z\" }, "
    "{ 0x00000040, \"P\" }, { 0x00000080, \"I\" }) : \"R\", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | "
    "0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? \"+\" : \"\", REC->next_comm, REC->next_pid, "
    "REC->next_prio",
    fill_sched_switch
};

// sched:sched_wakeup
constexpr TracepointField sched_wakeup_fields[] = {
    { "char", "comm[16]", 8, 16, false },
    { "pid_t", "pid", 24, 4, true },
    { "int", "prio", 28, 4, true },
    { "int", "target_cpu", 32, 4, true },
};
u32 fill_sched_wakeup(TracepointDefinition const& d, u64 const* args, u8* r)
{
    task_comm(thread_arg(args[0]), reinterpret_cast<char*>(r + 8));
    put<i32>(r, 24, task_pid(thread_arg(args[0])));
    put<i32>(r, 28, normal_prio);
    put<i32>(r, 32, 0);
    return d.record_size;
}
constexpr TracepointDefinition sched_wakeup_definition {
    "sched", "sched_wakeup", sched_wakeup_fields, 4, 40, 1,
    "\"comm=%s pid=%d prio=%d target_cpu=%03d\", REC->comm, REC->pid, REC->prio, REC->target_cpu", fill_sched_wakeup
};

// sched:sched_process_fork (two __data_loc strings)
constexpr TracepointField sched_process_fork_fields[] = {
    { "__data_loc char[]", "parent_comm", 8, 4, false },
    { "pid_t", "parent_pid", 12, 4, true },
    { "__data_loc char[]", "child_comm", 16, 4, false },
    { "pid_t", "child_pid", 20, 4, true },
};
u32 fill_sched_process_fork(TracepointDefinition const& d, u64 const* args, u8* r)
{
    char parent[16], child[16];
    task_comm(thread_arg(args[0]), parent);
    task_comm(thread_arg(args[1]), child);
    u32 end = 24;
    put_string(r, 8, end, d.record_size, parent, 15);
    put<i32>(r, 12, task_pid(thread_arg(args[0])));
    put_string(r, 16, end, d.record_size, child, 15);
    put<i32>(r, 20, task_pid(thread_arg(args[1])));
    return static_cast<u32>(align_up(end, 4));
}
constexpr TracepointDefinition sched_process_fork_definition {
    "sched", "sched_process_fork", sched_process_fork_fields, 4, 24 + 32, 2,
    "\"comm=%s pid=%d child_comm=%s child_pid=%d\", __get_str(parent_comm), REC->parent_pid, __get_str(child_comm), REC->child_pid",
    fill_sched_process_fork
};

// sched:sched_process_exec
constexpr u32 max_exec_filename = 255;
constexpr TracepointField sched_process_exec_fields[] = {
    { "__data_loc char[]", "filename", 8, 4, false },
    { "pid_t", "pid", 12, 4, true },
    { "pid_t", "old_pid", 16, 4, true },
};
u32 fill_sched_process_exec(TracepointDefinition const& d, u64 const* args, u8* r)
{
    u32 end = 20;
    put_string(r, 8, end, d.record_size, reinterpret_cast<char const*>(args[2]), max_exec_filename);
    put<i32>(r, 12, task_pid(thread_arg(args[0])));
    put<i32>(r, 16, static_cast<i32>(args[1]));
    return static_cast<u32>(align_up(end, 4));
}
constexpr TracepointDefinition sched_process_exec_definition {
    "sched", "sched_process_exec", sched_process_exec_fields, 3, 20 + max_exec_filename + 1, 3,
    "\"filename=%s pid=%d old_pid=%d\", __get_str(filename), REC->pid, REC->old_pid", fill_sched_process_exec
};

// sched:sched_process_exit
constexpr TracepointField sched_process_exit_fields[] = {
    { "char", "comm[16]", 8, 16, false },
    { "pid_t", "pid", 24, 4, true },
    { "int", "prio", 28, 4, true },
    { "bool", "group_dead", 32, 1, false },
};
u32 fill_sched_process_exit(TracepointDefinition const& d, u64 const* args, u8* r)
{
    task_comm(thread_arg(args[0]), reinterpret_cast<char*>(r + 8));
    put<i32>(r, 24, task_pid(thread_arg(args[0])));
    put<i32>(r, 28, normal_prio);
    r[32] = 1; // one thread per process: the group dies with it
    return d.record_size;
}
constexpr TracepointDefinition sched_process_exit_definition {
    "sched", "sched_process_exit", sched_process_exit_fields, 4, 40, 1,
    "\"comm=%s pid=%d prio=%d group_dead=%s\", REC->comm, REC->pid, REC->prio, REC->group_dead ? \"true\" : \"false\"",
    fill_sched_process_exit
};

// task:task_newtask
constexpr TracepointField task_newtask_fields[] = {
    { "pid_t", "pid", 8, 4, true },
    { "char", "comm[16]", 12, 16, false },
    { "u64", "clone_flags", 32, 8, false },
    { "short", "oom_score_adj", 40, 2, true },
};
u32 fill_task_newtask(TracepointDefinition const& d, u64 const* args, u8* r)
{
    put<i32>(r, 8, task_pid(thread_arg(args[0])));
    task_comm(thread_arg(args[0]), reinterpret_cast<char*>(r + 12));
    put<u64>(r, 32, args[1]);
    put<i16>(r, 40, 0);
    return d.record_size;
}
constexpr TracepointDefinition task_newtask_definition {
    "task", "task_newtask", task_newtask_fields, 4, 48, 2,
    "\"pid=%d comm=%s clone_flags=%llx oom_score_adj=%hd\", REC->pid, REC->comm, REC->clone_flags, REC->oom_score_adj",
    fill_task_newtask
};

// irq:irq_handler_entry / irq_handler_exit
constexpr TracepointField irq_handler_entry_fields[] = {
    { "int", "irq", 8, 4, true },
    { "__data_loc char[]", "name", 12, 4, false },
};
u32 fill_irq_handler_entry(TracepointDefinition const& d, u64 const* args, u8* r)
{
    put<i32>(r, 8, static_cast<i32>(args[0]));
    u32 end = 16;
    put_string(r, 12, end, d.record_size, reinterpret_cast<char const*>(args[1]), 31);
    return static_cast<u32>(align_up(end, 4));
}
constexpr TracepointDefinition irq_handler_entry_definition {
    "irq", "irq_handler_entry", irq_handler_entry_fields, 2, 16 + 32, 2,
    "\"irq=%d name=%s\", REC->irq, __get_str(name)", fill_irq_handler_entry
};
constexpr TracepointField irq_handler_exit_fields[] = {
    { "int", "irq", 8, 4, true },
    { "int", "ret", 12, 4, true },
};
u32 fill_irq_handler_exit(TracepointDefinition const& d, u64 const* args, u8* r)
{
    put<i32>(r, 8, static_cast<i32>(args[0]));
    put<i32>(r, 12, static_cast<i32>(args[2]));
    return d.record_size;
}
constexpr TracepointDefinition irq_handler_exit_definition {
    "irq", "irq_handler_exit", irq_handler_exit_fields, 2, 16, 3,
    "\"irq=%d ret=%s\", REC->irq, REC->ret ? \"handled\" : \"unhandled\"", fill_irq_handler_exit
};

// timer:hrtimer_expire_entry (our periodic tick plays the hrtimer)
constexpr TracepointField hrtimer_expire_entry_fields[] = {
    { "void *", "hrtimer", 8, 8, false },
    { "s64", "now", 16, 8, true },
    { "void *", "function", 24, 8, false },
};
u32 fill_hrtimer_expire_entry(TracepointDefinition const& d, u64 const* args, u8* r)
{
    put<u64>(r, 8, args[0]);
    put<i64>(r, 16, static_cast<i64>(args[1]));
    put<u64>(r, 24, args[2]);
    return d.record_size;
}
constexpr TracepointDefinition hrtimer_expire_entry_definition {
    "timer", "hrtimer_expire_entry", hrtimer_expire_entry_fields, 3, 32, 3,
    "\"hrtimer=%p function=%ps now=%llu\", REC->hrtimer, REC->function, (unsigned long long) REC->now",
    fill_hrtimer_expire_entry
};

// signal:signal_generate
constexpr TracepointField signal_generate_fields[] = {
    { "int", "sig", 8, 4, true },
    { "int", "errno", 12, 4, true },
    { "int", "code", 16, 4, true },
    { "char", "comm[16]", 20, 16, false },
    { "pid_t", "pid", 36, 4, true },
    { "int", "group", 40, 4, true },
    { "int", "result", 44, 4, true },
};
u32 fill_signal_generate(TracepointDefinition const& d, u64 const* args, u8* r)
{
    put<i32>(r, 8, static_cast<i32>(args[0]));
    put<i32>(r, 12, 0);
    put<i32>(r, 16, static_cast<i32>(args[1]));
    task_comm(thread_arg(args[2]), reinterpret_cast<char*>(r + 20));
    put<i32>(r, 36, task_pid(thread_arg(args[2])));
    put<i32>(r, 40, static_cast<i32>(args[3]));
    put<i32>(r, 44, static_cast<i32>(args[4]));
    return d.record_size;
}
constexpr TracepointDefinition signal_generate_definition {
    "signal", "signal_generate", signal_generate_fields, 7, 48, 5,
    "\"sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d\", REC->sig, REC->errno, REC->code, REC->comm, REC->pid, REC->group, REC->result",
    fill_signal_generate
};

}

Tracepoint tp_sched_switch { sched_switch_definition };
Tracepoint tp_sched_wakeup { sched_wakeup_definition };
Tracepoint tp_sched_process_fork { sched_process_fork_definition };
Tracepoint tp_sched_process_exec { sched_process_exec_definition };
Tracepoint tp_sched_process_exit { sched_process_exit_definition };
Tracepoint tp_task_newtask { task_newtask_definition };
Tracepoint tp_irq_handler_entry { irq_handler_entry_definition };
Tracepoint tp_irq_handler_exit { irq_handler_exit_definition };
Tracepoint tp_hrtimer_expire_entry { hrtimer_expire_entry_definition };
Tracepoint tp_signal_generate { signal_generate_definition };

ErrorOr<void> static_events_initialize()
{
    Tracepoint* all[] = {
        &tp_sched_switch, &tp_sched_wakeup, &tp_sched_process_fork, &tp_sched_process_exec, &tp_sched_process_exit,
        &tp_task_newtask, &tp_irq_handler_entry, &tp_irq_handler_exit, &tp_hrtimer_expire_entry, &tp_signal_generate,
    };
    for (Tracepoint* tracepoint : all)
        TRY(register_tracepoint(*tracepoint));
    return {};
}

}
