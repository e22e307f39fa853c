// Helper implementations (see Helpers.h); each follows the Linux helper of the same name in
// kernel/bpf/helpers.c, kernel/trace/bpf_trace.c, kernel/bpf/ringbuf.c or stackmap.c.
#include "bpf/helpers/Helpers.h"
#include "bpf/Runtime.h"
#include "bpf/helpers/Bprintf.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/maps/Map.h"
#include "bpf/maps/PerfEventArrayMap.h"
#include "bpf/maps/RingbufMap.h"
#include "bpf/maps/StackTraceMap.h"
#include "klib/CString.h"

namespace bpf::helpers {

namespace {
Map* as_map(u64 address) { return reinterpret_cast<Map*>(address); }
template<typename T>
T* as_pointer(u64 address) { return reinterpret_cast<T*>(address); }
u64 errno_result(i64 value) { return static_cast<u64>(value); }
constexpr u64 task_size = 1ull << 47; // x86_64 TASK_SIZE_MAX (4-level paging)
}

u64 map_lookup_elem(u64 map, u64 key, u64, u64, u64) { return reinterpret_cast<u64>(as_map(map)->lookup_elem(as_pointer<void const>(key))); }
u64 map_update_elem(u64 map, u64 key, u64 value, u64 flags, u64)
{
    return errno_result(as_map(map)->update_elem(as_pointer<void const>(key), as_pointer<void const>(value), flags));
}
u64 map_delete_elem(u64 map, u64 key, u64, u64, u64) { return errno_result(as_map(map)->delete_elem(as_pointer<void const>(key))); }
u64 map_push_elem(u64 map, u64 value, u64 flags, u64, u64) { return errno_result(as_map(map)->push_elem(as_pointer<void const>(value), flags)); }
u64 map_pop_elem(u64 map, u64 value, u64, u64, u64) { return errno_result(as_map(map)->pop_elem(as_pointer<void>(value))); }
u64 map_peek_elem(u64 map, u64 value, u64, u64, u64) { return errno_result(as_map(map)->peek_elem(as_pointer<void>(value))); }
u64 map_lookup_percpu_elem(u64 map, u64 key, u64 cpu, u64, u64)
{
    return reinterpret_cast<u64>(as_map(map)->lookup_percpu_elem(as_pointer<void const>(key), static_cast<u32>(cpu)));
}
u64 for_each_map_elem(u64 map, u64 callback, u64 callback_ctx, u64 flags, u64)
{
    return errno_result(as_map(map)->for_each_elem(callback, callback_ctx, flags));
}

u64 loop(u64 nr_loops, u64 callback, u64 callback_ctx, u64 flags, u64)
{
    if (flags)
        return errno_result(-EINVAL);
    u32 count = static_cast<u32>(nr_loops);
    if (count > max_loops)
        return errno_result(-E2BIG);
    u32 i;
    for (i = 0; i < count; i++) {
        if (bpf::call_bpf_function(callback, i, callback_ctx, 0, 0, 0))
            return i + 1;
    }
    return i;
}

u64 probe_read_kernel(u64 dst, u64 size, u64 unsafe_ptr, u64, u64)
{
    return errno_result(helper_environment().probe_read_kernel(as_pointer<void>(dst), static_cast<u32>(size), unsafe_ptr));
}
u64 probe_read_user(u64 dst, u64 size, u64 unsafe_ptr, u64, u64)
{
    return errno_result(helper_environment().probe_read_user(as_pointer<void>(dst), static_cast<u32>(size), unsafe_ptr));
}
u64 probe_read_kernel_str(u64 dst, u64 size, u64 unsafe_ptr, u64, u64)
{
    if (!static_cast<u32>(size))
        return 0;
    return errno_result(helper_environment().probe_read_kernel_str(as_pointer<char>(dst), static_cast<u32>(size), unsafe_ptr));
}
u64 probe_read_user_str(u64 dst, u64 size, u64 unsafe_ptr, u64, u64)
{
    if (!static_cast<u32>(size))
        return 0;
    return errno_result(helper_environment().probe_read_user_str(as_pointer<char>(dst), static_cast<u32>(size), unsafe_ptr));
}
// The legacy helpers pick user or kernel memory by address (x86 has disjoint address spaces).
u64 probe_read(u64 dst, u64 size, u64 unsafe_ptr, u64, u64)
{
    return unsafe_ptr < task_size ? probe_read_user(dst, size, unsafe_ptr, 0, 0) : probe_read_kernel(dst, size, unsafe_ptr, 0, 0);
}
u64 probe_read_str(u64 dst, u64 size, u64 unsafe_ptr, u64, u64)
{
    return unsafe_ptr < task_size ? probe_read_user_str(dst, size, unsafe_ptr, 0, 0) : probe_read_kernel_str(dst, size, unsafe_ptr, 0, 0);
}
u64 copy_from_user(u64 dst, u64 size, u64 user_ptr, u64, u64)
{
    if (!static_cast<u32>(size))
        return 0;
    i64 result = helper_environment().copy_from_user(as_pointer<void>(dst), static_cast<u32>(size), user_ptr);
    if (result < 0) {
        memset(as_pointer<void>(dst), 0, static_cast<u32>(size));
        return errno_result(-EFAULT);
    }
    return 0;
}

u64 ktime_get_ns(u64, u64, u64, u64, u64) { return helper_environment().ktime_ns(); }
u64 ktime_get_boot_ns(u64, u64, u64, u64, u64) { return helper_environment().ktime_boot_ns(); }
u64 ktime_get_coarse_ns(u64, u64, u64, u64, u64) { return helper_environment().ktime_coarse_ns(); }
u64 jiffies64(u64, u64, u64, u64, u64) { return helper_environment().jiffies64(); }

u64 trace_printk(u64 fmt, u64 fmt_size, u64 a1, u64 a2, u64 a3)
{
    u64 args[max_trace_printk_args] = { a1, a2, a3 };
    char buffer[max_bprintf_buffer];
    i64 length = bprintf(as_pointer<char const>(fmt), static_cast<u32>(fmt_size), args, max_trace_printk_args, buffer, sizeof(buffer));
    if (length < 0)
        return errno_result(length);
    helper_environment().trace_output(buffer, static_cast<u32>(length < static_cast<i64>(sizeof(buffer)) ? length : sizeof(buffer) - 1));
    return static_cast<u64>(length);
}

u64 trace_vprintk(u64 fmt, u64 fmt_size, u64 args, u64 data_len, u64)
{
    u32 len = static_cast<u32>(data_len);
    if ((len & 7) || len > max_bprintf_args * 8 || (len && !args))
        return errno_result(-EINVAL);
    char buffer[max_bprintf_buffer];
    i64 length = bprintf(as_pointer<char const>(fmt), static_cast<u32>(fmt_size), as_pointer<u64 const>(args), len / 8, buffer, sizeof(buffer));
    if (length < 0)
        return errno_result(length);
    helper_environment().trace_output(buffer, static_cast<u32>(length < static_cast<i64>(sizeof(buffer)) ? length : sizeof(buffer) - 1));
    return static_cast<u64>(length);
}

u64 snprintf(u64 str, u64 str_size, u64 fmt, u64 args, u64 data_len)
{
    u32 len = static_cast<u32>(data_len);
    if ((len % 8) || len > max_bprintf_args * 8 || (len && !args))
        return errno_result(-EINVAL);
    i64 length = bprintf(as_pointer<char const>(fmt), 0xffffffffu, as_pointer<u64 const>(args), len / 8, as_pointer<char>(str), static_cast<u32>(str_size));
    if (length < 0)
        return errno_result(length);
    return static_cast<u64>(length + 1);
}

u64 get_prandom_u32(u64, u64, u64, u64, u64) { return helper_environment().prandom_u32(); }
u64 get_smp_processor_id(u64, u64, u64, u64, u64) { return helper_environment().current_cpu(); }
u64 get_numa_node_id(u64, u64, u64, u64, u64) { return helper_environment().numa_node_id(); }
u64 get_current_pid_tgid(u64, u64, u64, u64, u64) { return errno_result(helper_environment().current_pid_tgid()); }
u64 get_current_uid_gid(u64, u64, u64, u64, u64) { return errno_result(helper_environment().current_uid_gid()); }
u64 get_current_comm(u64 buffer, u64 size, u64, u64, u64)
{
    return errno_result(helper_environment().current_comm(as_pointer<char>(buffer), static_cast<u32>(size)));
}
u64 get_current_task(u64, u64, u64, u64, u64) { return helper_environment().current_task(); }

u64 get_ns_current_pid_tgid(u64 dev, u64 ino, u64 info, u64 size, u64)
{
    auto* ns = as_pointer<struct bpf_pidns_info>(info);
    u32 bytes = static_cast<u32>(size);
    i64 error = -EINVAL;
    if (bytes == sizeof(struct bpf_pidns_info) && dev == static_cast<u32>(dev)) {
        error = helper_environment().ns_current_pid_tgid(dev, ino, &ns->pid, &ns->tgid);
        if (!error)
            return 0;
    }
    memset(ns, 0, bytes);
    return errno_result(error);
}

u64 get_stackid(u64 ctx, u64 map, u64 flags, u64, u64)
{
    auto* stack_map = static_cast<StackTraceMap*>(as_map(map));
    u32 skip = flags & BPF_F_SKIP_FIELD_MASK;
    bool user = flags & BPF_F_USER_STACK;
    if (flags & ~static_cast<u64>(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID))
        return errno_result(-EINVAL);
    HelperEnvironment& env = helper_environment();
    u32 max_depth = stack_map->max_depth() + skip;
    u32 limit = env.max_stack_depth();
    constexpr u32 capacity = 256;
    if (max_depth > limit)
        max_depth = limit;
    if (max_depth > capacity)
        max_depth = capacity;
    u64 ips[capacity];
    i64 count = env.walk_stack(ctx, user, ips, max_depth);
    if (count < 0)
        return errno_result(-EFAULT);
    if (static_cast<u64>(count) <= skip)
        return errno_result(-EFAULT);
    return errno_result(stack_map->store_stack(ips + skip, static_cast<u32>(count) - skip, flags));
}

u64 get_stack(u64 ctx, u64 buffer, u64 size, u64 flags, u64)
{
    auto* out = as_pointer<u8>(buffer);
    u32 bytes = static_cast<u32>(size);
    u32 skip = flags & BPF_F_SKIP_FIELD_MASK;
    bool user = flags & BPF_F_USER_STACK;
    bool user_build_id = flags & BPF_F_USER_BUILD_ID;
    i64 error = -EINVAL;
    if (!(flags & ~static_cast<u64>(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID)) && !(!user && user_build_id)) {
        u32 element_size = user_build_id ? sizeof(struct bpf_stack_build_id) : sizeof(u64);
        if (bytes % element_size == 0) {
            if (user_build_id) {
                error = -EOPNOTSUPP; // no build-id support in the core (see docs/bpf/helpers.md)
            } else {
                HelperEnvironment& env = helper_environment();
                u32 elements = bytes / element_size;
                u32 max_depth = elements + skip;
                constexpr u32 capacity = 256;
                if (max_depth > env.max_stack_depth())
                    max_depth = env.max_stack_depth();
                if (max_depth > capacity)
                    max_depth = capacity;
                u64 ips[capacity];
                i64 count = env.walk_stack(ctx, user, ips, max_depth);
                if (count < 0 || static_cast<u64>(count) < skip) {
                    error = -EFAULT;
                } else {
                    u32 trace_nr = static_cast<u32>(count) - skip;
                    if (trace_nr > elements)
                        trace_nr = elements;
                    u32 copy_len = trace_nr * element_size;
                    memcpy(out, ips + skip, copy_len);
                    if (bytes > copy_len)
                        memset(out + copy_len, 0, bytes - copy_len);
                    return copy_len;
                }
            }
        }
    }
    memset(out, 0, bytes);
    return errno_result(error);
}

u64 perf_event_output(u64 ctx, u64 map, u64 flags, u64 data, u64 size)
{
    return errno_result(static_cast<PerfEventArrayMap*>(as_map(map))->output(ctx, flags, as_pointer<void const>(data), size));
}

u64 perf_event_read_value(u64 map, u64 flags, u64 buffer, u64 size, u64)
{
    auto* value = as_pointer<struct bpf_perf_event_value>(buffer);
    i64 error = -EINVAL;
    if (static_cast<u32>(size) == sizeof(struct bpf_perf_event_value)) {
        error = static_cast<PerfEventArrayMap*>(as_map(map))->read_value(flags, value);
        if (!error)
            return 0;
    }
    memset(value, 0, static_cast<u32>(size));
    return errno_result(error);
}

// bpf_perf_prog_read_value(ctx, buf, size): like bpf_perf_event_read_value, for the event
// whose sample runs the program.
u64 perf_prog_read_value(u64 ctx, u64 buffer, u64 size, u64, u64)
{
    auto* value = as_pointer<struct bpf_perf_event_value>(buffer);
    i64 error = -EINVAL;
    if (static_cast<u32>(size) == sizeof(struct bpf_perf_event_value)) {
        u64 counter, enabled, running;
        error = helper_environment().sampled_event_read(ctx, &counter, &enabled, &running);
        if (!error) {
            value->counter = counter;
            value->enabled = enabled;
            value->running = running;
            return 0;
        }
    }
    memset(value, 0, static_cast<u32>(size));
    return errno_result(error);
}

u64 ringbuf_output(u64 map, u64 data, u64 size, u64 flags, u64)
{
    return errno_result(static_cast<RingbufMap*>(as_map(map))->output(as_pointer<void const>(data), size, flags));
}
u64 ringbuf_reserve(u64 map, u64 size, u64 flags, u64, u64)
{
    if (flags)
        return 0;
    return reinterpret_cast<u64>(static_cast<RingbufMap*>(as_map(map))->reserve(size));
}
u64 ringbuf_submit(u64 sample, u64 flags, u64, u64, u64)
{
    RingbufMap::commit(as_pointer<void>(sample), flags, false);
    return 0;
}
u64 ringbuf_discard(u64 sample, u64 flags, u64, u64, u64)
{
    RingbufMap::commit(as_pointer<void>(sample), flags, true);
    return 0;
}
u64 ringbuf_query(u64 map, u64 flags, u64, u64, u64) { return static_cast<RingbufMap*>(as_map(map))->query(flags); }

u64 strncmp(u64 s1, u64 s1_size, u64 s2, u64, u64)
{
    auto const* a = as_pointer<unsigned char const>(s1);
    auto const* b = as_pointer<unsigned char const>(s2);
    for (u32 i = 0; i < static_cast<u32>(s1_size); ++i) {
        if (a[i] != b[i])
            return errno_result(a[i] < b[i] ? -1 : 1);
        if (!a[i])
            break;
    }
    return 0;
}

u64 get_func_ip(u64 ctx, u64, u64, u64, u64) { return helper_environment().func_ip(ctx); }
u64 get_attach_cookie(u64 ctx, u64, u64, u64, u64) { return helper_environment().attach_cookie(ctx); }
u64 send_signal(u64 signal, u64, u64, u64, u64) { return errno_result(helper_environment().send_signal(static_cast<u32>(signal), false)); }
u64 send_signal_thread(u64 signal, u64, u64, u64, u64) { return errno_result(helper_environment().send_signal(static_cast<u32>(signal), true)); }

}
