/* perf_open: perf_event_open(2) argument checking — attr size rules (0 means VER0, VER0 up to
 * a page with a zero tail, E2BIG with the supported size written back), EFAULT, unknown types
 * and configs, pid/cpu combinations, flags, group_fd, refused attributes, sampling limits,
 * and what the fd is (anon_inode:[perf_event], O_RDWR, close-on-exec on request), plus the
 * PMU type files in sysfs. */
#include "perf_common.h"

#include <fcntl.h>

static long open_with_size(__u32 size, unsigned char fill_tail_at)
{
    static unsigned char buf[8192];
    memset(buf, 0, sizeof buf);
    struct perf_event_attr *attr = (struct perf_event_attr *)buf;
    attr->type = PERF_TYPE_SOFTWARE;
    attr->config = PERF_COUNT_SW_TASK_CLOCK;
    attr->size = size;
    if (fill_tail_at)
        buf[size - 1] = 1;
    return perf_open(attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static void check_sizes(void)
{
    long fd;
    CHECK_SYS_OK(fd = open_with_size(0, 0), "size 0 is PERF_ATTR_SIZE_VER0");
    close((int)fd);
    CHECK_SYS_OK(fd = open_with_size(PERF_ATTR_SIZE_VER0, 0), "size 64 (VER0)");
    close((int)fd);
    CHECK_SYS_OK(fd = open_with_size(65, 0), "size 65");
    close((int)fd);
    CHECK_SYS_OK(fd = open_with_size(sizeof(struct perf_event_attr), 0), "size sizeof(attr)");
    close((int)fd);
    CHECK_SYS_OK(fd = open_with_size(4096, 0), "size 4096 with a zero tail");
    close((int)fd);

    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
    attr.size = 32;
    CHECK_ERR(E2BIG, perf_open(&attr, 0, -1, -1, 0), "size 32 is E2BIG");
    CHECK(attr.size >= sizeof(struct perf_event_attr) && attr.size % 8 == 0,
          "E2BIG writes the supported size back into attr.size (%u)", attr.size);
    __u32 supported = attr.size;
    CHECK_SYS_OK(fd = open_with_size(supported, 0), "the size written back is accepted");
    close((int)fd);
    CHECK_ERR(E2BIG, open_with_size(4097, 0), "size 4097 is E2BIG");
    CHECK_ERR(E2BIG, open_with_size(1024, 1), "a non-zero byte past the known struct is E2BIG");
    CHECK_ERR(E2BIG, open_with_size(63, 0), "size 63 is E2BIG");
}

static void check_pointers(void)
{
    CHECK_ERR(EFAULT, perf_open((void *)8, 0, -1, -1, 0), "an unmapped attr is EFAULT");
    CHECK_ERR(EFAULT, perf_open(tap_unmapped_address(), 0, -1, -1, 0), "an unmapped page is EFAULT");
    /* The size is readable, the rest of the struct is not. */
    unsigned char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + 4096, 4096);
    struct perf_event_attr *edge = (struct perf_event_attr *)(two + 4096 - 16);
    memset(edge, 0, 16);
    edge->size = sizeof(struct perf_event_attr);
    CHECK_ERR(EFAULT, perf_open(edge, 0, -1, -1, 0), "an attr crossing into an unmapped page is EFAULT");
    munmap(two, 4096);
}

static void check_types(void)
{
    struct perf_event_attr attr;
    perf_attr_init(&attr, 100, 0);
    CHECK_ERR(ENOENT, perf_open(&attr, 0, -1, -1, 0), "an unknown type is ENOENT");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_MAX);
    CHECK_ERR(ENOENT, perf_open(&attr, 0, -1, -1, 0), "software config PERF_COUNT_SW_MAX is ENOENT");
    perf_attr_init(&attr, PERF_TYPE_TRACEPOINT, 0x7fffffff);
    CHECK_ERR(EINVAL, perf_open(&attr, -1, 0, -1, 0), "an unknown tracepoint id is EINVAL");
    const __u64 configs[] = { PERF_COUNT_SW_CPU_CLOCK, PERF_COUNT_SW_TASK_CLOCK, PERF_COUNT_SW_DUMMY, PERF_COUNT_SW_BPF_OUTPUT };
    for (unsigned i = 0; i < sizeof configs / sizeof configs[0]; i++) {
        long fd = perf_open_sw(configs[i], 0);
        CHECK_SYS_OK(fd, "software config %llu opens", (unsigned long long)configs[i]);
        close((int)fd);
    }
}

