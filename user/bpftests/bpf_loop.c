/* bpf_loop: the bpf_loop helper (iteration count, early stop by the callback returning 1,
 * nr_loops 0, unknown flags -EINVAL, more than 1 << 23 iterations -E2BIG) and
 * bpf_for_each_map_elem over an array, via BPF_PROG_TEST_RUN and .bss in/out variables. */
#include "bpftest.h"

struct loop_in {
    __u32 nr_loops;
    __u32 stop_at;
    __u64 flags;
};
struct loop_out {
    __s64 ret;
    __u64 sum;
    __u64 calls;
    __s64 each_ret;
    __u64 each_sum;
};
struct bss {
    struct loop_in in;
    struct loop_out out;
};

static struct bpf_object *obj;

static struct loop_out run(__u32 nr, __u32 stop_at, __u64 flags)
{
    struct bss b = { .in = { nr, stop_at, flags } };
    __u32 zero = 0;
    int bss_fd = bpf_map__fd(bt_map(obj, ".bss"));
    bpf_map_update_elem(bss_fd, &zero, &b, BPF_ANY);
    unsigned char pkt[64] = { 0 };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof pkt);
    if (bpf_prog_test_run_opts(bpf_program__fd(bt_prog(obj, "loops")), &opts) != 0 || opts.retval != XDP_PASS)
        DIAG("test run failed");
    memset(&b, 0xff, sizeof b);
    bpf_map_lookup_elem(bss_fd, &zero, &b);
    return b.out;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    obj = bt_open_load("bpf_loop");
    if (!obj)
        return tap_done();
    CHECK_EQ(sizeof(struct bss), bpf_map__value_size(bt_map(obj, ".bss")), ".bss layout matches (%zu bytes)", sizeof(struct bss));

    for (__u32 k = 0; k < 5; k++) {
        __u64 v = k + 1;
        bpf_map_update_elem(bpf_map__fd(bt_map(obj, "values")), &k, &v, BPF_ANY);
    }

    struct loop_out o = run(10, 0, 0);
    CHECK_EQ(10, o.ret, "bpf_loop(10): returns 10");
    CHECK_EQ(10, o.calls, "bpf_loop(10): 10 callbacks");
    CHECK_EQ(45, o.sum, "bpf_loop(10): indexes 0..9 sum to 45");
    CHECK_EQ(5, o.each_ret, "for_each_map_elem over 5 elements: returns 5");
    CHECK_EQ(0 * 1 + 1 * 2 + 2 * 3 + 3 * 4 + 4 * 5, o.each_sum, "for_each_map_elem: sum of key * value = 40");

    o = run(10, 4, 0);
    CHECK_EQ(5, o.ret, "bpf_loop stopped at index 4: returns 5 iterations");
    CHECK_EQ(5, o.calls, "bpf_loop stopped at index 4: 5 callbacks");
    CHECK_EQ(6, o.sum, "bpf_loop stopped at index 4: 0+1+2+3");

    o = run(0, 0, 0);
    CHECK_EQ(0, o.ret, "bpf_loop(0): returns 0");
    CHECK_EQ(0, o.calls, "bpf_loop(0): no callback");

    o = run(3, 0, 1);
    CHECK_EQ(-EINVAL, o.ret, "bpf_loop with flags 1: -EINVAL");
    CHECK_EQ(0, o.calls, "bpf_loop with flags 1: no callback");

    o = run((1u << 23) + 1, 0, 0);
    CHECK_EQ(-E2BIG, o.ret, "bpf_loop((1 << 23) + 1): -E2BIG");
    CHECK_EQ(0, o.calls, "bpf_loop((1 << 23) + 1): no callback");

    o = run(100000, 0, 0);
    CHECK_EQ(100000, o.ret, "bpf_loop(100000): returns 100000");
    CHECK_EQ(100000ULL * 99999 / 2, o.sum, "bpf_loop(100000): sum of 0..99999");

    bpf_object__close(obj);
    return tap_done();
}
