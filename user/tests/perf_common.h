/* perf_common.h: raw perf_event_open(2) helpers shared by the perf_* tests. Everything goes
 * through the raw syscall (tap.h's sys()), so the tests see exactly what the kernel returns;
 * they use the build host's <linux/perf_event.h> and run unchanged on the Linux host, the
 * oracle for every expectation. */
#ifndef EXT_EBPF_PERF_COMMON_H
#define EXT_EBPF_PERF_COMMON_H

#include "bpf_common.h"

#include <linux/perf_event.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <time.h>

#define NR_PERF_EVENT_OPEN 298

TAP_FN long perf_open(struct perf_event_attr *attr, long pid, long cpu, long group_fd, unsigned long flags)
{
    return SYS5(NR_PERF_EVENT_OPEN, attr, pid, cpu, group_fd, flags);
}

/* The type number of a dynamic PMU (/sys/bus/event_source/devices/<name>/type), or -1. */
TAP_FN int perf_pmu_type(const char *name)
{
    char path[128], buf[32];
    snprintf(path, sizeof path, "/sys/bus/event_source/devices/%s/type", name);
    if (read_small_file(path, buf, sizeof buf) <= 0)
        return -1;
    return atoi(buf);
}

TAP_FN void perf_attr_init(struct perf_event_attr *attr, __u32 type, __u64 config)
{
    memset(attr, 0, sizeof *attr);
    attr->size = sizeof *attr;
    attr->type = type;
    attr->config = config;
}

/* A software event of this process on any CPU. */
TAP_FN long perf_open_sw(__u64 config, __u64 read_format)
{
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, config);
    attr.read_format = read_format;
    return perf_open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

TAP_FN long perf_ioctl(long fd, unsigned long request, unsigned long arg) { return SYS3(__NR_ioctl, fd, request, arg); }

TAP_FN double perf_now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Burns `seconds` of this process's CPU time (bounded by 5 s of wall time). */
TAP_FN void perf_spin(double seconds)
{
    double end = perf_now(CLOCK_PROCESS_CPUTIME_ID) + seconds, wall_end = perf_now(CLOCK_MONOTONIC) + 5;
    volatile unsigned long x = 0;
    while (perf_now(CLOCK_PROCESS_CPUTIME_ID) < end && perf_now(CLOCK_MONOTONIC) < wall_end)
        for (int i = 0; i < 10000; i++)
            x += i;
}

/* The online CPUs, from /sys/devices/system/cpu/online ("0" or "0-N"). */
TAP_FN int perf_online_cpus(void)
{
    char text[64];
    if (read_small_file("/sys/devices/system/cpu/online", text, sizeof text) < 0)
        return 1;
    int first = 0, last = 0;
    if (sscanf(text, "%d-%d", &first, &last) == 2)
        return last + 1;
    return 1;
}

/* A mapped ring: the header page and 2^n data pages. */
struct perf_ring {
    struct perf_event_mmap_page *page;
    unsigned char *data;
    size_t data_size;
};

TAP_FN long perf_map(long fd, unsigned data_pages, int prot, struct perf_ring *ring)
{
    size_t length = (1 + (size_t)data_pages) * 4096;
    void *p = mmap(NULL, length, prot, MAP_SHARED, (int)fd, 0);
    if (p == MAP_FAILED)
        return -errno;
    ring->page = p;
    ring->data = (unsigned char *)p + 4096;
    ring->data_size = (size_t)data_pages * 4096;
    return 0;
}

TAP_FN void perf_unmap(struct perf_ring *ring) { munmap(ring->page, 4096 + ring->data_size); }

/* Copies the next record (possibly wrapped) into buf; returns its size, 0 when the ring is
 * empty. Like libbpf's perf_event_read_simple(): acquire data_head, release data_tail. */
TAP_FN unsigned perf_next_record(struct perf_ring *ring, void *buf, size_t size)
{
    __u64 head = __atomic_load_n(&ring->page->data_head, __ATOMIC_ACQUIRE);
    __u64 tail = ring->page->data_tail;
    if (head == tail)
        return 0;
    struct perf_event_header header;
    unsigned char *out = buf;
    for (unsigned i = 0; i < sizeof header; i++)
        ((unsigned char *)&header)[i] = ring->data[(tail + i) % ring->data_size];
    for (unsigned i = 0; i < header.size && i < size; i++)
        out[i] = ring->data[(tail + i) % ring->data_size];
    __atomic_store_n(&ring->page->data_tail, tail + header.size, __ATOMIC_RELEASE);
    return header.size;
}

#endif
