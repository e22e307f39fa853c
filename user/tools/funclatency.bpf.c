/* funclatency.bpf.c: the latency of one function. The entry program (attached as a kprobe or
 * a uprobe) stores bpf_ktime_get_ns() per thread; the return program (kretprobe or
 * uretprobe) takes it, converts the elapsed time to the chosen unit and counts it in a log2
 * histogram (.bss), plus the total and the number of calls. A return without a stored entry
 * (the function was already running at attach time) is not counted. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "funclatency.h"

const volatile __u32 targ_tgid = 0;     /* 0: every process */
const volatile __u64 unit_divisor = 1;  /* ns per unit: 1, 1000, 1000000 */

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, __u32); __type(value, __u64); } starts SEC(".maps");

struct funclatency_totals totals;

static __u32 log2_u64(__u64 v)
{
    __u32 r = 0, shift;
    shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
    shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
    shift = (v > 0xff) << 3; v >>= shift; r |= shift;
    shift = (v > 0xf) << 2; v >>= shift; r |= shift;
    shift = (v > 0x3) << 1; v >>= shift; r |= shift;
    r |= (v >> 1);
    return r;
}

SEC("kprobe")
int function_entry(struct pt_regs *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    if (targ_tgid && id >> 32 != targ_tgid)
        return 0;
    __u32 tid = (__u32)id;
    __u64 now = bpf_ktime_get_ns();
    bpf_map_update_elem(&starts, &tid, &now, BPF_ANY);
    return 0;
}

SEC("kretprobe")
int function_return(struct pt_regs *ctx)
{
    __u64 now = bpf_ktime_get_ns();
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    __u64 *start = bpf_map_lookup_elem(&starts, &tid);
    if (!start) {
        __sync_fetch_and_add(&totals.missed_entries, 1);
        return 0;
    }
    __u64 delta = (now - *start) / unit_divisor;
    bpf_map_delete_elem(&starts, &tid);
    __u32 slot = delta ? log2_u64(delta) : 0;
    if (slot >= FUNCLATENCY_SLOTS)
        slot = FUNCLATENCY_SLOTS - 1;
    __sync_fetch_and_add(&totals.hist[slot], 1);
    __sync_fetch_and_add(&totals.count, 1);
    __sync_fetch_and_add(&totals.total, delta);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
