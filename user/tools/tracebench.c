/* tracebench: the measurements behind scripts/bench-tracing (a benchmark, never a test).
 *   1. null-syscall cost: getppid in a loop with nothing attached, with a counting program on
 *      the syscalls:sys_enter_getppid tracepoint, and with one on the sys_enter raw tracepoint
 *      (ns per call, best of 3 runs of about -t seconds each);
 *   2. end to end events per second: a child calls getppid in a tight loop, a program on the
 *      tracepoint sends a 64-byte record per call, the parent consumes with ring_buffer__poll
 *      (1 MiB ring) or perf_buffer__poll (64 pages per CPU); records received per second of
 *      producing, and the share the producer could not send.
 *   3. probe cost per hit with a trivial counting program: a kprobe and a kretprobe on
 *      __x64_sys_getppid (getppid loop, as in 1), a uprobe and a uretprobe on an empty
 *      function of this program (a loop of calls through a function pointer, against the same
 *      loop unprobed); each overhead also as a ratio to the bare getppid. A probe type the
 *      kernel cannot attach is reported on stderr and left out.
 * Output: one "name value unit" line per result, for scripts/bench-tracing to compare.
 * -n measures only the bare syscall (no BPF at all: for kernels built without tracepoints);
 * -P only the bare syscall and the probes.
 *   tracebench [-t SECONDS] [-n | -P] [-v] */
#include <getopt.h>
#include <limits.h>
#include <linux/types.h>
#include <sys/syscall.h>
#include <sys/wait.h>

struct state { __u64 hits, producer, seq, dropped; }; /* tracebench.bpf.c's .bss (the skeleton names it) */

#include "tracebench.skel.h"
#include "tools.h"

static double seconds = 0.3;
static __u64 received;
static int detail; /* -v: sent/received/dropped counts on stderr */
static int bare;   /* -n: syscall_none only */
static int probes_only; /* -P: syscall_none and the probes */

/* ns per getppid call over about `seconds` of calls in batches of 1000. */
static double syscall_ns(void)
{
    long calls = 0;
    double t0 = tool_now(), t;
    do {
        for (int i = 0; i < 1000; i++)
            syscall(SYS_getppid);
        calls += 1000;
        t = tool_now();
    } while (t - t0 < seconds);
    return (t - t0) * 1e9 / (double)calls;
}

static double best_of_3(void)
{
    double best = 1e18;
    for (int i = 0; i < 3; i++) {
        double v = syscall_ns();
        if (v < best)
            best = v;
    }
    return best;
}

/* The uprobe target: an empty function called through a pointer, so it stays a call. */
__attribute__((noinline, used)) int tracebench_probe_target(int x)
{
    __asm__ volatile("" ::: "memory");
    return x + 1;
}
static int (*volatile probe_target)(int) = tracebench_probe_target;

/* ns per call of probe_target over about `seconds` of calls in batches of 1000; best of 3. */
static double call_ns_best_of_3(void)
{
    double best = 1e18;
    for (int run = 0; run < 3; run++) {
        long calls = 0;
        int sink = 0;
        double t0 = tool_now(), t;
        do {
            for (int i = 0; i < 1000; i++)
                sink += probe_target(i);
            calls += 1000;
            t = tool_now();
        } while (t - t0 < seconds);
        double ns = (t - t0) * 1e9 / (double)calls + (sink == 42 ? 1e-9 : 0);
        if (ns < best)
            best = ns;
    }
    return best;
}

static __u64 probe_hits(struct tracebench_bpf *skel)
{
    struct state st;
    __u32 zero = 0;
    if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.bss), &zero, &st) != 0)
        return 0;
    return st.hits;
}

/* One probe type: attach count_probe, measure, detach, print "<name> / _overhead / _ratio". */
static void measure_probe(struct tracebench_bpf *skel, const char *name, struct bpf_link *link, int user,
                          double baseline, double syscall_none)
{
    if (!link) {
        fprintf(stderr, "tracebench: %s: cannot attach (%s), left out\n", name, strerror(errno));
        return;
    }
    __u64 before = probe_hits(skel);
    double with = user ? call_ns_best_of_3() : best_of_3();
    __u64 hits = probe_hits(skel) - before;
    bpf_link__destroy(link);
    if (hits == 0) {
        fprintf(stderr, "tracebench: %s: attached but the program never ran, left out\n", name);
        return;
    }
    printf("%s_%s %.1f ns\n", user ? "call" : "syscall", name, with);
    printf("%s_overhead %.1f ns\n", name, with - baseline);
    printf("%s_ratio %.3f x\n", name, (with - baseline) / syscall_none);
}

static void probe_costs(struct tracebench_bpf *skel, double syscall_none)
{
    static char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    struct bpf_program *prog = skel->progs.count_probe;
    libbpf_set_print(NULL); /* a missing probe type is reported once, below */
    measure_probe(skel, "kprobe", bpf_program__attach_kprobe(prog, false, "__x64_sys_getppid"), 0, syscall_none, syscall_none);
    measure_probe(skel, "kretprobe", bpf_program__attach_kprobe(prog, true, "__x64_sys_getppid"), 0, syscall_none,
                  syscall_none);
    double call_none = call_ns_best_of_3();
    printf("call_none %.1f ns\n", call_none);
    LIBBPF_OPTS(bpf_uprobe_opts, entry, .func_name = "tracebench_probe_target");
    measure_probe(skel, "uprobe", bpf_program__attach_uprobe_opts(prog, 0, self, 0, &entry), 1, call_none, syscall_none);
    LIBBPF_OPTS(bpf_uprobe_opts, ret, .func_name = "tracebench_probe_target", .retprobe = true);
    measure_probe(skel, "uretprobe", bpf_program__attach_uprobe_opts(prog, 0, self, 0, &ret), 1, call_none, syscall_none);
    libbpf_set_print(tool_libbpf_print);
}

