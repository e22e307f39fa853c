/* perf_event: a PERF_EVENT program attached with bpf_program__attach_perf_event to a software
 * PERF_COUNT_SW_CPU_CLOCK event of this process (sample_period 1 ms): it runs on sample
 * overflow, only in this process, sees ctx->sample_period, reads its event with
 * bpf_perf_prog_read_value (counter > 0, enabled >= running > 0; a buffer size other than 24
 * gives -EINVAL and a zeroed buffer), and stops when the link is destroyed. Then the profiler's setup: one CPU_CLOCK event per CPU for all processes in
 * frequency mode (freq = 1, sample_freq 200 Hz): a busy loop of this process collects about
 * 200 samples per CPU second (a tolerance, not an exact count), most with the interrupted
 * user instruction pointer in this program's text. */
#include "bpftest.h"
#include <linux/perf_event.h>
#include <time.h>

struct results {
    __u64 hits, foreign, period, all_samples, mine, in_text, in_kernel;
    __s64 read_error;
    __u64 counter, enabled, running;
    __s64 bad_size_error;
    __u64 bad_size_dirty;
};

extern char __executable_start[], etext[];

static struct results read_out(struct bpf_object *obj)
{
    struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &r);
    return r;
}

static double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0)
        return -1;
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
    return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

/* Burns `seconds` of this process's CPU time (at most 5 s of wall time). */
static void spin(double seconds)
{
    double end = cpu_seconds() + seconds, wall_end = clock_seconds(CLOCK_MONOTONIC) + 5;
    volatile unsigned long x = 0;
    while (cpu_seconds() < end && clock_seconds(CLOCK_MONOTONIC) < wall_end)
        for (int i = 0; i < 10000; i++)
            x += i;
}

/* One CPU_CLOCK event per online CPU, all processes, 200 samples per second. */
static void check_per_cpu_frequency(struct bpf_object *obj)
{
    int ncpus = libbpf_num_possible_cpus();
    struct bpf_link *links[64] = { 0 };
    int opened = 0, attached = 0;
    for (int cpu = 0; cpu < ncpus && cpu < 64; cpu++) {
        struct perf_event_attr attr = {
            .type = PERF_TYPE_SOFTWARE,
            .size = sizeof attr,
            .config = PERF_COUNT_SW_CPU_CLOCK,
            .freq = 1,
            .sample_freq = 200,
        };
        int pfd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
        if (pfd < 0) {
            if (errno == ENODEV)
                continue; /* offline CPU */
            DIAG("perf_event_open(cpu %d): %s", cpu, tap_errname(errno));
            continue;
        }
        opened++;
        links[cpu] = bpf_program__attach_perf_event(bt_prog(obj, "on_cpu_sample"), pfd);
        if (links[cpu])
            attached++;
        else
            close(pfd);
    }
    CHECK(opened > 0 && attached == opened, "per-CPU CPU_CLOCK events (freq 200 Hz, pid -1) opened and attached on %d CPUs", attached);
    double t0 = cpu_seconds(), wall0 = clock_seconds(CLOCK_MONOTONIC);
    spin(0.5);
    double used = cpu_seconds() - t0, wall = clock_seconds(CLOCK_MONOTONIC) - wall0;
    for (int cpu = 0; cpu < 64; cpu++)
        bpf_link__destroy(links[cpu]);
    struct results r = read_out(obj);
    double expected = used * 200;
    DIAG("%llu samples in this process for %.3f s of CPU (expected about %.0f), %llu in its text, %llu in the kernel, %llu samples in all",
         (unsigned long long)r.mine, used, expected, (unsigned long long)r.in_text,
         (unsigned long long)r.in_kernel, (unsigned long long)r.all_samples);
    CHECK(r.mine >= expected * 0.4 && r.mine <= expected * 1.5 + 5,
          "samples of this process within 40%%..150%% of 200 Hz x CPU time (%llu for %.0f)", (unsigned long long)r.mine, expected);
    CHECK(r.in_text * 2 >= r.mine, "at least half of them interrupted user code in this program's text (%llu)",
          (unsigned long long)r.in_text);
    double all_expected = wall * 200 * attached;
    CHECK(r.all_samples >= all_expected * 0.4 && r.all_samples <= all_expected * 1.5 + 10,
          "every CPU is sampled, busy or idle: %llu samples in all for %.3f s x %d CPUs x 200 Hz",
          (unsigned long long)r.all_samples, wall, attached);
    __u64 after = read_out(obj).all_samples;
    spin(0.05);
    CHECK_EQ(after, read_out(obj).all_samples, "no samples after the links are destroyed");
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open("perf_event");
    if (!obj)
        return tap_done();
    __u32 tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    __u64 text_start = (__u64)(unsigned long)__executable_start, text_end = (__u64)(unsigned long)etext;
    bt_set_global(obj, ".rodata", "text_start", &text_start, sizeof text_start);
    bt_set_global(obj, ".rodata", "text_end", &text_end, sizeof text_end);
    if (bt_load(obj) != 0)
        return tap_done();

    struct perf_event_attr attr = {
        .type = PERF_TYPE_SOFTWARE,
        .size = sizeof attr,
        .config = PERF_COUNT_SW_CPU_CLOCK,
        .sample_period = 1000000, /* 1 ms of CPU time */
    };
    int pfd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    CHECK(pfd >= 0, "perf_event_open(SOFTWARE, CPU_CLOCK, sample_period 1 ms) for this process");
    if (pfd < 0) {
        DIAG("errno %s", tap_errname(errno));
        return tap_done();
    }
    struct bpf_link *link = bpf_program__attach_perf_event(bt_prog(obj, "on_sample"), pfd);
    CHECK(link != NULL, "bpf_program__attach_perf_event");
    if (!link)
        return tap_done();

    if (!CHECK(cpu_seconds() >= 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) works"))
        return tap_done();
    double t0 = cpu_seconds();
    spin(0.2);
    double used = cpu_seconds() - t0;
    struct results r = read_out(obj);
    DIAG("%llu samples in %.3f s of CPU time", (unsigned long long)r.hits, used);
    CHECK(r.hits >= 50, "at least 50 samples in 200 ms of CPU at one per ms");
    CHECK(r.hits <= (__u64)(used * 1000) + 20, "no more samples than CPU milliseconds used");
    CHECK_EQ(0, r.foreign, "every sample was taken in this process");
    CHECK_EQ(1000000, r.period, "ctx->sample_period is 1000000");
    CHECK_EQ(0, r.read_error, "bpf_perf_prog_read_value(ctx, buf, 24) returns 0");
    DIAG("counter %llu, enabled %llu, running %llu", (unsigned long long)r.counter,
         (unsigned long long)r.enabled, (unsigned long long)r.running);
    CHECK(r.counter > 0, "bpf_perf_prog_read_value: counter > 0");
    CHECK(r.running > 0 && r.enabled >= r.running, "bpf_perf_prog_read_value: enabled >= running > 0");
    CHECK_EQ(-EINVAL, r.bad_size_error, "bpf_perf_prog_read_value with buf_size 16: -EINVAL");
    CHECK_EQ(0, r.bad_size_dirty, "... and the buffer is zeroed");

    CHECK_EQ(0, bpf_link__destroy(link), "bpf_link__destroy");
    __u64 after = read_out(obj).hits;
    spin(0.05);
    CHECK_EQ(after, read_out(obj).hits, "no samples after the link is destroyed");

    check_per_cpu_frequency(obj);
    bpf_object__close(obj);
    return tap_done();
}
