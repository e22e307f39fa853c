/* prog_test_run.bpf.c: SOCKET_FILTER, XDP and RAW_TRACEPOINT programs with results that depend
 * on their input, for BPF_PROG_TEST_RUN in prog_test_run.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } runs SEC(".maps");

/* Socket filter: returns the packet length plus the byte at offset 20. */
SEC("socket")
int sock_len(struct __sk_buff *skb)
{
    __u8 b = 0;
    if (bpf_skb_load_bytes(skb, 20, &b, 1) < 0)
        return 1;
    return skb->len + b;
}

/* XDP: swaps the Ethernet source and destination and bounces the packet (XDP_TX). */
SEC("xdp")
int xdp_swap(struct xdp_md *ctx)
{
    __u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 12 > end)
        return XDP_ABORTED;
    for (int i = 0; i < 6; i++) {
        __u8 t = data[i];
        data[i] = data[6 + i];
        data[6 + i] = t;
    }
    return XDP_TX;
}

/* XDP: drops packets shorter than 100 bytes, counts every run. */
SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
    __u32 k = 0;
    __u64 *n = bpf_map_lookup_elem(&runs, &k);
    if (n)
        __sync_fetch_and_add(n, 1);
    return ctx->data_end - ctx->data < 100 ? XDP_DROP : XDP_PASS;
}

/* XDP: strips the 14-byte Ethernet header. */
SEC("xdp")
int xdp_pop(struct xdp_md *ctx)
{
    if (bpf_xdp_adjust_head(ctx, 14))
        return XDP_ABORTED;
    return XDP_PASS;
}

/* Raw tracepoint: the sum of its first two arguments. */
SEC("raw_tp/sys_enter")
int rtp_sum(__u64 *ctx)
{
    return ctx[0] + ctx[1];
}

/* Raw tracepoint: the CPU it runs on. */
SEC("raw_tp/sys_enter")
int rtp_cpu(__u64 *ctx)
{
    return bpf_get_smp_processor_id();
}

char LICENSE[] SEC("license") = "GPL";
