/* perf_clock: sampling with the software clocks — a CPU_CLOCK event of this process with a
 * 1 ms period over a busy loop (sample count against the CPU time used, every sample's
 * fields: pid/tid, CLOCK_MONOTONIC time, CPU, period, user-mode ip), frequency mode,
 * exclude_user, wake-ups, PERF_EVENT_IOC_REFRESH (the event stops after N overflows) and
 * PERF_EVENT_IOC_PERIOD. Samples come at most once per timer tick (1000 Hz here), so
 * expectations allow for that granularity. */
#include "perf_common.h"

#define SAMPLE_TYPE (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD)

struct sample {
    struct perf_event_header header;
    __u64 ip;
    __u32 pid, tid;
    __u64 time;
    __u32 cpu, reserved;
    __u64 period;
};

struct tally {
    int samples, user, other_records, bad_task, bad_period, bad_time, bad_cpu;
};

static long open_clock(__u64 config, __u64 period_or_freq, int freq, int exclude_user, int disabled)
{
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, config);
    attr.sample_type = SAMPLE_TYPE;
    attr.sample_period = period_or_freq;
    attr.freq = freq;
    attr.exclude_user = exclude_user;
    attr.disabled = disabled;
    attr.wakeup_events = 1;
    attr.use_clockid = 1;
    attr.clockid = CLOCK_MONOTONIC;
    return perf_open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static struct tally drain(struct perf_ring *ring, __u64 period, double t0, double t1)
{
    struct tally t = { 0 };
    unsigned char buf[512];
    unsigned n;
    int cpus = perf_online_cpus();
    while ((n = perf_next_record(ring, buf, sizeof buf))) {
        struct sample *s = (struct sample *)buf;
        if (s->header.type != PERF_RECORD_SAMPLE || n != sizeof(struct sample)) {
            t.other_records++;
            continue;
        }
        t.samples++;
        if ((s->header.misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_USER)
            t.user++;
        if (s->pid != (__u32)getpid() || s->tid != (__u32)syscall(SYS_gettid))
            t.bad_task++;
        if (period && s->period != period)
            t.bad_period++;
        double time = s->time / 1e9;
        if (time < t0 - 0.001 || time > t1 + 0.001)
            t.bad_time++;
        if ((int)s->cpu >= cpus)
            t.bad_cpu++;
    }
    return t;
}

/* Spins `seconds` of CPU with the event enabled; returns the samples, and in *low and *high
 * the smaller and the larger of the CPU time and the wall time the loop took (the CPU time
 * may be tick-based; the clocks count CLOCK_MONOTONIC time). */
static struct tally sample_spin(long fd, struct perf_ring *ring, __u64 period, double seconds, double *low, double *high)
{
    double t0 = perf_now(CLOCK_MONOTONIC), c0 = perf_now(CLOCK_PROCESS_CPUTIME_ID);
    perf_ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
    perf_spin(seconds);
    perf_ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
    double used = perf_now(CLOCK_PROCESS_CPUTIME_ID) - c0, t1 = perf_now(CLOCK_MONOTONIC);
    *low = used < t1 - t0 ? used : t1 - t0;
    *high = used < t1 - t0 ? t1 - t0 : used;
    return drain(ring, period, t0, t1);
}

static void check_period(void)
{
    long fd = open_clock(PERF_COUNT_SW_CPU_CLOCK, 1000000, 0, 0, 1);
    CHECK_SYS_OK(fd, "CPU_CLOCK of this process, period 1 ms, disabled");
    struct perf_ring ring;
    CHECK_SYS_OK(perf_map(fd, 16, PROT_READ | PROT_WRITE, &ring), "mmap 16 data pages");
    struct pollfd pfd = { .fd = (int)fd, .events = POLLIN };
    CHECK_EQ(0, poll(&pfd, 1, 0), "not readable before sampling");
    double used;
    double t0 = perf_now(CLOCK_MONOTONIC), c0 = perf_now(CLOCK_PROCESS_CPUTIME_ID);
    perf_ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
    perf_spin(0.2);
    perf_ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
    used = perf_now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    double wall = perf_now(CLOCK_MONOTONIC) - t0;
    CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN, "readable after sampling (wakeup_events 1)");
    struct tally t = drain(&ring, 1000000, t0, perf_now(CLOCK_MONOTONIC));
    DIAG("%d samples (%d in user mode) in %.3f s of CPU time", t.samples, t.user, used);
    CHECK(t.samples >= 50, "at least 50 samples in 200 ms of CPU");
    CHECK(t.samples <= (int)(used * 1000) + 20, "no more samples than CPU milliseconds used");
    CHECK(t.user * 2 >= t.samples, "most samples interrupted user mode (%d of %d)", t.user, t.samples);
    CHECK_EQ(0, t.other_records, "only PERF_RECORD_SAMPLE records");
    CHECK_EQ(0, t.bad_task, "every sample names this process and thread");
    CHECK_EQ(0, t.bad_period, "every sample's period is 1000000");
    CHECK_EQ(0, t.bad_time, "every sample's time (CLOCK_MONOTONIC) lies in the loop");
    CHECK_EQ(0, t.bad_cpu, "every sample's CPU exists");
    __u64 count = 0;
    read((int)fd, &count, sizeof count);
    /* The clock counts in CLOCK_MONOTONIC nanoseconds while the task runs; the CPU time may
     * be tick-based, so only loose bounds against it. */
    double counted = count / 1e9, floor = used < wall ? used : wall;
    CHECK(counted >= floor * 0.5 && counted <= wall + 0.01, "the count (%.3f s) is about the busy time (CPU %.3f s, wall %.3f s)",
          counted, used, wall);

    /* PERF_EVENT_IOC_PERIOD: 4 ms. */
    __u64 period = 4000000;
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_PERIOD, (unsigned long)&period), "PERIOD 4 ms");
    double low, high;
    t = sample_spin(fd, &ring, 1000000, 0.2, &low, &high);
    DIAG("%d samples at 4 ms in %.3f..%.3f s", t.samples, low, high);
    CHECK(t.samples >= (int)(low * 250 * 0.4) && t.samples <= (int)(high * 250) + 10, "about one sample per 4 ms");
    /* The clocks report hwc->last_period, which PERF_EVENT_IOC_PERIOD does not change. */
    CHECK_EQ(0, t.bad_period, "the samples still report the period the event was opened with");

    /* REFRESH: the event stops by itself after 3 overflows. */
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_REFRESH, 3), "REFRESH 3 (enables the event)");
    perf_spin(0.1);
    t = drain(&ring, 0, 0, 1e12);
    CHECK_EQ(3, t.samples, "exactly 3 samples after REFRESH 3");
    __u64 after = 0, later = 0;
    read((int)fd, &after, sizeof after);
    perf_spin(0.02);
    read((int)fd, &later, sizeof later);
    CHECK_EQ(after, later, "then the event is disabled");
    perf_unmap(&ring);
    close((int)fd);
}

