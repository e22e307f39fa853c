/* syscount.bpf.c: per-syscall call counts and (with latency on) total time in the syscall,
 * from the raw_syscalls:sys_enter/sys_exit tracepoints, kept in a hash keyed by syscall number. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct raw_enter { __u64 common; __s64 id; __u64 args[6]; };
struct raw_exit { __u64 common; __s64 id; __s64 ret; };
struct data { __u64 count; __u64 total_ns; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, __u32); __type(value, __u64); } start SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, __u32); __type(value, struct data); } data SEC(".maps");

const volatile __u32 targ_tgid = 0;
const volatile __u32 measure_latency = 0;
const volatile __u32 filter_failed = 0;

static const struct data zero;

SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter(struct raw_enter *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    if (!measure_latency || (targ_tgid && (id >> 32) != targ_tgid))
        return 0;
    __u32 tid = (__u32)id;
    __u64 ts = bpf_ktime_get_ns();
    bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
    return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit(struct raw_exit *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    if (targ_tgid && (id >> 32) != targ_tgid)
        return 0;
    if (ctx->id < 0 || (filter_failed && ctx->ret >= 0))
        return 0;
    __u32 tid = (__u32)id;
    __u64 lat = 0;
    if (measure_latency) {
        __u64 *ts = bpf_map_lookup_elem(&start, &tid);
        if (!ts)
            return 0;
        lat = bpf_ktime_get_ns() - *ts;
        bpf_map_delete_elem(&start, &tid);
    }
    __u32 nr = (__u32)ctx->id;
    struct data *d = bpf_map_lookup_elem(&data, &nr);
    if (!d) {
        bpf_map_update_elem(&data, &nr, &zero, BPF_NOEXIST);
        d = bpf_map_lookup_elem(&data, &nr);
        if (!d)
            return 0;
    }
    __sync_fetch_and_add(&d->count, 1);
    if (measure_latency)
        __sync_fetch_and_add(&d->total_ns, lat);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
