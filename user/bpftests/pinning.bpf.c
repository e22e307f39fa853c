/* pinning.bpf.c: a map pinned by name (LIBBPF_PIN_BY_NAME, reused by a second load), an
 * unpinned map and a program that bumps the pinned counter. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_counter SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } plain SEC(".maps");

SEC("xdp")
int bump(struct xdp_md *ctx)
{
    __u32 k = 0;
    __u64 *v = bpf_map_lookup_elem(&pinned_counter, &k);
    if (v)
        *v += 1;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
