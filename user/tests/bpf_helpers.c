/* bpf_helpers: the kernel services BPF helpers reach, checked through RAW_TRACEPOINT programs
 * run with BPF_PROG_TEST_RUN in the calling process: the current task's pid/tgid, uid/gid and
 * comm, the CPU number, clocks, fault-tolerant probe reads of user and kernel memory (a user
 * buffer, an unmapped page, a user address given to the kernel variant, strings), and
 * bpf_send_signal to the current process. Each program stores its result in a map or
 * returns it in r0. */
#include "bpf_common.h"

#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define MOV64_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define ADD64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm)
#define LDX_DW(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_DW, dst, src, off, 0)
#define STX_DW(dst, src, off) INSN(BPF_STX | BPF_MEM | BPF_DW, dst, src, off, 0)
#define ST_DW(dst, off, imm) INSN(BPF_ST | BPF_MEM | BPF_DW, dst, 0, off, imm)
#define LD_MAP_FD(dst, fd) INSN(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define JNE_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)

static char log_buf[65536];

static long load(const struct bpf_insn *insns, unsigned count)
{
    memset(log_buf, 0, sizeof log_buf);
    long fd = prog_load_log(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, count, "GPL", log_buf, sizeof log_buf);
    if (fd < 0)
        DIAG("load failed (%s): %s", tap_errname((int)-fd), log_buf);
    return fd;
}

/* Runs a raw tracepoint program with u64 args; returns retval, or -errno of the run. */
static long run(long prog, __u64 *args, unsigned count)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.test.prog_fd = (__u32)prog;
    a.test.ctx_in = (__u64)(uintptr_t)args;
    a.test.ctx_size_in = count * 8;
    long ret = bpf_call(BPF_PROG_TEST_RUN, &a);
    return ret < 0 ? ret : (long)a.test.retval;
}

/* A program that calls helper `id` with r1..r3 = ctx[0..2] and stores r0 in out[0]. */
static long call_and_store(long out, int id, unsigned args)
{
    struct bpf_insn insns[32];
    unsigned n = 0;
    insns[n++] = MOV64_REG(6, 1);
    if (args > 0)
        insns[n++] = LDX_DW(1, 6, 0);
    if (args > 1)
        insns[n++] = LDX_DW(2, 6, 8);
    if (args > 2)
        insns[n++] = LDX_DW(3, 6, 16);
    insns[n++] = CALL(id);
    insns[n++] = STX_DW(10, 0, -8);       /* *(fp - 8) = r0 */
    insns[n++] = ST_DW(10, -16, 0);        /* key 0 at fp - 16 */
    struct bpf_insn ld[2] = { LD_MAP_FD(1, (int)out) };
    insns[n++] = ld[0];
    insns[n++] = ld[1];
    insns[n++] = MOV64_REG(2, 10);
    insns[n++] = ADD64_IMM(2, -16);
    insns[n++] = MOV64_REG(3, 10);
    insns[n++] = ADD64_IMM(3, -8);
    insns[n++] = MOV64_IMM(4, 0);
    insns[n++] = CALL(BPF_FUNC_map_update_elem);
    insns[n++] = MOV64_IMM(0, 0);
    insns[n++] = EXIT_INSN();
    return load(insns, n);
}

