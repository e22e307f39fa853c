/* kprobe_events: the legacy kprobe path without libbpf's attach code. A line written to
 * <tracefs>/kprobe_events creates a kprobe event (`p:kprobes/NAME do_sys_openat2`) and a
 * kretprobe event (`r:...`); the listing shows them as Linux prints them; their format has
 * Linux's fields; perf_event_open(PERF_TYPE_TRACEPOINT, config = events/kprobes/NAME/id) plus
 * PERF_EVENT_IOC_SET_BPF attaches KPROBE programs that count exactly this process's opens (the
 * path read from the second argument) and see the returned fd; removing an event in use is
 * EBUSY, the same line twice EEXIST, an unknown event ENOENT; after `-:kprobes/NAME` the id
 * file is gone. Skipped where the kernel has no kprobe_events. */
#include "bpftest.h"
#include <linux/perf_event.h>
#include <sys/ioctl.h>

#define FUNC "do_sys_openat2"
#define PATH_LEN 64

struct results {
    __u64 entries, matched, returns;
    __s64 last_ret;
};

static char tracefs_events[300];

static struct results read_out(struct bpf_object *obj)
{
    struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &r);
    return r;
}

static long write_events(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long write_events(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    int fd = open(tracefs_events, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    long ret = write(fd, line, strlen(line)) < 0 ? -errno : 0;
    close(fd);
    return ret;
}

static long read_text(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t used = 0;
    ssize_t n;
    while (used + 1 < size && (n = read(fd, buf + used, size - 1 - used)) > 0)
        used += (size_t)n;
    buf[used] = 0;
    close(fd);
    return (long)used;
}

/* Whether `text` has a line equal to `line`. */
static int has_line(const char *text, const char *line)
{
    size_t len = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p += len)
        if ((p == text || p[-1] == '\n') && (p[len] == '\n' || p[len] == 0))
            return 1;
    return 0;
}

/* events/kprobes/<name>/id, or -errno. */
static long event_id(const char *tracefs, const char *name)
{
    char path[400], text[32];
    snprintf(path, sizeof path, "%s/events/kprobes/%s/id", tracefs, name);
    long n = read_text(path, text, sizeof text);
    return n < 0 ? n : atol(text);
}

static int open_tracepoint(long id)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.config = (__u64)id;
    attr.sample_period = 1;
    attr.wakeup_events = 1;
    long fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : (int)fd;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    const char *why = NULL, *tracefs = bt_tracefs(&why);
    if (tracefs)
        snprintf(tracefs_events, sizeof tracefs_events, "%s/kprobe_events", tracefs);
    static char path[PATH_LEN];
    snprintf(path, sizeof path, "/tmp/bt-kprobe-events-%d", (int)getpid());
    int setup_fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (!CHECK(setup_fd >= 0, "create %s", path))
        return tap_done();
    close(setup_fd);
    struct bpf_object *obj = bt_open("kprobe_events");
    if (!obj)
        return tap_done();
    __u32 tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    bt_set_global(obj, ".rodata", "target_path", path, sizeof path);
    if (bt_load(obj) != 0)
        return tap_done();
    if (!tracefs || access(tracefs_events, W_OK) != 0) {
        tap_skip(tracefs ? "kernel has no <tracefs>/kprobe_events" : why, "kprobe_events with PERF_TYPE_TRACEPOINT");
        unlink(path);
        return tap_done();
    }

    char ev[64], ret_ev[64], expect[160];
    snprintf(ev, sizeof ev, "bt_kev_%d", (int)getpid());
    snprintf(ret_ev, sizeof ret_ev, "bt_kret_%d", (int)getpid());
    CHECK_SYS_OK(write_events("p:kprobes/%s " FUNC "\n", ev), "write 'p:kprobes/%s " FUNC "'", ev);
    CHECK_SYS_OK(write_events("r:kprobes/%s " FUNC "\n", ret_ev), "write 'r:kprobes/%s " FUNC "'", ret_ev);
    CHECK_ERR(EEXIST, write_events("p:kprobes/%s " FUNC "\n", ev), "the same line again is EEXIST");

    static char text[1 << 16];
    read_text(tracefs_events, text, sizeof text);
    snprintf(expect, sizeof expect, "p:kprobes/%s " FUNC, ev);
    CHECK(has_line(text, expect), "kprobe_events lists '%s'", expect);
    snprintf(expect, sizeof expect, "r:kprobes/%s " FUNC, ret_ev);
    CHECK(has_line(text, expect), "kprobe_events lists '%s'", expect);

    char format_path[400];
    snprintf(format_path, sizeof format_path, "%s/events/kprobes/%s/format", tracefs, ev);
    read_text(format_path, text, sizeof text);
    CHECK(strstr(text, "\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n") != NULL,
          "the kprobe event's format has __probe_ip at offset 8");
    snprintf(format_path, sizeof format_path, "%s/events/kprobes/%s/format", tracefs, ret_ev);
    read_text(format_path, text, sizeof text);
    CHECK(strstr(text, "\tfield:unsigned long __probe_func;\toffset:8;\tsize:8;\tsigned:0;\n") &&
              strstr(text, "\tfield:unsigned long __probe_ret_ip;\toffset:16;\tsize:8;\tsigned:0;\n"),
          "the kretprobe event's format has __probe_func and __probe_ret_ip");

    long id = event_id(tracefs, ev), ret_id = event_id(tracefs, ret_ev);
    CHECK(id > 0 && ret_id > 0 && id != ret_id, "events/kprobes/<name>/id gives two ids (%ld, %ld)", id, ret_id);
    int pfd = open_tracepoint(id), ret_pfd = open_tracepoint(ret_id);
    CHECK(pfd >= 0 && ret_pfd >= 0, "perf_event_open(PERF_TYPE_TRACEPOINT, id) for both (%s)", tap_errname(pfd < 0 ? -pfd : ret_pfd < 0 ? -ret_pfd : 0));
    if (pfd < 0 || ret_pfd < 0) {
        write_events("-:kprobes/%s\n", ev);
        write_events("-:kprobes/%s\n", ret_ev);
        return tap_done();
    }
    CHECK_LIBC_OK(ioctl(pfd, PERF_EVENT_IOC_SET_BPF, bpf_program__fd(bt_prog(obj, "on_event"))), "PERF_EVENT_IOC_SET_BPF, kprobe program");
    CHECK_LIBC_OK(ioctl(ret_pfd, PERF_EVENT_IOC_SET_BPF, bpf_program__fd(bt_prog(obj, "on_return"))), "PERF_EVENT_IOC_SET_BPF, kretprobe program");
    CHECK_LIBC_OK(ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0), "PERF_EVENT_IOC_ENABLE");
    CHECK_LIBC_OK(ioctl(ret_pfd, PERF_EVENT_IOC_ENABLE, 0), "PERF_EVENT_IOC_ENABLE (kretprobe)");

    int last = -1;
    for (int i = 0; i < 5; i++) {
        int fd = open(path, O_RDONLY);
        if (fd >= 0)
            close(fd);
    }
    int other = open("/", O_RDONLY | O_DIRECTORY);
    last = open(path, O_RDONLY);
    struct results r = read_out(obj);
    CHECK_EQ(7, r.entries, "the kprobe program ran for the 7 opens of this process");
    CHECK_EQ(6, r.matched, "6 of them were of %s (path from PT_REGS_PARM2)", path);
    CHECK_EQ(7, r.returns, "the kretprobe program ran for the 7 returns");
    CHECK_EQ(last, r.last_ret, "the kretprobe saw the last open's fd (%d)", last);
    close(other);
    close(last);

    CHECK_ERR(EBUSY, write_events("-:kprobes/%s\n", ev), "removing an event a perf event uses is EBUSY");
    ioctl(pfd, PERF_EVENT_IOC_DISABLE, 0);
    close(pfd);
    close(ret_pfd);
    struct results closed = read_out(obj);
    CHECK_SYS_OK(write_events("-:kprobes/%s\n", ev), "'-:kprobes/%s' after closing the perf event", ev);
    CHECK_SYS_OK(write_events("-:kprobes/%s\n", ret_ev), "'-:kprobes/%s'", ret_ev);
    CHECK_ERR(ENOENT, event_id(tracefs, ev), "events/kprobes/%s/id is gone", ev);
    CHECK_ERR(ENOENT, write_events("-:kprobes/%s\n", ev), "removing it again is ENOENT");
    read_text(tracefs_events, text, sizeof text);
    CHECK(!strstr(text, ev) && !strstr(text, ret_ev), "kprobe_events no longer lists them");
    int fd = open(path, O_RDONLY);
    close(fd);
    struct results r2 = read_out(obj);
    CHECK(r2.entries == closed.entries && r2.returns == closed.returns, "nothing counted after closing and removal");

    unlink(path);
    bpf_object__close(obj);
    return tap_done();
}