static void check_targets(void)
{
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    long fd;
    CHECK_ERR(EINVAL, perf_open(&attr, -1, -1, -1, 0), "pid -1 with cpu -1 is EINVAL");
    CHECK_SYS_OK(fd = perf_open(&attr, -1, 0, -1, 0), "pid -1, cpu 0: everything on CPU 0");
    close((int)fd);
    CHECK_SYS_OK(fd = perf_open(&attr, 0, -1, -1, 0), "pid 0, cpu -1: this process anywhere");
    close((int)fd);
    CHECK_SYS_OK(fd = perf_open(&attr, 0, 0, -1, 0), "pid 0, cpu 0");
    close((int)fd);
    CHECK_SYS_OK(fd = perf_open(&attr, getpid(), -1, -1, 0), "pid getpid()");
    close((int)fd);
    CHECK_SYS_OK(fd = perf_open(&attr, getppid(), -1, -1, 0), "another process (as root)");
    close((int)fd);
    int cpus = perf_online_cpus();
    CHECK_ERR(EINVAL, perf_open(&attr, 0, 4096, -1, 0), "cpu 4096 (beyond the possible CPUs) is EINVAL");
    CHECK_ERR(EINVAL, perf_open(&attr, -1, cpus + 1000, -1, 0), "pid -1 with a CPU that does not exist is EINVAL");
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -2, -1, 0), "cpu -2 is EINVAL");
    CHECK_ERR(ESRCH, perf_open(&attr, 999999, -1, -1, 0), "an unknown pid is ESRCH");
    CHECK_ERR(ESRCH, perf_open(&attr, -2, 0, -1, 0), "pid -2 is ESRCH");
}

static void check_flags_and_groups(void)
{
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, 16), "an unknown flag is EINVAL");
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, PERF_FLAG_PID_CGROUP), "PERF_FLAG_PID_CGROUP with cpu -1 is EINVAL");
    long fd;
    CHECK_SYS_OK(fd = perf_open(&attr, 0, -1, -1, PERF_FLAG_FD_NO_GROUP), "PERF_FLAG_FD_NO_GROUP without a group");
    close((int)fd);
    CHECK_SYS_OK(fd = perf_open(&attr, 0, -1, -1, PERF_FLAG_FD_OUTPUT), "PERF_FLAG_FD_OUTPUT without a group");
    close((int)fd);
    CHECK_ERR(EBADF, perf_open(&attr, 0, -1, TAP_BAD_FD, 0), "group_fd not open is EBADF");
    CHECK_ERR(EBADF, perf_open(&attr, 0, -1, 0, 0), "group_fd not a perf event (stdin) is EBADF");

    CHECK_SYS_OK(fd = perf_open(&attr, 0, -1, -1, 0), "no PERF_FLAG_FD_CLOEXEC");
    CHECK_EQ(0, fcntl((int)fd, F_GETFD) & FD_CLOEXEC, "the fd is not close-on-exec");
    CHECK_EQ(O_RDWR, fcntl((int)fd, F_GETFL) & O_ACCMODE, "the fd is O_RDWR");
    char path[64], link[128] = { 0 };
    snprintf(path, sizeof path, "/proc/self/fd/%ld", fd);
    CHECK(readlink(path, link, sizeof link - 1) > 0, "readlink /proc/self/fd/N");
    CHECK_STR("anon_inode:[perf_event]", link, "the fd is anon_inode:[perf_event]");
    close((int)fd);
    CHECK_SYS_OK(fd = perf_open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC), "PERF_FLAG_FD_CLOEXEC");
    CHECK_EQ(FD_CLOEXEC, fcntl((int)fd, F_GETFD) & FD_CLOEXEC, "the fd is close-on-exec");
    close((int)fd);
}

