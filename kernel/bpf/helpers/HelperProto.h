// Helper prototypes as data, modelled on Linux's struct bpf_func_proto: the return type, the
// five argument types (Linux's base types plus modifier bits), gpl_only, and which program
// types may call the helper. The verifier checks calls against this table; the interpreter
// takes its function pointers from helper_table().
//
// The table is immutable after static initialisation; lookups are lock-free.
#pragma once

#include "bpf/Runtime.h"
#include "klib/Types.h"
#include <linux/bpf.h>

namespace bpf {

// enum bpf_return_type
enum RetType : u32 {
    RET_INTEGER = 0,
    RET_VOID,
    RET_PTR_TO_MAP_VALUE,
    RET_PTR_TO_SOCKET,
    RET_PTR_TO_TCP_SOCK,
    RET_PTR_TO_SOCK_COMMON,
    RET_PTR_TO_MEM,
    RET_PTR_TO_MEM_OR_BTF_ID,
    RET_PTR_TO_BTF_ID,
};

// enum bpf_arg_type (base types)
enum ArgType : u32 {
    ARG_DONTCARE = 0,
    ARG_CONST_MAP_PTR,
    ARG_PTR_TO_MAP_KEY,
    ARG_PTR_TO_MAP_VALUE,
    ARG_PTR_TO_MEM,
    ARG_PTR_TO_ARENA,
    ARG_CONST_SIZE,
    ARG_CONST_SIZE_OR_ZERO,
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_PTR_TO_SPIN_LOCK,
    ARG_PTR_TO_SOCK_COMMON,
    ARG_PTR_TO_SOCKET,
    ARG_PTR_TO_BTF_ID,
    ARG_PTR_TO_RINGBUF_MEM,
    ARG_CONST_ALLOC_SIZE_OR_ZERO,
    ARG_PTR_TO_BTF_ID_SOCK_COMMON,
    ARG_PTR_TO_PERCPU_BTF_ID,
    ARG_PTR_TO_FUNC,
    ARG_PTR_TO_STACK,
    ARG_PTR_TO_CONST_STR,
    ARG_PTR_TO_TIMER,
};

// enum bpf_type_flag (the modifier bits that matter for helper prototypes)
constexpr u32 PTR_MAYBE_NULL = 1u << 8;
constexpr u32 MEM_RDONLY = 1u << 9;
constexpr u32 MEM_RINGBUF = 1u << 10;
constexpr u32 MEM_UNINIT = 1u << 11;
constexpr u32 OBJ_RELEASE = 1u << 12;
constexpr u32 MEM_FIXED_SIZE = 1u << 13;
constexpr u32 MEM_WRITE = 1u << 14;
constexpr u32 type_flag_mask = ~0xffu;
constexpr u32 base_type(u32 type) { return type & 0xffu; }

// Linux's composite names.
constexpr u32 RET_PTR_TO_MAP_VALUE_OR_NULL = PTR_MAYBE_NULL | RET_PTR_TO_MAP_VALUE;
constexpr u32 RET_PTR_TO_RINGBUF_MEM_OR_NULL = PTR_MAYBE_NULL | MEM_RINGBUF | RET_PTR_TO_MEM;
constexpr u32 ARG_PTR_TO_MEM_OR_NULL = PTR_MAYBE_NULL | ARG_PTR_TO_MEM;
constexpr u32 ARG_PTR_TO_STACK_OR_NULL = PTR_MAYBE_NULL | ARG_PTR_TO_STACK;
constexpr u32 ARG_PTR_TO_UNINIT_MEM = ARG_PTR_TO_MEM | MEM_UNINIT | MEM_WRITE;
constexpr u32 ARG_PTR_TO_UNINIT_MAP_VALUE = ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE;

constexpr u64 program_type_bit(u32 type) { return 1ull << type; }
constexpr u64 all_program_types = ~0ull;
// Program types Linux's bpf_tracing_func_proto() serves.
constexpr u64 tracing_program_types = program_type_bit(BPF_PROG_TYPE_KPROBE) | program_type_bit(BPF_PROG_TYPE_TRACEPOINT)
    | program_type_bit(BPF_PROG_TYPE_PERF_EVENT) | program_type_bit(BPF_PROG_TYPE_RAW_TRACEPOINT)
    | program_type_bit(BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE) | program_type_bit(BPF_PROG_TYPE_TRACING)
    | program_type_bit(BPF_PROG_TYPE_LSM);

struct HelperProto {
    u32 id;                 // BPF_FUNC_*
    char const* name;       // without the bpf_ prefix
    HelperFunction function; // nullptr for tail_call (the interpreter implements it)
    u32 ret_type;
    u32 arg_type[5];
    bool gpl_only;
    bool requires_perfmon;  // needs CAP_PERFMON (bpf_base_func_proto's privileged group)
    bool sleepable_only;    // only for sleepable programs (copy_from_user)
    u64 program_types;      // bit per BPF_PROG_TYPE_* that may call it
};

// The prototype of helper `id`, or nullptr when this kernel does not provide it.
HelperProto const* helper_proto(u32 id);
// Whether a program of `program_type` (gpl: its license is GPL-compatible; perfmon: loaded
// with CAP_PERFMON) may call helper `id`.
bool helper_allowed(u32 id, u32 program_type, bool gpl, bool perfmon = true);
// Dense table of function pointers indexed by helper id (nullptr = none), for the
// interpreter's ExecutionEnvironment; helper_table_size() entries.
HelperFunction const* helper_table();
u32 helper_table_size();
// Every provided prototype, in id order.
HelperProto const* helper_protos(u32* count);
// Helpers that need a kernel context (packet access for socket filters and XDP, ...) are
// provided by the kernel layer, which registers their prototypes once at boot, before any
// program is verified; helper_proto() and helper_allowed() then know them too. Ids that the
// core table already provides are ignored.
void register_context_helpers(HelperProto const* protos, u32 count);

}
