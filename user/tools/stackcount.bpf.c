/* stackcount.bpf.c: on every call of the probed function (kprobe or uprobe) records the
 * kernel and/or user stack with bpf_get_stackid into a STACK_TRACE map and counts calls per
 * (stacks[, process]); with user stacks the pid is always part of the key. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include "stackcount.h"

struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 4096); __uint(key_size, sizeof(__u32)); __uint(value_size, STACKCOUNT_MAX_DEPTH * sizeof(__u64)); } stackmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, struct stackcount_key); __type(value, __u64); } counts SEC(".maps");

const volatile __u32 targ_tgid = 0;
const volatile __u32 kernel_stacks = 1;
const volatile __u32 user_stacks = 0;
const volatile __u32 per_process = 0;

static const __u64 zero;

SEC("kprobe")
int count_stack(struct pt_regs *ctx)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (targ_tgid && tgid != targ_tgid)
        return 0;
    struct stackcount_key key = {};
    if (per_process || user_stacks)
        key.pid = tgid; /* user frames are symbolized through the process's mappings */
    if (per_process)
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
