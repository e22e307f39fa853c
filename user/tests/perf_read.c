/* perf_read: counting and the control ioctls of a perf event fd — read() with every
 * read_format (TOTAL_TIME_ENABLED/RUNNING, ID, LOST, GROUP), ENOSPC for short buffers,
 * ENABLE (idempotent), DISABLE (the count stops), RESET, ID, REFRESH and PERIOD on counting
 * and sampling events, SET_OUTPUT, PAUSE_OUTPUT, SET_FILTER, SET_BPF with bad fds, unknown
 * requests (ENOTTY), write/lseek, and a task clock that stands still while its task sleeps. */
#include "perf_common.h"

static __u64 read_one(long fd)
{
    __u64 value = ~0ULL;
    if (read((int)fd, &value, sizeof value) != sizeof value)
        return ~0ULL;
    return value;
}

static void check_read_formats(void)
{
    __u64 v[8];
    long fd = perf_open_sw(PERF_COUNT_SW_TASK_CLOCK, 0);
    CHECK_SYS_OK(fd, "task clock, read_format 0");
    CHECK_LIBC_ERR(ENOSPC, read((int)fd, v, 7), "a 7-byte read is ENOSPC");
    CHECK_EQ(8, read((int)fd, v, sizeof v), "read_format 0 reads 8 bytes");
    close((int)fd);

    __u64 all = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID;
    fd = perf_open_sw(PERF_COUNT_SW_TASK_CLOCK, all);
    perf_spin(0.01);
    CHECK_LIBC_ERR(ENOSPC, read((int)fd, v, 31), "31 bytes for a 32-byte format is ENOSPC");
    memset(v, 0, sizeof v);
    CHECK_EQ(32, read((int)fd, v, sizeof v), "value, enabled, running, id: 32 bytes");
    __u64 id = 0;
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_ID, (unsigned long)&id), "PERF_EVENT_IOC_ID");
    CHECK(id != 0 && v[3] == id, "the id in read() is PERF_EVENT_IOC_ID's (%llu)", (unsigned long long)id);
    CHECK(v[0] > 0, "the task clock counted (%llu ns)", (unsigned long long)v[0]);
    CHECK(v[1] > 0 && v[1] == v[2], "enabled == running (no multiplexing): %llu", (unsigned long long)v[1]);
    CHECK(v[0] <= v[1] + 1000000, "the count is about the enabled time");
    CHECK_ERR(EFAULT, perf_ioctl(fd, PERF_EVENT_IOC_ID, 8), "PERF_EVENT_IOC_ID to a bad pointer is EFAULT");
    CHECK_ERR(EFAULT, SYS3(__NR_read, fd, 8, 32), "read into a bad pointer is EFAULT");
    close((int)fd);

    fd = perf_open_sw(PERF_COUNT_SW_TASK_CLOCK, PERF_FORMAT_GROUP | PERF_FORMAT_ID | PERF_FORMAT_LOST | PERF_FORMAT_TOTAL_TIME_ENABLED);
    CHECK_SYS_OK(fd, "GROUP | ID | LOST | TOTAL_TIME_ENABLED");
    CHECK_LIBC_ERR(ENOSPC, read((int)fd, v, 32), "32 bytes for the 40-byte group format is ENOSPC");
    memset(v, 0xff, sizeof v);
    CHECK_EQ(40, read((int)fd, v, sizeof v), "nr, enabled, value, id, lost: 40 bytes");
    CHECK_EQ(1, v[0], "the group has one member");
    perf_ioctl(fd, PERF_EVENT_IOC_ID, (unsigned long)&id);
    CHECK_EQ(id, v[3], "the member's id");
    CHECK_EQ(0, v[4], "no samples were lost");
    close((int)fd);
}

