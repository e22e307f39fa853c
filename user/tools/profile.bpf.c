/* profile.bpf.c: a PERF_EVENT program run on every CPU_CLOCK sample: records the kernel and
 * user stacks with bpf_get_stackid into a STACK_TRACE map and counts samples per
 * (pid, comm, kernel stack, user stack). The idle task (pid 0) is left out unless asked for. */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>
#include "profile.h"

struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 4096); __uint(key_size, sizeof(__u32)); __uint(value_size, PROFILE_MAX_DEPTH * sizeof(__u64)); } stackmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, struct key); __type(value, __u64); } counts SEC(".maps");

const volatile __u32 targ_tgid = 0;
const volatile __u32 user_stacks = 1;
const volatile __u32 kernel_stacks = 1;
const volatile __u32 include_idle = 0;

static const __u64 zero;

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 pid = id >> 32;
    if (!include_idle && (__u32)id == 0)
        return 0;
    if (targ_tgid && pid != targ_tgid)
        return 0;
    struct key key = { .pid = pid };
    bpf_get_current_comm(key.comm, sizeof key.comm);
    key.kern_stack_id = kernel_stacks ? bpf_get_stackid(ctx, &stackmap, 0) : -1;
    key.user_stack_id = user_stacks ? bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK) : -1;
    __u64 *count = bpf_map_lookup_elem(&counts, &key);
    if (!count) {
        bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
        count = bpf_map_lookup_elem(&counts, &key);
        if (!count)
            return 0;
    }
    __sync_fetch_and_add(count, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
