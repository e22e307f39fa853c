// The syscall tracepoints (see SyscallEvents.h). Definitions are built at boot from the
// generated field table (SyscallEventFields.inc, Linux's names, types and print formats).
#include "trace/events/SyscallEvents.h"
#include "klib/CString.h"
#include "klib/String.h"

namespace trace {

Tracepoint* raw_syscalls_enter;
Tracepoint* raw_syscalls_exit;
Atomic<u32> syscall_tracepoint_users { 0 };

namespace {

constexpr u32 max_syscall_number = 512;
constexpr u32 max_syscall_args = 6;

struct FieldSpec {
    char const* type;
    char const* name;
    bool is_signed;
};

struct SyscallSpec {
    u32 number;
    char const* name;
    u32 arg_count;
    char const* print_fmt;
    FieldSpec fields[max_syscall_args + 1];
};

#define SYSCALL_FIELD(type, name, is_signed) FieldSpec { type, name, is_signed },
#define SYSCALL_EVENT(number, name, count, fmt, ...) SyscallSpec { number, #name, count, fmt, { __VA_ARGS__ } },
constexpr SyscallSpec specs[] = {
#include "trace/events/SyscallEventFields.inc"
};
#undef SYSCALL_EVENT
#undef SYSCALL_FIELD
constexpr usize spec_count = sizeof(specs) / sizeof(specs[0]);

struct SyscallEventStorage {
    char enter_name[48];
    char exit_name[48];
    TracepointField enter_fields[1 + max_syscall_args];
    TracepointDefinition enter;
    TracepointDefinition exit;
};
SyscallEventStorage storage[spec_count];
Tracepoint* enter_by_number[max_syscall_number];
Tracepoint* exit_by_number[max_syscall_number];

constexpr TracepointField exit_fields[] = {
    { "int", "__syscall_nr", 8, 4, true },
    { "long", "ret", 16, 8, true },
};

// Raw arguments of a per-syscall event: nr, then the six argument registers (enter) or the
// return value (exit).
u32 fill_enter(TracepointDefinition const& definition, u64 const* args, u8* record)
{
    i32 nr = static_cast<i32>(args[0]);
    memcpy(record + 8, &nr, 4);
    u32 count = (definition.record_size - 16) / 8;
    memcpy(record + 16, args + 1, count * 8);
    return definition.record_size;
}

u32 fill_exit(TracepointDefinition const& definition, u64 const* args, u8* record)
{
    i32 nr = static_cast<i32>(args[0]);
    memcpy(record + 8, &nr, 4);
    memcpy(record + 16, &args[1], 8);
    return definition.record_size;
}

// raw_syscalls: args (regs, id) / (regs, ret); the record has id/ret and the six arguments.
constexpr TracepointField raw_enter_fields[] = {
    { "long", "id", 8, 8, true },
    { "unsigned long", "args[6]", 16, 48, false },
};
constexpr TracepointField raw_exit_fields[] = {
    { "long", "id", 8, 8, true },
    { "long", "ret", 16, 8, true },
};

u32 fill_raw_enter(TracepointDefinition const& definition, u64 const* args, u8* record)
{
    auto const* regs = reinterpret_cast<Registers const*>(args[0]);
    memcpy(record + 8, &args[1], 8);
    u64 values[6] = { regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9 };
    memcpy(record + 16, values, sizeof values);
    return definition.record_size;
}

u32 fill_raw_exit(TracepointDefinition const& definition, u64 const* args, u8* record)
{
    // args: regs, ret, then (not visible to programs) the syscall number.
    memcpy(record + 8, &args[2], 8);
    memcpy(record + 16, &args[1], 8);
    return definition.record_size;
}

constexpr TracepointDefinition raw_enter_definition {
    "raw_syscalls", "sys_enter", raw_enter_fields, 2, 64, 2,
    "\"NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)\", REC->id, REC->args[0], REC->args[1], REC->args[2], REC->args[3], REC->args[4], REC->args[5]",
    fill_raw_enter, 0, &syscall_tracepoint_users
};
constexpr TracepointDefinition raw_exit_definition {
    "raw_syscalls", "sys_exit", raw_exit_fields, 2, 24, 2,
    "\"NR %ld = %ld\", REC->id, REC->ret", fill_raw_exit, 0, &syscall_tracepoint_users
};

void copy_name(char* out, usize size, char const* prefix, char const* name)
{
    usize used = 0;
    for (char const* p = prefix; *p && used + 1 < size; p++)
        out[used++] = *p;
    for (char const* p = name; *p && used + 1 < size; p++)
        out[used++] = *p;
    out[used] = 0;
}

}

ErrorOr<void> syscall_events_initialize()
{
    // Linux registers raw_syscalls before the per-syscall events.
    raw_syscalls_enter = new (std::nothrow) Tracepoint(raw_enter_definition);
    raw_syscalls_exit = new (std::nothrow) Tracepoint(raw_exit_definition);
    if (!raw_syscalls_enter || !raw_syscalls_exit)
        return Error(ENOMEM);
    TRY(register_tracepoint(*raw_syscalls_enter));
    TRY(register_tracepoint(*raw_syscalls_exit));

    for (usize i = 0; i < spec_count; i++) {
        SyscallSpec const& spec = specs[i];
        SyscallEventStorage& s = storage[i];
        copy_name(s.enter_name, sizeof s.enter_name, "sys_enter_", spec.name);
        copy_name(s.exit_name, sizeof s.exit_name, "sys_exit_", spec.name);
        s.enter_fields[0] = { "int", "__syscall_nr", 8, 4, true };
        for (u32 a = 0; a < spec.arg_count; a++)
            s.enter_fields[1 + a] = { spec.fields[a].type, spec.fields[a].name, static_cast<u16>(16 + 8 * a), 8, spec.fields[a].is_signed };
        s.enter = { "syscalls", s.enter_name, s.enter_fields, 1 + spec.arg_count, 16 + 8 * spec.arg_count, 1 + max_syscall_args,
            spec.print_fmt, fill_enter, tracepoint_flag_no_raw, &syscall_tracepoint_users };
        s.exit = { "syscalls", s.exit_name, exit_fields, 2, 24, 2, "\"0x%lx\", REC->ret", fill_exit, tracepoint_flag_no_raw,
            &syscall_tracepoint_users };
        auto* enter = new (std::nothrow) Tracepoint(s.enter);
        auto* exit = new (std::nothrow) Tracepoint(s.exit);
        if (!enter || !exit)
            return Error(ENOMEM);
        TRY(register_tracepoint(*enter));
        TRY(register_tracepoint(*exit));
        if (spec.number < max_syscall_number) {
            enter_by_number[spec.number] = enter;
            exit_by_number[spec.number] = exit;
        }
    }
    return {};
}

Tracepoint* syscall_enter_tracepoint(u64 number) { return number < max_syscall_number ? enter_by_number[number] : nullptr; }
Tracepoint* syscall_exit_tracepoint(u64 number) { return number < max_syscall_number ? exit_by_number[number] : nullptr; }

void fire_syscall_enter(Registers const& regs)
{
    u64 number = regs.orig_rax;
    if (raw_syscalls_enter->is_active())
        raw_syscalls_enter->fire_with(&regs, &regs, number);
    Tracepoint* tracepoint = syscall_enter_tracepoint(number);
    if (tracepoint && tracepoint->is_active()) {
        u64 args[] = { number, regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9 };
        tracepoint->fire(args, 7, &regs);
    }
}

void fire_syscall_exit(Registers const& regs, u64 number, u64 result)
{
    if (raw_syscalls_exit->is_active()) {
        u64 args[] = { reinterpret_cast<u64>(&regs), result, number };
        raw_syscalls_exit->fire(args, 2, &regs);
    }
    Tracepoint* tracepoint = syscall_exit_tracepoint(number);
    if (tracepoint && tracepoint->is_active()) {
        u64 args[] = { number, result };
        tracepoint->fire(args, 2, &regs);
    }
}

}
