/* obj_info.bpf.c: two programs of different types sharing two maps, for obj_info.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } info_arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u32); } info_hash SEC(".maps");

SEC("xdp")
int info_xdp_program_long_name(struct xdp_md *ctx)
{
    __u32 k = 0;
    __u64 *v = bpf_map_lookup_elem(&info_arr, &k);
    __u32 *h = bpf_map_lookup_elem(&info_hash, &k);
    return (v ? 1 : 0) + (h ? 2 : 0);
}

SEC("socket")
int info_sock(struct __sk_buff *skb)
{
    __u32 k = 1;
    __u64 *v = bpf_map_lookup_elem(&info_arr, &k);
    return v ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