static void check_enable_disable(void)
{
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
    attr.disabled = 1;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED;
    long fd = perf_open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    CHECK_SYS_OK(fd, "a disabled task clock");
    __u64 v[2];
    perf_spin(0.01);
    read((int)fd, v, sizeof v);
    CHECK(v[0] == 0 && v[1] == 0, "a disabled event counts nothing (%llu, %llu)", (unsigned long long)v[0], (unsigned long long)v[1]);
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_ENABLE, 0), "ENABLE");
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_ENABLE, 0), "ENABLE again (idempotent)");
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP), "ENABLE with PERF_IOC_FLAG_GROUP");
    perf_spin(0.02);
    __u64 running = read_one(fd);
    CHECK(running > 0, "enabled, it counts (%llu ns)", (unsigned long long)running);
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_DISABLE, 0), "DISABLE");
    __u64 stopped = read_one(fd);
    perf_spin(0.02);
    CHECK_EQ(stopped, read_one(fd), "disabled, the count stands still");
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_RESET, 0), "RESET");
    read((int)fd, v, sizeof v);
    CHECK_EQ(0, v[0], "RESET zeroes the count");
    CHECK(v[1] > 0, "RESET keeps time_enabled (%llu)", (unsigned long long)v[1]);
    CHECK_ERR(EINVAL, perf_ioctl(fd, PERF_EVENT_IOC_REFRESH, 1), "REFRESH on a counting event is EINVAL");
    __u64 period = 1000000;
    CHECK_ERR(EINVAL, perf_ioctl(fd, PERF_EVENT_IOC_PERIOD, (unsigned long)&period), "PERIOD on a counting event is EINVAL");
    CHECK_ERR(EINVAL, perf_ioctl(fd, PERF_EVENT_IOC_PAUSE_OUTPUT, 1), "PAUSE_OUTPUT without a ring is EINVAL");
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, -1L), "SET_OUTPUT -1 (no redirection)");
    CHECK_ERR(EBADF, perf_ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, 0), "SET_OUTPUT to a non-perf fd is EBADF");
    CHECK_ERR(EBADF, perf_ioctl(fd, PERF_EVENT_IOC_SET_BPF, TAP_BAD_FD), "SET_BPF with a closed fd is EBADF");
    CHECK_ERR(EINVAL, perf_ioctl(fd, PERF_EVENT_IOC_SET_BPF, fd), "SET_BPF with a perf fd is EINVAL");
    CHECK_ERR(EINVAL, perf_ioctl(fd, PERF_EVENT_IOC_SET_FILTER, (unsigned long)"x"), "SET_FILTER on a software event is EINVAL");
    CHECK_ERR(ENOTTY, perf_ioctl(fd, 0x2499, 0), "an unknown perf ioctl is ENOTTY");
    CHECK_ERR(ENOTTY, perf_ioctl(fd, 0x1234, 0), "a foreign ioctl is ENOTTY");
    CHECK_LIBC_ERR(EINVAL, write((int)fd, v, 8), "write is EINVAL");
    CHECK_LIBC_ERR(ESPIPE, lseek((int)fd, 0, SEEK_SET), "lseek is ESPIPE");
    close((int)fd);
}