static void check_freq_and_exclusion(void)
{
    long fd = open_clock(PERF_COUNT_SW_TASK_CLOCK, 250, 1, 0, 1);
    CHECK_SYS_OK(fd, "TASK_CLOCK in frequency mode, 250 Hz");
    struct perf_ring ring;
    perf_map(fd, 16, PROT_READ | PROT_WRITE, &ring);
    double low, high;
    struct tally t = sample_spin(fd, &ring, 4000000, 0.3, &low, &high);
    DIAG("%d samples at 250 Hz in %.3f..%.3f s", t.samples, low, high);
    CHECK(t.samples >= (int)(low * 250 * 0.4) && t.samples <= (int)(high * 250) + 10,
          "about 250 samples per second of busy time (%d for %.0f..%.0f)", t.samples, low * 250, high * 250);
    CHECK_EQ(0, t.bad_period, "frequency mode samples with period 1e9 / 250");
    perf_unmap(&ring);
    close((int)fd);

    fd = open_clock(PERF_COUNT_SW_CPU_CLOCK, 1000000, 0, 1, 1);
    CHECK_SYS_OK(fd, "CPU_CLOCK with exclude_user");
    perf_map(fd, 16, PROT_READ | PROT_WRITE, &ring);
    t = sample_spin(fd, &ring, 0, 0.1, &low, &high);
    DIAG("%d kernel-mode samples", t.samples);
    CHECK_EQ(0, t.user, "exclude_user: no sample interrupted user mode");
    perf_unmap(&ring);
    close((int)fd);
}

int main(void)
{
    check_period();
    check_freq_and_exclusion();
    return tap_done();
}
