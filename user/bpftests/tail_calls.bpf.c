/* tail_calls.bpf.c: an XDP entry program that tail-calls through a PROG_ARRAY (slot chosen by
 * the first packet byte; slot 0 preset in the object), and a program that tail-calls itself
 * until the kernel's tail-call limit stops it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 self_runs;

SEC("xdp")
int target0(struct xdp_md *ctx)
{
    return 10;
}

SEC("xdp")
int target1(struct xdp_md *ctx)
{
    return 11;
}

SEC("xdp")
int self_loop(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __uint(key_size, sizeof(__u32));
    __array(values, int(struct xdp_md *));
} jmp SEC(".maps") = { .values = { [0] = (void *)&target0, [3] = (void *)&self_loop } };

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 1 > end)
        return XDP_ABORTED;
    __u32 slot = data[0];
    bpf_tail_call(ctx, &jmp, slot);
    return 100 + slot; /* reached only when the tail call did not happen */
}

SEC("xdp")
int self_loop(struct xdp_md *ctx)
{
    self_runs++;
    bpf_tail_call(ctx, &jmp, 3);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
