/* verifier_reject.bpf.c: programs the verifier must refuse (a map value used without the NULL
 * check; a tracepoint reading the common header below offset 8) next to one it must accept. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* A hash map: its lookups may return NULL (an array lookup with a constant in-range key may not). */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } vals SEC(".maps");

SEC("xdp")
int null_deref(struct xdp_md *ctx)
{
    __u32 k = 0;
    __u64 *v = bpf_map_lookup_elem(&vals, &k);
    return *v; /* no NULL check */
}

SEC("tracepoint")
int header_read(void *ctx)
{
    return *(int *)(ctx + 4); /* common_pid: not readable by programs */
}

SEC("xdp")
int fine(struct xdp_md *ctx)
{
    __u32 k = 0;
    __u64 *v = bpf_map_lookup_elem(&vals, &k);
    return v ? XDP_PASS : XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