static void null_syscall(struct tracebench_bpf *skel)
{
    double none = best_of_3();
    printf("syscall_none %.1f ns\n", none);
    if (probes_only) {
        probe_costs(skel, none);
        return;
    }
    struct bpf_link *l = bpf_program__attach(skel->progs.count_tp);
    if (!l)
        tool_fail("tracebench", "attach the tracepoint counter", -errno);
    double tp = best_of_3();
    bpf_link__destroy(l);
    printf("syscall_tracepoint %.1f ns\n", tp);
    printf("syscall_tracepoint_overhead %.1f ns\n", tp - none);
    l = bpf_program__attach(skel->progs.count_raw);
    if (!l)
        tool_fail("tracebench", "attach the raw tracepoint counter", -errno);
    double raw = best_of_3();
    bpf_link__destroy(l);
    printf("syscall_raw_tracepoint %.1f ns\n", raw);
    printf("syscall_raw_tracepoint_overhead %.1f ns\n", raw - none);
    probe_costs(skel, none);
}

static int on_rb(void *ctx, void *data, size_t size)
{
    (void)ctx;
    (void)data;
    (void)size;
    received++;
    return 0;
}

static void on_pb(void *ctx, int cpu, void *data, __u32 size)
{
    (void)ctx;
    (void)cpu;
    (void)data;
    (void)size;
    received++;
}

static void on_pb_lost(void *ctx, int cpu, __u64 count)
{
    (void)ctx;
    (void)cpu;
    (void)count;
}

/* A child producing for `seconds` * 3 while the parent polls `poll_one` (ring or perf buffer). */
static void events_per_second(struct tracebench_bpf *skel, struct bpf_program *prog, const char *name,
                              struct ring_buffer *rb, struct perf_buffer *pb)
{
    int bss_fd = bpf_map__fd(skel->maps.bss);
    __u32 zero = 0;
    struct state st = { 0 };
    received = 0;
    struct bpf_link *link = bpf_program__attach(prog);
    if (!link)
        tool_fail("tracebench", "attach a producer", -errno);
    double run = seconds * 3;
    fflush(stdout);
    int go[2];
    if (pipe(go) != 0)
        tool_fail("tracebench", "pipe", -errno);
    pid_t child = fork();
    if (child == 0) {
        char c;
        close(go[1]);
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        double t0 = tool_now();
        while (tool_now() - t0 < run)
            for (int i = 0; i < 1000; i++)
                syscall(SYS_getppid);
        _exit(0);
    }
    close(go[0]);
    st.producer = (__u64)child;
    bpf_map_update_elem(bss_fd, &zero, &st, BPF_ANY);
    double t0 = tool_now();
    if (write(go[1], "g", 1) != 1)
        tool_fail("tracebench", "start the producer", -errno);
    close(go[1]);
    int status;
    while (waitpid(child, &status, WNOHANG) == 0) {
        if (rb)
            ring_buffer__poll(rb, 100);
        else
            perf_buffer__poll(pb, 100);
    }
    double elapsed = tool_now() - t0;
    if (rb)
        ring_buffer__consume(rb);
    else
        perf_buffer__consume(pb);
    bpf_link__destroy(link);
    bpf_map_lookup_elem(bss_fd, &zero, &st);
    __u64 produced = st.seq;
    printf("%s_events %.0f events/s\n", name, received / elapsed);
    printf("%s_dropped %.2f %%\n", name, produced + st.dropped ? 100.0 * st.dropped / (double)(produced + st.dropped) : 0);
    if (detail)
        fprintf(stderr, "%s: %llu sent, %llu received, %llu dropped in %.3f s\n", name, (unsigned long long)produced,
                (unsigned long long)received, (unsigned long long)st.dropped, elapsed);
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "t:nPvh")) != -1) {
        switch (opt) {
        case 't': seconds = atof(optarg) > 0 ? atof(optarg) : seconds; break;
        case 'v': detail = 1; break;
        case 'n': bare = 1; break;
        case 'P': probes_only = 1; break;
        default:
            fprintf(opt == 'h' ? stdout : stderr, "Usage: tracebench [-t SECONDS] [-n | -P] [-v]\n");
            return opt == 'h' ? 0 : 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    tool_init();
    if (bare) {
        printf("syscall_none %.1f ns\n", best_of_3());
        return 0;
    }
    if (!tool_has_tracepoint("syscalls", "sys_enter_getppid")) {
        fprintf(stderr, "tracebench: the kernel has no syscalls:sys_enter_getppid tracepoint\n");
        return 1;
    }
    struct tracebench_bpf *skel = tracebench_bpf__open_and_load();
    if (!skel)
        tool_fail("tracebench", "open and load the BPF object", -errno);
    null_syscall(skel);
    if (probes_only) {
        tracebench_bpf__destroy(skel);
        return 0;
    }
    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_rb, NULL, NULL);
    if (!rb)
        tool_fail("tracebench", "ring_buffer__new", -errno);
    events_per_second(skel, skel->progs.produce_rb, "ringbuf", rb, NULL);
    ring_buffer__free(rb);
    struct perf_buffer *pb = perf_buffer__new(bpf_map__fd(skel->maps.pb), 64, on_pb, on_pb_lost, NULL, NULL);
    if (!pb)
        tool_fail("tracebench", "perf_buffer__new", -errno);
    events_per_second(skel, skel->progs.produce_pb, "perfbuf", NULL, pb);
    perf_buffer__free(pb);
    tracebench_bpf__destroy(skel);
    return 0;
}
