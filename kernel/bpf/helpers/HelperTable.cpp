// The helper prototype table (see HelperProto.h). Ids come from <linux/bpf.h>; return and
// argument types, gpl_only and the privileged/sleepable markers are Linux's bpf_func_proto
// values; program types follow Linux's get_func_proto: "base" helpers (bpf_base_func_proto)
// for every type, tracing helpers for the tracing program types.
#include "bpf/helpers/HelperProto.h"
#include "bpf/helpers/Helpers.h"

namespace bpf {

namespace {

using namespace helpers;

constexpr u64 base = all_program_types;
constexpr u64 tracing = tracing_program_types;
constexpr u64 kprobe_like = program_type_bit(BPF_PROG_TYPE_KPROBE) | program_type_bit(BPF_PROG_TYPE_TRACING);
constexpr u64 perf_readers = program_type_bit(BPF_PROG_TYPE_KPROBE) | program_type_bit(BPF_PROG_TYPE_TRACEPOINT)
    | program_type_bit(BPF_PROG_TYPE_PERF_EVENT) | program_type_bit(BPF_PROG_TYPE_RAW_TRACEPOINT) | program_type_bit(BPF_PROG_TYPE_TRACING);

constexpr u32 map_ptr = ARG_CONST_MAP_PTR;
constexpr u32 key = ARG_PTR_TO_MAP_KEY;
constexpr u32 any = ARG_ANYTHING;
constexpr u32 none = ARG_DONTCARE;
constexpr u32 ro_mem = ARG_PTR_TO_MEM | MEM_RDONLY;

#define PROTO(ID, NAME, FN, RET, A1, A2, A3, A4, A5, GPL, PERFMON, SLEEPABLE, TYPES) \
    HelperProto { ID, NAME, FN, RET, { A1, A2, A3, A4, A5 }, GPL, PERFMON, SLEEPABLE, TYPES }

HelperProto const s_protos[] = {
    PROTO(BPF_FUNC_map_lookup_elem, "map_lookup_elem", map_lookup_elem, RET_PTR_TO_MAP_VALUE_OR_NULL, map_ptr, key, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_map_update_elem, "map_update_elem", map_update_elem, RET_INTEGER, map_ptr, key, ARG_PTR_TO_MAP_VALUE, any, none, false, false, false, base),
    PROTO(BPF_FUNC_map_delete_elem, "map_delete_elem", map_delete_elem, RET_INTEGER, map_ptr, key, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_probe_read, "probe_read", probe_read, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, any, none, none, true, false, false, tracing),
    PROTO(BPF_FUNC_ktime_get_ns, "ktime_get_ns", ktime_get_ns, RET_INTEGER, none, none, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_trace_printk, "trace_printk", trace_printk, RET_INTEGER, ro_mem, ARG_CONST_SIZE, none, none, none, true, true, false, base),
    PROTO(BPF_FUNC_get_prandom_u32, "get_prandom_u32", get_prandom_u32, RET_INTEGER, none, none, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_get_smp_processor_id, "get_smp_processor_id", get_smp_processor_id, RET_INTEGER, none, none, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_tail_call, "tail_call", nullptr, RET_VOID, ARG_PTR_TO_CTX, map_ptr, any, none, none, false, false, false, base),
    PROTO(BPF_FUNC_get_current_pid_tgid, "get_current_pid_tgid", get_current_pid_tgid, RET_INTEGER, none, none, none, none, none, false, false, false, tracing),
    PROTO(BPF_FUNC_get_current_uid_gid, "get_current_uid_gid", get_current_uid_gid, RET_INTEGER, none, none, none, none, none, false, false, false, tracing),
    PROTO(BPF_FUNC_get_current_comm, "get_current_comm", get_current_comm, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, none, none, none, false, false, false, tracing),
    PROTO(BPF_FUNC_perf_event_output, "perf_event_output", perf_event_output, RET_INTEGER, ARG_PTR_TO_CTX, map_ptr, any, ro_mem, ARG_CONST_SIZE_OR_ZERO, true, false, false, tracing),
    PROTO(BPF_FUNC_get_stackid, "get_stackid", get_stackid, RET_INTEGER, ARG_PTR_TO_CTX, map_ptr, any, none, none, true, false, false, tracing),
    PROTO(BPF_FUNC_get_current_task, "get_current_task", get_current_task, RET_INTEGER, none, none, none, none, none, true, true, false, base),
    PROTO(BPF_FUNC_get_numa_node_id, "get_numa_node_id", get_numa_node_id, RET_INTEGER, none, none, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_probe_read_str, "probe_read_str", probe_read_str, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, any, none, none, true, false, false, tracing),
    PROTO(BPF_FUNC_perf_event_read_value, "perf_event_read_value", perf_event_read_value, RET_INTEGER, map_ptr, any, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, none, true, false, false, perf_readers),
    PROTO(BPF_FUNC_perf_prog_read_value, "perf_prog_read_value", perf_prog_read_value, RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, none, none, true, false, false, program_type_bit(BPF_PROG_TYPE_PERF_EVENT)),
    PROTO(BPF_FUNC_get_stack, "get_stack", get_stack, RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, any, none, true, false, false, tracing),
    PROTO(BPF_FUNC_map_push_elem, "map_push_elem", map_push_elem, RET_INTEGER, map_ptr, ARG_PTR_TO_MAP_VALUE, any, none, none, false, false, false, base),
    PROTO(BPF_FUNC_map_pop_elem, "map_pop_elem", map_pop_elem, RET_INTEGER, map_ptr, ARG_PTR_TO_UNINIT_MAP_VALUE, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_map_peek_elem, "map_peek_elem", map_peek_elem, RET_INTEGER, map_ptr, ARG_PTR_TO_UNINIT_MAP_VALUE, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_send_signal, "send_signal", send_signal, RET_INTEGER, any, none, none, none, none, false, false, false, tracing),
    PROTO(BPF_FUNC_probe_read_user, "probe_read_user", probe_read_user, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, any, none, none, true, true, false, base),
    PROTO(BPF_FUNC_probe_read_kernel, "probe_read_kernel", probe_read_kernel, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, any, none, none, true, true, false, base),
    PROTO(BPF_FUNC_probe_read_user_str, "probe_read_user_str", probe_read_user_str, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, any, none, none, true, true, false, base),
    PROTO(BPF_FUNC_probe_read_kernel_str, "probe_read_kernel_str", probe_read_kernel_str, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, any, none, none, true, true, false, base),
    PROTO(BPF_FUNC_send_signal_thread, "send_signal_thread", send_signal_thread, RET_INTEGER, any, none, none, none, none, false, false, false, tracing),
    PROTO(BPF_FUNC_jiffies64, "jiffies64", jiffies64, RET_INTEGER, none, none, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_get_ns_current_pid_tgid, "get_ns_current_pid_tgid", get_ns_current_pid_tgid, RET_INTEGER, any, any, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, none, false, false, false, tracing),
    PROTO(BPF_FUNC_ktime_get_boot_ns, "ktime_get_boot_ns", ktime_get_boot_ns, RET_INTEGER, none, none, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_ringbuf_output, "ringbuf_output", ringbuf_output, RET_INTEGER, map_ptr, ro_mem, ARG_CONST_SIZE_OR_ZERO, any, none, false, false, false, base),
    PROTO(BPF_FUNC_ringbuf_reserve, "ringbuf_reserve", ringbuf_reserve, RET_PTR_TO_RINGBUF_MEM_OR_NULL, map_ptr, ARG_CONST_ALLOC_SIZE_OR_ZERO, any, none, none, false, false, false, base),
    PROTO(BPF_FUNC_ringbuf_submit, "ringbuf_submit", ringbuf_submit, RET_VOID, ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, any, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_ringbuf_discard, "ringbuf_discard", ringbuf_discard, RET_VOID, ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, any, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_ringbuf_query, "ringbuf_query", ringbuf_query, RET_INTEGER, map_ptr, any, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_copy_from_user, "copy_from_user", copy_from_user, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, any, none, none, false, false, true, tracing),
    PROTO(BPF_FUNC_ktime_get_coarse_ns, "ktime_get_coarse_ns", ktime_get_coarse_ns, RET_INTEGER, none, none, none, none, none, false, false, false, base),
    PROTO(BPF_FUNC_for_each_map_elem, "for_each_map_elem", for_each_map_elem, RET_INTEGER, map_ptr, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, any, none, false, false, false, base),
    PROTO(BPF_FUNC_snprintf, "snprintf", snprintf, RET_INTEGER, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_CONST_STR, ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, true, true, false, base),
    PROTO(BPF_FUNC_get_func_ip, "get_func_ip", get_func_ip, RET_INTEGER, ARG_PTR_TO_CTX, none, none, none, none, false, false, false, kprobe_like),
    PROTO(BPF_FUNC_get_attach_cookie, "get_attach_cookie", get_attach_cookie, RET_INTEGER, ARG_PTR_TO_CTX, none, none, none, none, false, false, false, perf_readers),
    PROTO(BPF_FUNC_trace_vprintk, "trace_vprintk", trace_vprintk, RET_INTEGER, ro_mem, ARG_CONST_SIZE, ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, none, true, true, false, base),
    PROTO(BPF_FUNC_loop, "loop", loop, RET_INTEGER, any, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, any, none, false, false, false, base),
    PROTO(BPF_FUNC_strncmp, "strncmp", strncmp, RET_INTEGER, ro_mem, ARG_CONST_SIZE, ARG_PTR_TO_CONST_STR, none, none, false, false, false, base),
    PROTO(BPF_FUNC_map_lookup_percpu_elem, "map_lookup_percpu_elem", map_lookup_percpu_elem, RET_PTR_TO_MAP_VALUE_OR_NULL, map_ptr, key, any, none, none, false, false, false, base),
};

constexpr u32 table_size = __BPF_FUNC_MAX_ID;

struct DenseTable {
    HelperProto const* by_id[table_size];
    HelperFunction functions[table_size];
    constexpr DenseTable()
        : by_id {}
        , functions {}
    {
        for (auto const& proto : s_protos) {
            by_id[proto.id] = &proto;
            functions[proto.id] = proto.function;
        }
    }
};

constexpr DenseTable s_table;

// Prototypes registered by the kernel layer (register_context_helpers); written only at boot.
HelperProto const* s_context_protos[table_size];

}

HelperProto const* helper_proto(u32 id)
{
    if (id >= table_size)
        return nullptr;
    return s_table.by_id[id] ? s_table.by_id[id] : s_context_protos[id];
}

void register_context_helpers(HelperProto const* protos, u32 count)
{
    for (u32 i = 0; i < count; ++i)
        if (protos[i].id < table_size && !s_table.by_id[protos[i].id])
            s_context_protos[protos[i].id] = &protos[i];
}

bool helper_allowed(u32 id, u32 program_type, bool gpl, bool perfmon)
{
    HelperProto const* proto = helper_proto(id);
    if (!proto || program_type >= 64 || !(proto->program_types & program_type_bit(program_type)))
        return false;
    if (proto->gpl_only && !gpl)
        return false;
    if (proto->requires_perfmon && !perfmon)
        return false;
    return true;
}

HelperFunction const* helper_table() { return s_table.functions; }
u32 helper_table_size() { return table_size; }

HelperProto const* helper_protos(u32* count)
{
    *count = sizeof(s_protos) / sizeof(s_protos[0]);
    return s_protos;
}

}