static void check_sampling_ioctls(void)
{
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_BPF_OUTPUT);
    attr.sample_type = PERF_SAMPLE_RAW;
    attr.sample_period = 1;
    long out = perf_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    CHECK_SYS_OK(out, "a BPF output event on CPU 0");
    CHECK_EQ(0, read_one(out), "a BPF output event counts nothing");
    CHECK_SYS_OK(perf_ioctl(out, PERF_EVENT_IOC_REFRESH, 1), "REFRESH on a sampling event");
    __u64 period = 2;
    CHECK_SYS_OK(perf_ioctl(out, PERF_EVENT_IOC_PERIOD, (unsigned long)&period), "PERIOD 2");
    period = 0;
    CHECK_ERR(EINVAL, perf_ioctl(out, PERF_EVENT_IOC_PERIOD, (unsigned long)&period), "PERIOD 0 is EINVAL");
    period = 1ULL << 63;
    CHECK_ERR(EINVAL, perf_ioctl(out, PERF_EVENT_IOC_PERIOD, (unsigned long)&period), "PERIOD with bit 63 is EINVAL");
    CHECK_ERR(EFAULT, perf_ioctl(out, PERF_EVENT_IOC_PERIOD, 8), "PERIOD from a bad pointer is EFAULT");

    /* SET_OUTPUT: same CPU or task only, never to itself, the target must be mapped. */
    long task = perf_open_sw(PERF_COUNT_SW_TASK_CLOCK, 0);
    CHECK_ERR(EINVAL, perf_ioctl(task, PERF_EVENT_IOC_SET_OUTPUT, out), "SET_OUTPUT across CPU and task events is EINVAL");
    CHECK_ERR(EINVAL, perf_ioctl(out, PERF_EVENT_IOC_SET_OUTPUT, out), "SET_OUTPUT to itself is EINVAL");
    long out2 = perf_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    CHECK_ERR(EINVAL, perf_ioctl(out2, PERF_EVENT_IOC_SET_OUTPUT, out), "SET_OUTPUT to an unmapped event is EINVAL");
    struct perf_ring ring;
    CHECK_SYS_OK(perf_map(out, 1, PROT_READ | PROT_WRITE, &ring), "map the target");
    CHECK_SYS_OK(perf_ioctl(out2, PERF_EVENT_IOC_SET_OUTPUT, out), "SET_OUTPUT to a mapped event on the same CPU");
    struct perf_ring other;
    CHECK_ERR(EINVAL, perf_map(out2, 2, PROT_READ | PROT_WRITE, &other), "mapping the redirected event with another size is EINVAL");
    CHECK_ERR(EBUSY, perf_map(out2, 1, PROT_READ | PROT_WRITE, &other), "mapping the redirected event is EBUSY");
    CHECK_ERR(EINVAL, perf_ioctl(out, PERF_EVENT_IOC_SET_OUTPUT, -1L), "SET_OUTPUT on a mapped event is EINVAL");
    CHECK_SYS_OK(perf_ioctl(out2, PERF_EVENT_IOC_SET_OUTPUT, -1L), "SET_OUTPUT -1 undoes the redirection");
    CHECK_SYS_OK(perf_ioctl(out, PERF_EVENT_IOC_PAUSE_OUTPUT, 1), "PAUSE_OUTPUT with a ring");
    CHECK_SYS_OK(perf_ioctl(out, PERF_EVENT_IOC_PAUSE_OUTPUT, 0), "resume");
    perf_unmap(&ring);
    close((int)out2);
    close((int)task);
    close((int)out);
}

static void check_sleeping_task(void)
{
    long fd = perf_open_sw(PERF_COUNT_SW_TASK_CLOCK, PERF_FORMAT_TOTAL_TIME_ENABLED);
    __u64 before[2], after[2];
    read((int)fd, before, sizeof before);
    usleep(100000);
    read((int)fd, after, sizeof after);
    CHECK(after[0] - before[0] < 20000000, "a task clock barely moves while its task sleeps 100 ms (%llu ns)",
          (unsigned long long)(after[0] - before[0]));
    CHECK(after[1] - before[1] < 20000000, "nor does its time_enabled (%llu ns)", (unsigned long long)(after[1] - before[1]));
    close((int)fd);

    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    fd = perf_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    __u64 start = read_one(fd);
    usleep(50000);
    __u64 end = read_one(fd);
    CHECK(end - start >= 40000000 && end - start < 1000000000, "a CPU-wide clock runs while this task sleeps 50 ms (%llu ns)",
          (unsigned long long)(end - start));
    close((int)fd);

    /* A task clock of this process against its CPU time and the wall time: at most the wall
     * time of the busy loop, and not far below the CPU time (which may be tick-based, and
     * ticks and the TSC can disagree under emulation). */
    fd = perf_open_sw(PERF_COUNT_SW_TASK_CLOCK, 0);
    double t0 = perf_now(CLOCK_PROCESS_CPUTIME_ID), w0 = perf_now(CLOCK_MONOTONIC);
    __u64 c0 = read_one(fd);
    perf_spin(0.2);
    double counted = (read_one(fd) - c0) / 1e9;
    double used = perf_now(CLOCK_PROCESS_CPUTIME_ID) - t0, wall = perf_now(CLOCK_MONOTONIC) - w0;
    DIAG("task clock %.3f s, CPU time %.3f s, wall time %.3f s", counted, used, wall);
    double floor = used < wall ? used : wall;
    CHECK(counted > floor * 0.5 && counted < wall + 0.01, "the task clock is about the busy time, at most the wall time");
    close((int)fd);
}

int main(void)
{
    check_read_formats();
    check_enable_disable();
    check_sampling_ioctls();
    check_sleeping_task();
    return tap_done();
}
