/* link_pin.bpf.c: a raw tracepoint (sys_enter) and a tracepoint (syscalls:sys_enter_getpgid)
 * program counting this process's getpgid calls into slots 0 and 1 of one array, so that a
 * test can watch links that outlive every file descriptor of the object. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NR_GETPGID 121

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");

const volatile __u32 target_tgid;

static void bump(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("raw_tp/sys_enter")
int raw_count(__u64 *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 == target_tgid && ctx[1] == NR_GETPGID)
        bump(0);
    return 0;
}

SEC("tracepoint")
int tp_count(void *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 == target_tgid)
        bump(1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
