// bpfdemo's BPF side: an XDP program that classifies each packet by EtherType and by size,
// counting into a hash map (ethertype -> packets, bytes) and an array histogram. The user
// side feeds it packets through BPF_PROG_TEST_RUN and prints what the maps say.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct counters {
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u16);
    __type(value, struct counters);
} by_ethertype SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} size_histogram SEC(".maps");

__u64 packets_seen = 0;

SEC("xdp")
int classify(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    __u64 length = data_end - data;

    if ((void *)(eth + 1) > data_end)
        return XDP_DROP;
    __u16 proto = bpf_ntohs(eth->h_proto);
    struct counters *c = bpf_map_lookup_elem(&by_ethertype, &proto);
    if (c) {
        __sync_fetch_and_add(&c->packets, 1);
        __sync_fetch_and_add(&c->bytes, length);
    } else {
        struct counters fresh = { 1, length };
        bpf_map_update_elem(&by_ethertype, &proto, &fresh, BPF_NOEXIST);
    }
    __u32 bucket = 0;
    while (bucket < 7 && (64u << bucket) < length)
        bucket++;
    __u64 *slot = bpf_map_lookup_elem(&size_histogram, &bucket);
    if (slot)
        __sync_fetch_and_add(slot, 1);
    packets_seen++;
    return proto == ETH_P_ARP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