static __u64 result_of(long out)
{
    __u32 key = 0;
    __u64 value = 0;
    map_lookup(out, &key, &value);
    return value;
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig) { got_signal = sig; }

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    prctl(PR_SET_NAME, "bpf_helpers_t", 0, 0, 0);
    long out = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
    CHECK(out >= 0, "result map");
    __u64 args[3] = { 0, 0, 0 };

    long p = call_and_store(out, BPF_FUNC_get_current_pid_tgid, 0);
    if (CHECK(p >= 0, "program calling bpf_get_current_pid_tgid")) {
        CHECK_EQ(0, run(p, args, 1), "test run");
        __u64 v = result_of(out);
        CHECK_EQ((__u64)getpid() << 32 | (__u64)syscall(SYS_gettid), v, "pid_tgid = tgid << 32 | pid of the caller");
        close((int)p);
    }
    p = call_and_store(out, BPF_FUNC_get_current_uid_gid, 0);
    if (CHECK(p >= 0, "program calling bpf_get_current_uid_gid")) {
        run(p, args, 1);
        CHECK_EQ((__u64)getgid() << 32 | getuid(), result_of(out), "uid_gid = gid << 32 | uid");
        close((int)p);
    }
    p = call_and_store(out, BPF_FUNC_get_smp_processor_id, 0);
    if (CHECK(p >= 0, "program calling bpf_get_smp_processor_id")) {
        run(p, args, 1);
        CHECK(result_of(out) < (__u64)sysconf(_SC_NPROCESSORS_CONF), "the CPU number is below the CPU count (%llu)",
              (unsigned long long)result_of(out));
        close((int)p);
    }
    p = call_and_store(out, BPF_FUNC_ktime_get_ns, 0);
    if (CHECK(p >= 0, "program calling bpf_ktime_get_ns")) {
        struct timespec before, after;
        clock_gettime(CLOCK_MONOTONIC, &before);
        run(p, args, 1);
        clock_gettime(CLOCK_MONOTONIC, &after);
        __u64 t = result_of(out), lo = (__u64)before.tv_sec * 1000000000 + before.tv_nsec, hi = (__u64)after.tv_sec * 1000000000 + after.tv_nsec;
        CHECK(t >= lo && t <= hi, "ktime_get_ns is CLOCK_MONOTONIC (%llu in [%llu, %llu])", (unsigned long long)t, (unsigned long long)lo,
              (unsigned long long)hi);
        close((int)p);
    }

    /* bpf_get_current_comm(fp - 16, 16): returns 0, the comm is checked through the map. */
    struct bpf_insn comm[] = {
        ST_DW(10, -8, 0), ST_DW(10, -16, 0),
        MOV64_REG(1, 10), ADD64_IMM(1, -16), MOV64_IMM(2, 16), CALL(BPF_FUNC_get_current_comm),
        MOV64_REG(6, 0),
        ST_DW(10, -24, 0),
        LD_MAP_FD(1, (int)out), MOV64_REG(2, 10), ADD64_IMM(2, -24), MOV64_REG(3, 10), ADD64_IMM(3, -16), MOV64_IMM(4, 0),
        CALL(BPF_FUNC_map_update_elem), MOV64_REG(0, 6), EXIT_INSN(),
    };
    p = load(comm, sizeof comm / sizeof *comm);
    if (CHECK(p >= 0, "program calling bpf_get_current_comm")) {
        CHECK_EQ(0, run(p, args, 1), "bpf_get_current_comm returns 0");
        __u64 v = result_of(out);
        char name[9] = { 0 };
        memcpy(name, &v, 8);
        CHECK_STR("bpf_help", name, "the comm is the process name (first 8 bytes)");
        close((int)p);
    }

    /* Probe reads: r0 of bpf_probe_read_{user,kernel}(fp - 8, 8, ctx[0]) and the value read. */
    struct bpf_insn probe_user[] = {
        LDX_DW(3, 1, 0), ST_DW(10, -8, 0), MOV64_REG(1, 10), ADD64_IMM(1, -8), MOV64_IMM(2, 8), CALL(BPF_FUNC_probe_read_user),
        MOV64_REG(6, 0), ST_DW(10, -16, 0),
        LD_MAP_FD(1, (int)out), MOV64_REG(2, 10), ADD64_IMM(2, -16), MOV64_REG(3, 10), ADD64_IMM(3, -8), MOV64_IMM(4, 0),
        CALL(BPF_FUNC_map_update_elem), MOV64_REG(0, 6), EXIT_INSN(),
    };
    static __u64 secret = 0x1122334455667788ull;
    p = load(probe_user, sizeof probe_user / sizeof *probe_user);
    if (CHECK(p >= 0, "program calling bpf_probe_read_user")) {
        args[0] = (__u64)(uintptr_t)&secret;
        CHECK_EQ(0, run(p, args, 1), "probe_read_user of a user variable returns 0");
        CHECK_EQ(0x1122334455667788ull, result_of(out), "... and reads its value");
        args[0] = (__u64)(uintptr_t)tap_unmapped_address();
        CHECK_EQ(-EFAULT, (int)run(p, args, 1), "probe_read_user of an unmapped page: -EFAULT");
        CHECK_EQ(0, result_of(out), "... and the destination is zeroed");
        args[0] = 0xffffffff81000000ull;
        CHECK_EQ(-EFAULT, (int)run(p, args, 1), "probe_read_user of a kernel address: -EFAULT");
        close((int)p);
    }
    probe_user[5] = CALL(BPF_FUNC_probe_read_kernel);
    p = load(probe_user, sizeof probe_user / sizeof *probe_user);
    if (CHECK(p >= 0, "program calling bpf_probe_read_kernel")) {
        args[0] = (__u64)(uintptr_t)&secret;
        CHECK_EQ(-ERANGE, (int)run(p, args, 1), "probe_read_kernel of a user address: -ERANGE (x86 refuses user addresses)");
        args[0] = 0xffff7fffffff0000ull;
        CHECK_EQ(-ERANGE, (int)run(p, args, 1), "probe_read_kernel of a non-canonical address: -ERANGE");
        close((int)p);
    }
    struct bpf_insn probe_str[] = {
        LDX_DW(3, 1, 0), ST_DW(10, -8, 0), MOV64_REG(1, 10), ADD64_IMM(1, -8), MOV64_IMM(2, 8), CALL(BPF_FUNC_probe_read_user_str),
        MOV64_REG(6, 0), ST_DW(10, -16, 0),
        LD_MAP_FD(1, (int)out), MOV64_REG(2, 10), ADD64_IMM(2, -16), MOV64_REG(3, 10), ADD64_IMM(3, -8), MOV64_IMM(4, 0),
        CALL(BPF_FUNC_map_update_elem), MOV64_REG(0, 6), EXIT_INSN(),
    };
    p = load(probe_str, sizeof probe_str / sizeof *probe_str);
    if (CHECK(p >= 0, "program calling bpf_probe_read_user_str")) {
        static char word[] = "hey";
        args[0] = (__u64)(uintptr_t)word;
        CHECK_EQ(4, run(p, args, 1), "probe_read_user_str of \"hey\": 4 (with the NUL)");
        __u64 v = result_of(out);
        CHECK(!memcmp(&v, "hey", 4), "... copied with its NUL");
        static char longer[] = "abcdefghijkl";
        args[0] = (__u64)(uintptr_t)longer;
        CHECK_EQ(8, run(p, args, 1), "a 12-character string into 8 bytes: 8");
        v = result_of(out);
        CHECK(!memcmp(&v, "abcdefg", 8), "... truncated to 7 characters and a NUL");
        close((int)p);
    }

    /* bpf_get_stack(ctx, fp - 64, 64, flags): bytes of return addresses written. */
    struct bpf_insn stack[] = {
        MOV64_REG(2, 10), ADD64_IMM(2, -64), MOV64_IMM(3, 64), MOV64_IMM(4, 0), CALL(BPF_FUNC_get_stack), EXIT_INSN(),
    };
    p = load(stack, sizeof stack / sizeof *stack);
    if (CHECK(p >= 0, "program calling bpf_get_stack")) {
        long bytes = run(p, args, 1);
        CHECK(bytes >= 8 && bytes <= 64 && bytes % 8 == 0, "the kernel stack has at least one frame (%ld bytes)", bytes);
        close((int)p);
    }
    stack[3] = MOV64_IMM(4, BPF_F_USER_STACK);
    p = load(stack, sizeof stack / sizeof *stack);
    if (CHECK(p >= 0, "program calling bpf_get_stack with BPF_F_USER_STACK")) {
        long bytes = run(p, args, 1);
        CHECK(bytes >= 8 && bytes <= 64 && bytes % 8 == 0, "the user stack has at least the syscall's return address (%ld bytes)", bytes);
        close((int)p);
    }

    /* bpf_send_signal(SIGUSR1) from a program run in this process. */
    struct bpf_insn sig[] = { MOV64_IMM(1, SIGUSR1), CALL(BPF_FUNC_send_signal), EXIT_INSN() };
    signal(SIGUSR1, on_signal);
    p = load(sig, 3);
    if (CHECK(p >= 0, "program calling bpf_send_signal")) {
        CHECK_EQ(0, run(p, args, 1), "bpf_send_signal(SIGUSR1) returns 0");
        for (int i = 0; i < 100 && !got_signal; i++)
            usleep(1000);
        CHECK_EQ(SIGUSR1, got_signal, "the process received SIGUSR1");
        struct bpf_insn bad[] = { MOV64_IMM(1, 100), CALL(BPF_FUNC_send_signal), EXIT_INSN() };
        long q = load(bad, 3);
        CHECK_EQ(-EINVAL, (int)run(q, args, 1), "bpf_send_signal(100): -EINVAL");
        close((int)q);
        close((int)p);
    }
    close((int)out);
    return tap_done();
}
