/* skeleton.bpf.c: the object behind the bpftool-generated skeleton (skeleton.skel.h): a
 * tracepoint and a raw tracepoint program that auto-attach, one that does not (no target in its
 * SEC name), a map, and a global in each of .rodata, .data and .bss. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NR_GETPPID 110

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } seen SEC(".maps");

const volatile __u32 target_tgid;
__u64 step = 1;               /* .data: added per call */
struct { __u64 tp_hits, raw_hits, manual_hits; } counts; /* .bss */

SEC("tp/syscalls/sys_enter_getppid")
int tp_getppid(void *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&counts.tp_hits, step);
    __u32 k = 0;
    __u64 *v = bpf_map_lookup_elem(&seen, &k);
    if (v)
        __sync_fetch_and_add(v, 1);
    return 0;
}

SEC("raw_tp/sys_enter")
int raw_enter(__u64 *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 == target_tgid && ctx[1] == NR_GETPPID)
        __sync_fetch_and_add(&counts.raw_hits, 1);
    return 0;
}

/* No target in the SEC name: the skeleton's attach leaves it alone. */
SEC("raw_tp")
int manual(__u64 *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 == target_tgid && ctx[1] == NR_GETPPID)
        __sync_fetch_and_add(&counts.manual_hits, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