static void check_attr_fields(void)
{
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.sample_type = PERF_SAMPLE_MAX;
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, 0), "an unknown sample_type bit is EINVAL");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.read_format = PERF_FORMAT_MAX;
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, 0), "an unknown read_format bit is EINVAL");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.__reserved_1 = 1;
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, 0), "a reserved flag bit is EINVAL");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.__reserved_2 = 1;
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, 0), "__reserved_2 is EINVAL");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.sample_period = 1ULL << 63;
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, 0), "sample_period with bit 63 is EINVAL");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.freq = 1;
    attr.sample_freq = 10000000;
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, 0), "sample_freq above perf_event_max_sample_rate is EINVAL");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.sigtrap = 1;
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, 0), "sigtrap without remove_on_exec is EINVAL");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.inherit_thread = 1;
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, 0), "inherit_thread without inherit is EINVAL");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.aux_output = 1;
    CHECK_ERR(EOPNOTSUPP, perf_open(&attr, 0, -1, -1, 0), "aux_output on a software event is EOPNOTSUPP");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.sample_type = PERF_SAMPLE_BRANCH_STACK;
    attr.branch_sample_type = PERF_SAMPLE_BRANCH_ANY;
    CHECK_ERR(EOPNOTSUPP, perf_open(&attr, 0, -1, -1, 0), "branch stacks on a software event are EOPNOTSUPP");
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.use_clockid = 1;
    attr.clockid = 99;
    CHECK_ERR(EINVAL, perf_open(&attr, 0, -1, -1, 0), "an unknown clockid is EINVAL");

    /* What libbpf and perf tools send, and the exclusion bits, are accepted. */
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.exclude_kernel = attr.exclude_hv = attr.exclude_idle = attr.exclude_guest = 1;
    attr.freq = 1;
    attr.sample_freq = 1000;
    attr.sample_id_all = 1;
    attr.use_clockid = 1;
    attr.clockid = CLOCK_MONOTONIC;
    attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD;
    long fd;
    CHECK_SYS_OK(fd = perf_open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC), "a perf-record style attr opens");
    close((int)fd);
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_BPF_OUTPUT);
    attr.sample_type = PERF_SAMPLE_RAW;
    attr.sample_period = 1;
    attr.wakeup_events = 1;
    CHECK_SYS_OK(fd = perf_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC), "libbpf's perf buffer attr opens");
    close((int)fd);
}

static void check_sysfs(void)
{
    char text[32];
    CHECK(read_small_file("/sys/bus/event_source/devices/software/type", text, sizeof text) > 0 && atoi(text) == PERF_TYPE_SOFTWARE,
          "/sys/bus/event_source/devices/software/type is 1");
    CHECK(read_small_file("/sys/bus/event_source/devices/tracepoint/type", text, sizeof text) > 0 && atoi(text) == PERF_TYPE_TRACEPOINT,
          "/sys/bus/event_source/devices/tracepoint/type is 2");
}

/* perf_event_paranoid 2 (the default) for an unprivileged uid. */
static int unprivileged_child(void *arg)
{
    (void)arg;
    if (setgid(65534) != 0 || setuid(65534) != 0)
        return 100;
    int failures = 0;
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
    failures += perf_open(&attr, 0, -1, -1, 0) != -EACCES;      /* kernel counting */
    attr.exclude_kernel = 1;
    long fd = perf_open(&attr, 0, -1, -1, 0);                   /* own task, user only */
    failures += fd < 0;
    close((int)fd);
    failures += perf_open(&attr, -1, 0, -1, 0) != -EACCES;     /* CPU-wide */
    failures += perf_open(&attr, 1, -1, -1, 0) != -EACCES;     /* init, another uid */
    return failures;
}

static void check_unprivileged(void)
{
    char text[16];
    if (read_small_file("/proc/sys/kernel/perf_event_paranoid", text, sizeof text) <= 0 || atoi(text) != 2) {
        tap_skip("perf_event_paranoid is not 2", "unprivileged rules");
        return;
    }
    int status = tap_in_child(unprivileged_child, NULL);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 100) {
        tap_skip("setuid/setgid are not available", "unprivileged rules");
        return;
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "uid 65534: EACCES for kernel counting, CPU-wide events and other users' processes; own task user-only works (%s)",
          tap_describe_status(status));
}

int main(void)
{
    check_sizes();
    check_pointers();
    check_types();
    check_targets();
    check_flags_and_groups();
    check_attr_fields();
    check_sysfs();
    check_unprivileged();
    return tap_done();
}
