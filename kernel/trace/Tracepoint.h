// Static tracepoints: events defined once (kernel/trace/events/*.cpp) with Linux's field
// layout, fired from call sites, consumed by listeners (perf events of type TRACEPOINT, raw
// tracepoint links, the tracefs trace buffer).
//
// A call site costs one load and a not-taken branch while nothing listens:
//     if (tracepoint_sched_switch.is_active()) [[unlikely]] tracepoint_sched_switch.fire(...);
// fire() takes the raw arguments (what a RAW_TRACEPOINT program sees as u64 args[]); the
// record in Linux's layout (common_type u16, common_flags u8, common_preempt_count u8,
// common_pid s32, then the event's fields) is built once per firing and only when a listener
// wants it.
//
// Safety against attach/detach while firing: listeners run with interrupts masked on the
// firing CPU, with the CPU's firing depth raised; remove_listener() unlinks the listener and
// then waits until no other CPU is inside a firing that could still see it
// (synchronize_tracepoints()). After remove_listener() returns the listener may be freed.
// Listeners must not block or allocate; they may fire other tracepoints (nesting is bounded by
// the BPF recursion guard, see BpfRun.h).
#pragma once

#include "arch/Registers.h"
#include "klib/Atomic.h"
#include "klib/Error.h"
#include "klib/Spinlock.h"
#include "klib/StringView.h"
#include "klib/Types.h"
#include <type_traits>

namespace trace {

constexpr u32 trace_common_header_size = 8;
constexpr u32 max_tracepoint_args = 12;     // MAX_BPF_FUNC_ARGS: a raw tracepoint's u64 args[]
constexpr u32 max_trace_record_size = 512; // records are built on the stack (Linux allows 8192)

// One field of an event's record, as tracefs' `format` prints it.
struct TracepointField {
    char const* type; // "int", "const char *", "char[16]"...
    char const* name;
    u16 offset;
    u16 size;
    bool is_signed;
};

class Tracepoint;

// What listeners receive.
struct TracepointHit {
    Tracepoint const& tracepoint;
    u64 const* args;   // raw arguments
    u32 arg_count;
    u8* record;        // Linux-layout record, or null when no listener asked for it
    u32 record_size;
    Registers const* regs; // registers of the code that hit the event (may be null)
};

class TracepointListener {
public:
    // True when on_hit() needs hit.record.
    virtual bool wants_record() const = 0;
    virtual void on_hit(TracepointHit const& hit) = 0;

protected:
    ~TracepointListener() = default;

private:
    friend class Tracepoint;
    TracepointListener* m_next_listener { nullptr };
};

struct TracepointDefinition;
// Builds the record's fields (after the common header) from the raw arguments. The record
// buffer is zeroed and `definition.record_size` bytes long (the largest record). Returns the
// record's actual size: events with `__data_loc` strings append them after the fixed fields,
// so their records are as long as the strings need (as on Linux).
using RecordFiller = u32 (*)(TracepointDefinition const& definition, u64 const* args, u8* record);

// TracepointDefinition::flags
constexpr u32 tracepoint_flag_probe = 1;  // a kprobe/uprobe event: KPROBE programs get hit.regs as ctx
constexpr u32 tracepoint_flag_no_raw = 2; // not a raw tracepoint (Linux's per-syscall events)
constexpr u32 tracepoint_flag_hidden = 4; // not listed in tracefs (PMU-created probe events)

struct TracepointDefinition {
    char const* system;        // "sched"
    char const* name;          // "sched_switch"
    TracepointField const* fields;
    u32 field_count;
    u32 record_size;           // the largest record, including the 8-byte common header
    u32 arg_count;             // raw arguments
    char const* print_fmt;     // tracefs `print fmt:` (Linux's text)
    RecordFiller fill;
    u32 flags { 0 };
    // Optional: a counter shared by a group of tracepoints (all syscall events), kept equal to
    // the group's number of listeners, so one call site can test the whole group at once.
    Atomic<u32>* group_listeners { nullptr };
};

class Tracepoint {
public:
    explicit constexpr Tracepoint(TracepointDefinition const& definition)
        : m_definition(definition)
    {
    }

    TracepointDefinition const& definition() const { return m_definition; }
    StringView system() const { return m_definition.system; }
    StringView name() const { return m_definition.name; }
    u32 record_size() const { return m_definition.record_size; }
    u32 id() const { return m_id; } // tracefs events/<system>/<name>/id; 0 until registered

    // The fast-path test at call sites.
    bool is_active() const { return m_active_listeners.load(MemoryOrder::Relaxed) != 0; }

    // Slow path: builds the record if needed and calls every listener.
    void fire(u64 const* args, u32 arg_count, Registers const* regs = nullptr);
    template<typename... Args>
    void fire_with(Registers const* regs, Args... args)
    {
        u64 raw[] = { to_raw(args)..., 0 };
        fire(raw, sizeof...(Args), regs);
    }

    // ENOMEM never (intrusive list); EEXIST if already listening.
    ErrorOr<void> add_listener(TracepointListener&);
    void remove_listener(TracepointListener&);

    // Set by the registry (tracepoint_registry_initialize).
    void set_id(u32 id) { m_id = id; }

private:
    template<typename T>
    static u64 to_raw(T value)
    {
        if constexpr (std::is_pointer_v<T>)
            return reinterpret_cast<u64>(value);
        else
            return static_cast<u64>(value);
    }

    TracepointDefinition const& m_definition;
    u32 m_id { 0 };
    Atomic<u32> m_active_listeners { 0 };
    Spinlock m_lock;
    TracepointListener* m_listeners { nullptr };
};

// Waits until every CPU has left the tracepoint firings it was in when called.
void synchronize_tracepoints();

// The registry of all tracepoints (static events plus dynamic ones such as kprobe events).
// Ids are assigned at registration, starting after Linux's reserved low ids.
ErrorOr<void> register_tracepoint(Tracepoint&);
void unregister_tracepoint(Tracepoint&); // synchronizes; the id is not reused
// Lookups return registered tracepoints; a dynamic one (kprobe event) may be unregistered and
// freed later, so code that keeps the pointer must hold a listener on it (the owners of
// dynamic events refuse removal with EBUSY while a listener is attached). Prefer
// add_listener_by_id(), which looks up and attaches atomically (ENOENT when unknown).
Tracepoint* find_tracepoint(u32 id);
ErrorOr<Tracepoint*> add_listener_by_id(u32 id, TracepointListener&);
Tracepoint* find_tracepoint(StringView system, StringView name);
// Raw tracepoint lookup by bare name ("sys_enter", "sched_switch").
Tracepoint* find_tracepoint_by_name(StringView name);
// Visits all registered tracepoints in id order; the callback returns false to stop.
// unregister_tracepoint() waits for running visits to finish.
void for_each_tracepoint(bool (*visit)(Tracepoint&, void* context), void* context);

}
