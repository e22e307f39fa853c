/* tail_calls: bpf_tail_call through a PROG_ARRAY: slots preset by libbpf from the object's
 * initialiser and set/cleared from user space, falling through on empty or out-of-range slots,
 * the tail-call limit (33 tail calls after the first run, as in Linux), and the prog array's
 * errors (a program of another type, a map fd). */
#include "bpftest.h"

static int run(struct bpf_object *obj, const char *prog, unsigned char first_byte)
{
    unsigned char pkt[64] = { first_byte };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof pkt);
    int err = bpf_prog_test_run_opts(bpf_program__fd(bt_prog(obj, prog)), &opts);
    return err ? err : (int)opts.retval;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open_load("tail_calls");
    if (!obj)
        return tap_done();
    int jfd = bpf_map__fd(bt_map(obj, "jmp"));
    int t1 = bpf_program__fd(bt_prog(obj, "target1"));

    CHECK_EQ(10, run(obj, "entry", 0), "slot 0 (preset by libbpf) runs target0: 10");
    CHECK_EQ(101, run(obj, "entry", 1), "empty slot 1 falls through: 101");
    CHECK_EQ(107, run(obj, "entry", 7), "slot 7 (past max_entries) falls through: 107");
    __u32 k1 = 1, k0 = 0;
    CHECK_EQ(0, bpf_map_update_elem(jfd, &k1, &t1, BPF_ANY), "user puts target1 in slot 1");
    CHECK_EQ(11, run(obj, "entry", 1), "slot 1 runs target1: 11");
    CHECK_EQ(0, bpf_map_update_elem(jfd, &k0, &t1, BPF_ANY), "user replaces slot 0 with target1");
    CHECK_EQ(11, run(obj, "entry", 0), "slot 0 now runs target1: 11");
    CHECK_EQ(0, bpf_map_delete_elem(jfd, &k1), "user clears slot 1");
    CHECK_EQ(101, run(obj, "entry", 1), "cleared slot 1 falls through again");
    CHECK_ERR(ENOENT, bpf_map_delete_elem(jfd, &k1), "clearing an empty slot: ENOENT");

    __u32 prog_id = 0;
    CHECK_EQ(0, bpf_map_lookup_elem(jfd, &k0, &prog_id), "user lookup of slot 0 gives a program id");
    struct bpf_prog_info info = {};
    __u32 len = sizeof info;
    bpf_obj_get_info_by_fd(t1, &info, &len);
    CHECK_EQ(info.id, prog_id, "... the id of target1");

    /* self_loop tail-calls itself: 1 run + 33 tail calls. */
    CHECK_EQ(1, run(obj, "self_loop", 0), "self_loop stops when the limit refuses the tail call");
    struct bpf_map *bss = bt_map(obj, ".bss");
    CHECK_EQ(34, bt_array_u64(bss, 0), "self_loop ran 34 times (MAX_TAIL_CALL_CNT 33)");

    /* Refused updates. */
    const struct bpf_insn ret0[] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
        { .code = BPF_JMP | BPF_EXIT },
    };
    int sock = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "sock", "GPL", ret0, 2, NULL);
    CHECK(sock > 2, "a socket filter loads");
    if (sock > 0) {
        CHECK_ERR(EINVAL, bpf_map_update_elem(jfd, &k1, &sock, BPF_ANY), "a socket filter in an XDP prog array: EINVAL");
        close(sock);
    }
    int mfd = bpf_map__fd(bss);
    CHECK_ERR(EINVAL, bpf_map_update_elem(jfd, &k1, &mfd, BPF_ANY), "a map fd in a prog array: EINVAL");
    int bad = TAP_BAD_FD;
    CHECK_ERR(EBADF, bpf_map_update_elem(jfd, &k1, &bad, BPF_ANY), "a closed fd in a prog array: EBADF");
    __u32 k4 = 4;
    CHECK_ERR(E2BIG, bpf_map_update_elem(jfd, &k4, &t1, BPF_ANY), "slot 4 of 4: E2BIG");

    bpf_object__close(obj);
    return tap_done();
}
