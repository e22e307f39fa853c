/* prog_test_run: BPF_PROG_TEST_RUN through bpf_prog_test_run_opts() for SOCKET_FILTER
 * (retval from skb->len and packet bytes), XDP (retval, data_out and data_size_out after
 * rewriting and after bpf_xdp_adjust_head, repeat counts, ENOSPC with the full size written
 * back) and RAW_TRACEPOINT (ctx_in arguments, BPF_F_TEST_RUN_ON_CPU), and the EINVAL cases. */
#include "bpftest.h"

static int prog_fd(struct bpf_object *obj, const char *name)
{
    return bpf_program__fd(bt_prog(obj, name));
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    int ncpus = libbpf_num_possible_cpus();
    struct bpf_object *obj = bt_open_load("prog_test_run");
    if (!obj)
        return tap_done();

    unsigned char pkt[128], out[128];
    for (int i = 0; i < (int)sizeof pkt; i++)
        pkt[i] = (unsigned char)i;

    /* SOCKET_FILTER. */
    LIBBPF_OPTS(bpf_test_run_opts, sk, .data_in = pkt, .data_size_in = 64);
    CHECK_EQ(0, bpf_prog_test_run_opts(prog_fd(obj, "sock_len"), &sk), "socket: test run");
    CHECK_EQ(64 + 20, sk.retval, "socket: retval = len (64) + byte 20 (20)");
    LIBBPF_OPTS(bpf_test_run_opts, sk_none);
    CHECK_ERR(EINVAL, bpf_prog_test_run_opts(prog_fd(obj, "sock_len"), &sk_none), "socket: no data: EINVAL");

    /* XDP rewriting the packet. */
    memset(out, 0xee, sizeof out);
    LIBBPF_OPTS(bpf_test_run_opts, xs, .data_in = pkt, .data_size_in = 60, .data_out = out,
                .data_size_out = sizeof out, .repeat = 1);
    CHECK_EQ(0, bpf_prog_test_run_opts(prog_fd(obj, "xdp_swap"), &xs), "xdp swap: test run");
    CHECK_EQ(XDP_TX, xs.retval, "xdp swap: XDP_TX");
    CHECK_EQ(60, xs.data_size_out, "xdp swap: data_size_out = 60");
    CHECK(out[0] == 6 && out[5] == 11 && out[6] == 0 && out[11] == 5, "xdp swap: MAC addresses swapped in data_out");
    CHECK(out[12] == 12 && out[59] == 59, "xdp swap: the rest is unchanged");
    CHECK(out[60] == 0xee, "xdp swap: nothing written past data_size_out");

    /* XDP with bpf_xdp_adjust_head. */
    memset(out, 0, sizeof out);
    LIBBPF_OPTS(bpf_test_run_opts, xp, .data_in = pkt, .data_size_in = 64, .data_out = out, .data_size_out = sizeof out);
    CHECK_EQ(0, bpf_prog_test_run_opts(prog_fd(obj, "xdp_pop"), &xp), "xdp pop: test run");
    CHECK_EQ(XDP_PASS, xp.retval, "xdp pop: XDP_PASS");
    CHECK_EQ(50, xp.data_size_out, "xdp pop: data_size_out = 64 - 14");
    CHECK(out[0] == 14 && out[49] == 63, "xdp pop: data_out starts at the old byte 14");

    /* Output buffer too small: ENOSPC, the full size is reported and the start is copied. */
    memset(out, 0, sizeof out);
    LIBBPF_OPTS(bpf_test_run_opts, small, .data_in = pkt, .data_size_in = 60, .data_out = out, .data_size_out = 8);
    CHECK_ERR(ENOSPC, bpf_prog_test_run_opts(prog_fd(obj, "xdp_swap"), &small), "xdp: data_out of 8 bytes: ENOSPC");
    CHECK_EQ(60, small.data_size_out, "xdp: ... data_size_out = the full 60");
    CHECK(out[0] == 6 && out[7] == 1 && out[8] == 0, "xdp: ... the first 8 bytes were copied");

    /* Verdicts and repeat. */
    LIBBPF_OPTS(bpf_test_run_opts, cshort, .data_in = pkt, .data_size_in = 50, .repeat = 10);
    CHECK_EQ(0, bpf_prog_test_run_opts(prog_fd(obj, "xdp_count"), &cshort), "xdp count: 50-byte packet, repeat 10");
    CHECK_EQ(XDP_DROP, cshort.retval, "xdp count: short packet dropped");
    LIBBPF_OPTS(bpf_test_run_opts, clong, .data_in = pkt, .data_size_in = 128, .repeat = 90);
    CHECK_EQ(0, bpf_prog_test_run_opts(prog_fd(obj, "xdp_count"), &clong), "xdp count: 128-byte packet, repeat 90");
    CHECK_EQ(XDP_PASS, clong.retval, "xdp count: long packet passed");
    CHECK_EQ(100, bt_array_u64(bt_map(obj, "runs"), 0), "xdp count: the program ran 10 + 90 times");
    LIBBPF_OPTS(bpf_test_run_opts, tiny, .data_in = pkt, .data_size_in = 10);
    CHECK_ERR(EINVAL, bpf_prog_test_run_opts(prog_fd(obj, "xdp_count"), &tiny), "xdp: packet shorter than an Ethernet header: EINVAL");

    /* RAW_TRACEPOINT: arguments come from ctx_in; data and repeat are refused. */
    __u64 args[2] = { 5, 37 };
    LIBBPF_OPTS(bpf_test_run_opts, rt, .ctx_in = args, .ctx_size_in = sizeof args);
    CHECK_EQ(0, bpf_prog_test_run_opts(prog_fd(obj, "rtp_sum"), &rt), "raw_tp: test run with 2 arguments");
    CHECK_EQ(42, rt.retval, "raw_tp: retval = 5 + 37");
    LIBBPF_OPTS(bpf_test_run_opts, rt_rep, .ctx_in = args, .ctx_size_in = sizeof args, .repeat = 2);
    CHECK_ERR(EINVAL, bpf_prog_test_run_opts(prog_fd(obj, "rtp_sum"), &rt_rep), "raw_tp: repeat: EINVAL");
    LIBBPF_OPTS(bpf_test_run_opts, rt_data, .ctx_in = args, .ctx_size_in = sizeof args, .data_in = pkt, .data_size_in = 16);
    CHECK_ERR(EINVAL, bpf_prog_test_run_opts(prog_fd(obj, "rtp_sum"), &rt_data), "raw_tp: data_in: EINVAL");
    __u64 many[13] = { 0 };
    LIBBPF_OPTS(bpf_test_run_opts, rt_big, .ctx_in = many, .ctx_size_in = sizeof many);
    CHECK_ERR(EINVAL, bpf_prog_test_run_opts(prog_fd(obj, "rtp_sum"), &rt_big), "raw_tp: 13 arguments (more than 12): EINVAL");
    LIBBPF_OPTS(bpf_test_run_opts, rt_cpu0, .ctx_in = args, .ctx_size_in = sizeof args, .cpu = 1);
    CHECK_ERR(EINVAL, bpf_prog_test_run_opts(prog_fd(obj, "rtp_cpu"), &rt_cpu0),
              "raw_tp: cpu without BPF_F_TEST_RUN_ON_CPU: EINVAL");
    if (ncpus > 1) {
        LIBBPF_OPTS(bpf_test_run_opts, rt_cpu, .ctx_in = args, .ctx_size_in = sizeof args,
                    .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = 1);
        CHECK_EQ(0, bpf_prog_test_run_opts(prog_fd(obj, "rtp_cpu"), &rt_cpu), "raw_tp: BPF_F_TEST_RUN_ON_CPU cpu 1");
        CHECK_EQ(1, rt_cpu.retval, "raw_tp: the program ran on CPU 1");
    } else {
        tap_skip("only one possible CPU", "raw_tp: BPF_F_TEST_RUN_ON_CPU on CPU 1");
    }
    LIBBPF_OPTS(bpf_test_run_opts, rt_cpubad, .ctx_in = args, .ctx_size_in = sizeof args,
                .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = 4096);
    CHECK_ERR(ENXIO, bpf_prog_test_run_opts(prog_fd(obj, "rtp_cpu"), &rt_cpubad), "raw_tp: CPU 4096 does not exist: ENXIO");

    CHECK_ERR(EBADF, bpf_prog_test_run_opts(TAP_BAD_FD, &rt), "closed fd: EBADF");
    CHECK_ERR(EINVAL, bpf_prog_test_run_opts(bpf_map__fd(bt_map(obj, "runs")), &rt), "a map fd: EINVAL");

    bpf_object__close(obj);
    return tap_done();
}
