/* tls_tid: the thread pointer and thread id calls musl's startup depends on:
 * arch_prctl(ARCH_SET_FS / ARCH_GET_FS) and its errors, %fs-relative loads after a switch,
 * static TLS (__thread) initialised from PT_TLS, the FS base across fork and sched_yield,
 * set_tid_address and gettid. */
#include <sched.h>
#include <stdint.h>
#include <sys/wait.h>

#include "tap.h"

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

static __thread int tls_initialised = 4242;
static __thread long tls_zeroed;

static unsigned long read_fs_word(unsigned long offset)
{
    unsigned long v;
    __asm__ volatile("movq %%fs:(%1), %0" : "=r"(v) : "r"(offset));
    return v;
}

static void test_get_fs(unsigned long *fs_out)
{
    unsigned long fs = 0;
    CHECK_EQ(0, SYS2(SYS_arch_prctl, ARCH_GET_FS, &fs), "arch_prctl(ARCH_GET_FS)");
    CHECK(fs != 0, "the FS base is set by the C library at startup");
    /* musl's thread control block starts with a pointer to itself. */
    CHECK_EQ(fs, read_fs_word(0), "%%fs:0 holds the thread pointer (the FS base is live)");
    *fs_out = fs;
}

static void test_set_fs(unsigned long original)
{
    static unsigned long block[4] __attribute__((aligned(64)));
    block[0] = (unsigned long)block;
    block[1] = 0x1122334455667788UL;
    /* Nothing between the two arch_prctl calls may use TLS (errno included): raw calls only. */
    long set_rc = SYS2(SYS_arch_prctl, ARCH_SET_FS, block);
    unsigned long seen0 = read_fs_word(0), seen8 = read_fs_word(8);
    unsigned long got = 0;
    long get_rc = SYS2(SYS_arch_prctl, ARCH_GET_FS, &got);
    long restore_rc = SYS2(SYS_arch_prctl, ARCH_SET_FS, original);

    CHECK_EQ(0, set_rc, "arch_prctl(ARCH_SET_FS, new block)");
    CHECK_EQ((unsigned long)block, seen0, "%%fs:0 reads the new block");
    CHECK_EQ(0x1122334455667788UL, seen8, "%%fs:8 reads the new block");
    CHECK_EQ(0, get_rc, "arch_prctl(ARCH_GET_FS) after the switch");
    CHECK_EQ((unsigned long)block, got, "ARCH_GET_FS returns the new base");
    CHECK_EQ(0, restore_rc, "arch_prctl(ARCH_SET_FS) back to the original base");
    CHECK_EQ(original, read_fs_word(0), "the original thread pointer is live again");
}

static void test_errors(void)
{
    CHECK_ERR(EFAULT, SYS2(SYS_arch_prctl, ARCH_GET_FS, tap_unmapped_address()),
              "ARCH_GET_FS into unmapped memory");
    CHECK_ERR(EFAULT, SYS2(SYS_arch_prctl, ARCH_GET_FS, 1), "ARCH_GET_FS into address 1");
    CHECK_ERR(EPERM, SYS2(SYS_arch_prctl, ARCH_SET_FS, 0x0000800000000000UL),
              "ARCH_SET_FS with a non-canonical (kernel-half) address");
    CHECK_ERR(EINVAL, SYS2(SYS_arch_prctl, 0x7777, 0), "arch_prctl with an unknown code");
}

static void test_tls(unsigned long fs)
{
    CHECK_EQ(4242, tls_initialised, "__thread variable has its initial value (PT_TLS image copied)");
    CHECK_EQ(0, tls_zeroed, "__thread .tbss variable is zero");
    tls_initialised = 7;
    CHECK_EQ(0, sched_yield(), "sched_yield");
    unsigned long after = 0;
    SYS2(SYS_arch_prctl, ARCH_GET_FS, &after);
    CHECK_EQ(fs, after, "the FS base survives sched_yield");

    int p[2];
    pipe2(p, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        unsigned long child_fs = 0;
        SYS2(SYS_arch_prctl, ARCH_GET_FS, &child_fs);
        long report[3] = {(long)child_fs, tls_initialised, (long)read_fs_word(0)};
        write(p[1], report, sizeof report);
        _exit(0);
    }
    close(p[1]);
    long report[3] = {0, 0, 0};
    CHECK_EQ(sizeof report, read(p[0], report, sizeof report), "child reported its TLS state");
    close(p[0]);
    waitpid(pid, NULL, 0);
    CHECK_EQ(fs, report[0], "a forked child has the parent's FS base");
    CHECK_EQ(7, report[1], "a forked child sees the parent's __thread values");
    CHECK_EQ(fs, report[2], "%%fs:0 works in the forked child");
}

static void test_tid(void)
{
    long tid = SYS0(SYS_gettid);
    CHECK_EQ(getpid(), tid, "gettid equals getpid in a single-threaded process");
    static int clear_me;
    CHECK_EQ(tid, SYS1(SYS_set_tid_address, &clear_me), "set_tid_address returns the caller's tid");
    CHECK_EQ(tid, SYS1(SYS_set_tid_address, NULL), "set_tid_address(NULL) returns the tid too");

    int p[2];
    pipe2(p, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        long ids[2] = {SYS0(SYS_gettid), SYS0(SYS_getpid)};
        write(p[1], ids, sizeof ids);
        _exit(0);
    }
    close(p[1]);
    long ids[2] = {0, 0};
    read(p[0], ids, sizeof ids);
    close(p[0]);
    waitpid(pid, NULL, 0);
    CHECK_EQ(pid, ids[0], "gettid in a forked child is the child's pid");
    CHECK_EQ(pid, ids[1], "getpid in a forked child is what fork returned");
}

int main(void)
{
    unsigned long fs = 0;
    test_get_fs(&fs);
    if (fs)
        test_set_fs(fs);
    test_errors();
    test_tls(fs);
    test_tid();
    return tap_done();
}
