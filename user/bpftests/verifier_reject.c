/* verifier_reject: programs refused at BPF_PROG_LOAD and the errno Linux gives: through
 * bpf_object__load (EACCES for an unchecked map value and for a tracepoint context read below
 * offset 8, with the verifier log captured by bpf_program__set_log_buf; the object loads once
 * the bad programs are set not to autoload) and through bpf_prog_load with hand-written
 * instructions (no exit, a jump out of range, an unknown helper, an invalid opcode, an
 * uninitialised register, stack accesses out of bounds, writing r10, a back-edge loop, a GPL-only
 * helper without GPL, no instructions, an unknown program type), plus a successful load with a log buffer too small for its log (ENOSPC). */
#include "bpftest.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV0 INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int load(enum bpf_prog_type type, const char *license, const struct bpf_insn *insns, size_t n,
                char *log, size_t log_size, __u32 level)
{
    LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = (__u32)log_size, .log_level = level);
    int fd = bpf_prog_load(type, NULL, license, insns, n, &opts);
    if (fd >= 0)
        close(fd);
    return fd;
}

static void object_load(const char *bad, int expect_err)
{
    struct bpf_object *obj = bt_open("verifier_reject");
    if (!obj)
        return;
    static char log[65536];
    log[0] = '\0';
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj)
        if (strcmp(bpf_program__name(prog), bad) != 0 && strcmp(bpf_program__name(prog), "fine") != 0)
            bpf_program__set_autoload(prog, false);
    bpf_program__set_log_buf(bt_prog(obj, bad), log, sizeof log);
    bpf_program__set_log_level(bt_prog(obj, bad), 1);
    int err = bpf_object__load(obj);
    CHECK_EQ(-expect_err, err, "%s: bpf_object__load fails with %s", bad, tap_errname(expect_err));
    CHECK(strlen(log) > 0, "%s: the verifier log was captured", bad);
    const char *last = log;
    for (const char *p = log; *p; p++)
        if (p[0] == '\n' && p[1] && p[1] != '\n' && strncmp(p + 1, "processed", 9) != 0)
            last = p + 1;
    DIAG("%s: log ends with: %.*s", bad, (int)strcspn(last, "\n"), last);
    bpf_object__close(obj);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);

    object_load("null_deref", EACCES);
    object_load("header_read", EACCES);

    struct bpf_object *obj = bt_open("verifier_reject");
    if (obj) {
        bpf_program__set_autoload(bt_prog(obj, "null_deref"), false);
        bpf_program__set_autoload(bt_prog(obj, "header_read"), false);
        if (bt_load(obj) == 0) {
            CHECK(bpf_program__fd(bt_prog(obj, "fine")) > 2, "the accepted program has an fd");
            CHECK(bpf_program__fd(bt_prog(obj, "null_deref")) < 0, "the program not loaded has none");
        }
        bpf_object__close(obj);
    }

    static char log[65536];
    const struct bpf_insn ok[] = { MOV0, EXIT };
    int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "ok", "GPL", ok, 2, NULL);
    CHECK(fd > 2, "r0 = 0; exit loads as a socket filter");
    if (fd > 0)
        close(fd);

    const struct bpf_insn no_exit[] = { MOV0 };
    CHECK_ERR(EINVAL, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", no_exit, 1, NULL, 0, 0), "no exit at the end: EINVAL");
    const struct bpf_insn far_jump[] = { INSN(BPF_JMP | BPF_JA, 0, 0, 5, 0), MOV0, EXIT };
    CHECK_ERR(EINVAL, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", far_jump, 3, NULL, 0, 0), "a jump out of range: EINVAL");
    const struct bpf_insn bad_helper[] = { INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 100000), MOV0, EXIT };
    CHECK_ERR(EINVAL, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", bad_helper, 3, NULL, 0, 0), "an unknown helper: EINVAL");
    const struct bpf_insn bad_op[] = { INSN(0xff, 0, 0, 0, 0), MOV0, EXIT };
    CHECK_ERR(EINVAL, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", bad_op, 3, NULL, 0, 0), "opcode 0xff: EINVAL");
    const struct bpf_insn uninit_r0[] = { EXIT };
    CHECK_ERR(EACCES, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", uninit_r0, 1, log, sizeof log, 1), "exit with r0 unset: EACCES");
    CHECK(strlen(log) > 0, "... with a verifier log");
    const struct bpf_insn uninit_reg[] = { INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 3, 0, 0), EXIT };
    CHECK_ERR(EACCES, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", uninit_reg, 2, NULL, 0, 0), "reading r3 before writing it: EACCES");
    const struct bpf_insn stack_oob[] = { INSN(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -520, 1), MOV0, EXIT };
    CHECK_ERR(EACCES, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", stack_oob, 3, NULL, 0, 0), "a store below the 512-byte stack: EACCES");
    const struct bpf_insn stack_above[] = { INSN(BPF_ST | BPF_MEM | BPF_DW, 10, 0, 0, 1), MOV0, EXIT };
    CHECK_ERR(EACCES, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", stack_above, 3, NULL, 0, 0), "a store at r10 + 0: EACCES");
    const struct bpf_insn write_r10[] = { INSN(BPF_ALU64 | BPF_MOV | BPF_K, 10, 0, 0, 0), MOV0, EXIT };
    CHECK_ERR(EACCES, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", write_r10, 3, NULL, 0, 0), "writing r10: EACCES");
    const struct bpf_insn loop[] = { MOV0, INSN(BPF_JMP | BPF_JA, 0, 0, -1, 0), EXIT };
    CHECK_ERR(EINVAL, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", loop, 3, NULL, 0, 0), "an infinite loop (ja -1): EINVAL");
    /* bpf_probe_read_kernel (113) is GPL-only. */
    const struct bpf_insn gpl[] = {
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -8),
        INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 8), INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel), MOV0, EXIT,
    };
    CHECK(load(BPF_PROG_TYPE_KPROBE, "GPL", gpl, 7, NULL, 0, 0) > 0, "a GPL-only helper with license GPL loads");
    CHECK_ERR(EINVAL, load(BPF_PROG_TYPE_KPROBE, "Proprietary", gpl, 7, NULL, 0, 0), "... with license Proprietary: EINVAL");
    CHECK_ERR(E2BIG, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", ok, 0, NULL, 0, 0), "no instructions: E2BIG");
    CHECK_ERR(EINVAL, load((enum bpf_prog_type)999, "GPL", ok, 2, NULL, 0, 0), "unknown program type 999: EINVAL");

    /* A log buffer too small for a successful load's verbose log. */
    char tiny[16];
    CHECK_ERR(ENOSPC, load(BPF_PROG_TYPE_SOCKET_FILTER, "GPL", ok, 2, tiny, sizeof tiny, 2), "a 16-byte buffer for log level 2: ENOSPC");
    CHECK(tiny[sizeof tiny - 1] == '\0' && strlen(tiny) == sizeof tiny - 1, "... filled and NUL-terminated");
    return tap_done();
}
