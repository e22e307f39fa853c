/* attach_churn: attaching and detaching while the event fires. A child calls getpgid(seq) in a
 * loop with a growing seq (and publishes how many calls it has made) while the parent attaches
 * and destroys a tracepoint link 100 times, then a raw tracepoint link 100 times. Every attach
 * and detach succeeds; in every window the calls made after the attach returned are counted
 * (the first one may have been in flight); after each detach nothing more is counted once the
 * child has made another call; no seq is seen twice or out of order; the total never exceeds
 * the child's calls; the child is unharmed. */
#include "bpftest.h"
#include <sched.h>
#include <signal.h>
#include <time.h>

#define CYCLES 100

struct churn {
    __u64 child_tgid, hits[2], last[2], bad[2];
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
    CHECK_EQ(0, c.bad[slot], "%s: no seq counted twice or out of order", what);
    DIAG("%s: %llu runs counted, child at %lu calls", what, (unsigned long long)c.hits[slot], sh->calls);
    CHECK(c.hits[slot] >= 4 * CYCLES && c.hits[slot] <= sh->calls, "%s: %d*4 <= runs <= child's calls", what, CYCLES);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    const char *why = bt_need_trace_event("syscalls/sys_enter_getpgid");
    if (why) {
        tap_skip(why, "attach/detach churn on syscalls:sys_enter_getpgid");
        return tap_done();
    }
    struct bpf_object *obj = bt_open_load("attach_churn");
    if (!obj)
        return tap_done();
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

    churn(obj, sh, 0, "tp_seq", "tracepoint");
    churn(obj, sh, 1, "raw_seq", "raw tracepoint");

    /* The two together, then one of them detached while the other stays. */
    struct bpf_link *a = bpf_program__attach(bt_prog(obj, "tp_seq"));
    struct bpf_link *b = bpf_program__attach(bt_prog(obj, "raw_seq"));
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
          "detaching one leaves the other counting");

    sh->stop = 1;
    int status = -1;
    waitpid(child, &status, 0);
    CHECK_EXITED(0, status, "the child exited normally");
    bpf_object__close(obj);
    return tap_done();
}
