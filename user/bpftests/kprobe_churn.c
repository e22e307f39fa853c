/* kprobe_churn: attaching and detaching kprobes while the probed function runs. A child calls
 * getpgid(seq) in a loop with a growing seq (and publishes how many calls it has made) while
 * the parent attaches and destroys a kprobe on __x64_sys_getpgid 100 times, then a kretprobe
 * 100 times (each time the breakpoint is written and restored under the running child). Every
 * attach and detach succeeds; in every window the calls made after the attach returned are
 * counted (the first one may have been in flight); after each detach nothing more is counted
 * once the child has made another call; the kprobe never sees a seq twice or out of order and
 * the kretprobe always sees -ESRCH; the total never exceeds the child's calls; the child is
 * unharmed (a kretprobe detached while its call is in flight returns normally). Then both at
 * once on the one address, and one detached while the other keeps counting. Skipped where
 * the kernel cannot attach kprobes. */
#include "bpftest.h"
#include <sched.h>
#include <signal.h>
#include <time.h>

#define CYCLES 100

struct churn {
    __u64 child_tgid, hits[2], last, bad[2];
};

struct shared {
    volatile unsigned long calls;
    volatile int stop;
};

static int bss_fd;

static struct churn read_st(void)
{
    struct churn c;
    __u32 zero = 0;
    memset(&c, 0xff, sizeof c);
    bpf_map_lookup_elem(bss_fd, &zero, &c);
    return c;
}

/* Waits until the child has made `target` calls; 0 after 10 s without progress. */
static int wait_calls(struct shared *sh, unsigned long target)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned long spins = 0; sh->calls < target; spins++) {
        if (spins % 64 == 63)
            usleep(200);
        else
            sched_yield();
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > 10)
            return 0;
    }
    return 1;
}

static void churn(struct bpf_object *obj, struct shared *sh, int slot, const char *prog, const char *what)
{
    int attached = 0, destroyed = 0, short_windows = 0, late_runs = 0, stalled = 0;
    for (int i = 0; i < CYCLES && !stalled; i++) {
        struct bpf_link *link = bpf_program__attach(bt_prog(obj, prog));
        if (!link)
            continue;
        attached++;
        __u64 h0 = read_st().hits[slot]; /* before c0: calls counted in h0 all precede c0 */
        unsigned long c0 = sh->calls;
        if (!wait_calls(sh, c0 + 5))
            stalled = 1;
        __u64 h1 = read_st().hits[slot];
        if (h1 - h0 < 4)
            short_windows++;
        if (bpf_link__destroy(link) == 0)
            destroyed++;
        unsigned long c1 = sh->calls;
        if (!wait_calls(sh, c1 + 2))
            stalled = 1;
        __u64 h2 = read_st().hits[slot];
        if (!wait_calls(sh, c1 + 7))
            stalled = 1;
        if (read_st().hits[slot] != h2)
            late_runs++;
    }
    CHECK(!stalled, "%s: the child kept calling getpgid throughout", what);
    CHECK_EQ(CYCLES, attached, "%s: %d attaches succeeded", what, CYCLES);
    CHECK_EQ(CYCLES, destroyed, "%s: %d bpf_link__destroy calls returned 0", what, CYCLES);
    CHECK_EQ(0, short_windows, "%s: every window counted the calls made after the attach returned", what);
    CHECK_EQ(0, late_runs, "%s: nothing counted once the child called again after a detach", what);
    struct churn c = read_st();
    CHECK_EQ(0, c.bad[slot], slot == 0 ? "%s: no seq counted twice or out of order" : "%s: every return value was -ESRCH", what);
    DIAG("%s: %llu runs counted, child at %lu calls", what, (unsigned long long)c.hits[slot], sh->calls);
    CHECK(c.hits[slot] >= 4 * CYCLES && c.hits[slot] <= sh->calls, "%s: %d*4 <= runs <= child's calls", what, CYCLES);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open_load("kprobe_churn");
    if (!obj)
        return tap_done();
    const char *why = bt_need_kprobes();
    if (why) {
        tap_skip(why, "kprobe attach/detach churn on __x64_sys_getpgid");
        return tap_done();
    }
    bss_fd = bpf_map__fd(bt_map(obj, ".bss"));
    struct shared *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(sh != MAP_FAILED, "shared page for the child's call count"))
        return tap_done();
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        for (unsigned long seq = 1; !sh->stop; seq++) {
            syscall(SYS_getpgid, (long)(0x10000000 + seq)); /* beyond pid_max: ESRCH */
            sh->calls = seq;
        }
        _exit(0);
    }
    struct churn st = { .child_tgid = (__u64)child };
    __u32 zero = 0;
    CHECK_EQ(0, bpf_map_update_elem(bss_fd, &zero, &st, BPF_ANY), "child pid %d in .bss", child);

    churn(obj, sh, 0, "entry_seq", "kprobe");
    churn(obj, sh, 1, "return_value", "kretprobe");

    /* The two together, then one of them detached while the other stays. */
    struct bpf_link *a = bpf_program__attach(bt_prog(obj, "entry_seq"));
    struct bpf_link *b = bpf_program__attach(bt_prog(obj, "return_value"));
    struct churn before = read_st();
    wait_calls(sh, sh->calls + 20);
    bpf_link__destroy(a);
    struct churn mid = read_st();
    wait_calls(sh, sh->calls + 20);
    struct churn after = read_st();
    bpf_link__destroy(b);
    CHECK(a && b && mid.hits[0] - before.hits[0] >= 19 && mid.hits[1] - before.hits[1] >= 19,
          "both programs count while attached together");
    CHECK(after.hits[0] - mid.hits[0] <= 1 && after.hits[1] - mid.hits[1] >= 19,
          "detaching the kprobe leaves the kretprobe at the same address counting");
    CHECK(after.bad[0] == 0 && after.bad[1] == 0, "still no seq out of order and no other return value");

    sh->stop = 1;
    int status = -1;
    waitpid(child, &status, 0);
    CHECK_EXITED(0, status, "the child exited normally");
    bpf_object__close(obj);
    return tap_done();
}
