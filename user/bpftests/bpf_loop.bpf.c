/* bpf_loop.bpf.c: bpf_loop (helper 181) with a callback that can stop early, and
 * bpf_for_each_map_elem (helper 164) over an array; inputs and results in .bss. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 5); __type(key, __u32); __type(value, __u64); } values SEC(".maps");

struct loop_in {
    __u32 nr_loops;
    __u32 stop_at; /* the callback returns 1 at this index (0: never) */
    __u64 flags;
};
struct loop_out {
    __s64 ret;
    __u64 sum;
    __u64 calls;
    __s64 each_ret;
    __u64 each_sum;
};
/* One variable in .bss, so that its layout is fixed for user space. */
struct {
    struct loop_in in;
    struct loop_out out;
} io;

struct cb_ctx {
    __u64 sum;
    __u64 calls;
    __u32 stop_at;
};

static int step(__u32 index, void *data)
{
    struct cb_ctx *c = data;
    c->calls++;
    if (c->stop_at && index == c->stop_at)
        return 1;
    c->sum += index;
    return 0;
}

static __u64 each_elem(void *map, __u32 *key, __u64 *value, void *data)
{
    __u64 *sum = data;
    *sum += *key * *value;
    return 0;
}

SEC("xdp")
int loops(struct xdp_md *ctx)
{
    struct cb_ctx c = { .stop_at = io.in.stop_at };
    io.out.ret = bpf_loop(io.in.nr_loops, step, &c, io.in.flags);
    io.out.sum = c.sum;
    io.out.calls = c.calls;
    __u64 s = 0;
    io.out.each_ret = bpf_for_each_map_elem(&values, each_elem, &s, 0);
    io.out.each_sum = s;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
