// The helper functions themselves, with Linux's calling convention (five u64 arguments,
// u64 result, negative errno as a u64 for failures). Map helpers receive the bpf::Map
// address in r1; kernel services come from the HelperEnvironment. The prototypes and
// program-type rules for each live in HelperTable.cpp.
//
// All of them may run in any context a program runs in: none blocks, none allocates (map
// helpers on BPF_F_NO_PREALLOC maps excepted, see ElementPool.h), locking is the maps'.
#pragma once

#include "klib/Types.h"

namespace bpf::helpers {

u64 map_lookup_elem(u64 map, u64 key, u64, u64, u64);
u64 map_update_elem(u64 map, u64 key, u64 value, u64 flags, u64);
u64 map_delete_elem(u64 map, u64 key, u64, u64, u64);
u64 map_push_elem(u64 map, u64 value, u64 flags, u64, u64);
u64 map_pop_elem(u64 map, u64 value, u64, u64, u64);
u64 map_peek_elem(u64 map, u64 value, u64, u64, u64);
u64 map_lookup_percpu_elem(u64 map, u64 key, u64 cpu, u64, u64);
u64 for_each_map_elem(u64 map, u64 callback, u64 callback_ctx, u64 flags, u64);
u64 loop(u64 nr_loops, u64 callback, u64 callback_ctx, u64 flags, u64);
u64 probe_read(u64 dst, u64 size, u64 unsafe_ptr, u64, u64);
u64 probe_read_str(u64 dst, u64 size, u64 unsafe_ptr, u64, u64);
u64 probe_read_user(u64 dst, u64 size, u64 unsafe_ptr, u64, u64);
u64 probe_read_kernel(u64 dst, u64 size, u64 unsafe_ptr, u64, u64);
u64 probe_read_user_str(u64 dst, u64 size, u64 unsafe_ptr, u64, u64);
u64 probe_read_kernel_str(u64 dst, u64 size, u64 unsafe_ptr, u64, u64);
u64 copy_from_user(u64 dst, u64 size, u64 user_ptr, u64, u64);
u64 ktime_get_ns(u64, u64, u64, u64, u64);
u64 ktime_get_boot_ns(u64, u64, u64, u64, u64);
u64 ktime_get_coarse_ns(u64, u64, u64, u64, u64);
u64 jiffies64(u64, u64, u64, u64, u64);
u64 trace_printk(u64 fmt, u64 fmt_size, u64 a1, u64 a2, u64 a3);
u64 trace_vprintk(u64 fmt, u64 fmt_size, u64 args, u64 data_len, u64);
u64 snprintf(u64 str, u64 str_size, u64 fmt, u64 args, u64 data_len);
u64 get_prandom_u32(u64, u64, u64, u64, u64);
u64 get_smp_processor_id(u64, u64, u64, u64, u64);
u64 get_numa_node_id(u64, u64, u64, u64, u64);
u64 get_current_pid_tgid(u64, u64, u64, u64, u64);
u64 get_current_uid_gid(u64, u64, u64, u64, u64);
u64 get_current_comm(u64 buffer, u64 size, u64, u64, u64);
u64 get_current_task(u64, u64, u64, u64, u64);
u64 get_ns_current_pid_tgid(u64 dev, u64 ino, u64 info, u64 size, u64);
u64 get_stackid(u64 ctx, u64 map, u64 flags, u64, u64);
u64 get_stack(u64 ctx, u64 buffer, u64 size, u64 flags, u64);
u64 perf_event_output(u64 ctx, u64 map, u64 flags, u64 data, u64 size);
u64 perf_event_read_value(u64 map, u64 flags, u64 buffer, u64 size, u64);
u64 perf_prog_read_value(u64 ctx, u64 buffer, u64 size, u64, u64);
u64 ringbuf_output(u64 map, u64 data, u64 size, u64 flags, u64);
u64 ringbuf_reserve(u64 map, u64 size, u64 flags, u64, u64);
u64 ringbuf_submit(u64 sample, u64 flags, u64, u64, u64);
u64 ringbuf_discard(u64 sample, u64 flags, u64, u64, u64);
u64 ringbuf_query(u64 map, u64 flags, u64, u64, u64);
u64 strncmp(u64 s1, u64 s1_size, u64 s2, u64, u64);
u64 get_func_ip(u64 ctx, u64, u64, u64, u64);
u64 get_attach_cookie(u64 ctx, u64, u64, u64, u64);
u64 send_signal(u64 signal, u64, u64, u64, u64);
u64 send_signal_thread(u64 signal, u64, u64, u64, u64);

constexpr u32 max_loops = 1u << 23; // BPF_MAX_LOOPS

}
