/* kprobe_recursion: a kprobe whose function runs inside another BPF program. bpf_send_signal
 * wakes the signalled process through the kernel's wake-up function (Linux: try_to_wake_up;
 * the kernel here: wake_up_process, docs/tracing-probes.md), on which on_wake is a kprobe.
 *  1. Outside any program on_wake runs (a sleep's wake-up).
 *  2. A tracepoint program on sys_enter_getppid sends SIGUSR1 on each of 10 getppid calls: each
 *     signal arrives, and each wake-up hits the kprobe while the tracepoint program is running,
 *     so on_wake does not run and its bpf_prog_info.recursion_misses grows by at least 10
 *     (Linux's trace_call_bpf: one BPF program per CPU at a time).
 *  3. A kprobe program on __x64_sys_getpgid does the same on 10 getpgid calls: the wake-up's
 *     kprobe now fires inside a kprobe handler, which Linux counts as the kprobe's own miss
 *     (nmissed): on_wake neither runs nor counts a recursion miss.
 * Skipped where the kernel cannot attach kprobes. */
#include "bpftest.h"
#include <signal.h>

struct results {
    __u64 wake_runs, tp_runs, kprobe_runs, send_errors;
};

static volatile sig_atomic_t usr1_count;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_count++;
}

static struct results read_out(struct bpf_object *obj)
{
    struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &r);
    return r;
}

static __u64 recursion_misses(struct bpf_program *prog)
{
    struct bpf_prog_info info;
    __u32 len = sizeof info;
    memset(&info, 0, sizeof info);
    if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) != 0)
        return ~0ULL;
    return info.recursion_misses;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    const char *wake = bt_ksym_address("try_to_wake_up") ? "try_to_wake_up" : "wake_up_process";
    DIAG("wake-up function: %s", wake);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);

    struct bpf_object *obj = bt_open("kprobe_recursion");
    if (!obj)
        return tap_done();
    __u32 tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    if (bt_load(obj) != 0)
        return tap_done();
    const char *why = bt_need_kprobes();
    if (!why)
        why = bt_need_trace_event("syscalls/sys_enter_getppid");
    if (why) {
        tap_skip(why, "kprobe recursion through bpf_send_signal");
        return tap_done();
    }
    struct bpf_program *on_wake = bt_prog(obj, "on_wake");

    struct bpf_link *wake_link = bpf_program__attach_kprobe(on_wake, false, wake);
    CHECK(wake_link != NULL, "kprobe on %s", wake);
    if (!wake_link)
        return tap_done();
    for (int i = 0; i < 3; i++)
        usleep(10000);
    struct results r0 = read_out(obj);
    CHECK(r0.wake_runs > 0, "on_wake runs for ordinary wake-ups (%llu after 3 sleeps)", (unsigned long long)r0.wake_runs);
    __u64 misses0 = recursion_misses(on_wake);
    CHECK_EQ(0, misses0, "no recursion misses yet");

    /* 2: under a tracepoint program. */
    struct bpf_link *tp = bpf_program__attach(bt_prog(obj, "signal_self"));
    CHECK(tp != NULL, "tracepoint program on sys_enter_getppid");
    for (int i = 0; i < 10; i++)
        syscall(SYS_getppid);
    bpf_link__destroy(tp);
    struct results r1 = read_out(obj);
    __u64 misses1 = recursion_misses(on_wake);
    CHECK_EQ(10, r1.tp_runs, "the tracepoint program ran 10 times");
    CHECK_EQ(0, r1.send_errors, "bpf_send_signal succeeded each time");
    CHECK_EQ(10, usr1_count, "10 SIGUSR1 delivered");
    CHECK(misses1 - misses0 >= 10, "on_wake's recursion_misses grew by at least 10 (by %llu)",
          (unsigned long long)(misses1 - misses0));

    /* 3: under a kprobe program. */
    struct bpf_link *kp = bpf_program__attach_kprobe(bt_prog(obj, "signal_from_kprobe"), false, "__x64_sys_getpgid");
    CHECK(kp != NULL, "kprobe program on __x64_sys_getpgid");
    for (int i = 0; i < 10; i++)
        syscall(SYS_getpgid, 0);
    bpf_link__destroy(kp);
    struct results r2 = read_out(obj);
    __u64 misses2 = recursion_misses(on_wake);
    CHECK_EQ(10, r2.kprobe_runs, "the kprobe program ran 10 times");
    CHECK_EQ(0, r2.send_errors, "bpf_send_signal succeeded each time");
    CHECK_EQ(20, usr1_count, "10 more SIGUSR1 delivered");
    CHECK_EQ(misses1, misses2, "a kprobe hit inside a kprobe handler is the kprobe's miss, not a recursion miss of its program");

    bpf_link__destroy(wake_link);
    bpf_object__close(obj);
    return tap_done();
}
