/* opensnoop: prints every open()/openat() as it completes: PID, COMM, FD (-1 on failure), ERR
 * (errno or 0) and PATH, like bcc's libbpf-tools opensnoop. The BPF side (opensnoop.bpf.c) runs
 * on the syscalls sys_enter/sys_exit_openat and _open tracepoints and feeds a ring buffer.
 *   opensnoop [-p PID] [-n COMM] [-d SECONDS] [-x] [-T] [-v] */
#include <getopt.h>
#include <linux/types.h>
#include "opensnoop.h"
#include "opensnoop.skel.h"
#include "tools.h"

static struct {
    __u32 pid;
    const char *name;
    int duration, failed, timestamp;
} env;
static double start_time;

static void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "Usage: opensnoop [-p PID] [-n COMM] [-d SECONDS] [-x] [-T] [-v]\n"
            "Trace open()/openat() calls.\n"
            "  -p PID      only this process\n"
            "  -n COMM     only processes whose name contains COMM\n"
            "  -d SECONDS  stop after this long (default: until Ctrl-C)\n"
            "  -x          only failed opens\n"
            "  -T          print a timestamp column (seconds since start)\n"
            "  -v          libbpf's messages\n");
    exit(code);
}

static int handle_event(void *ctx, void *data, size_t size)
{
    (void)ctx;
    const struct event *e = data;
    if (size < sizeof *e)
        return 0;
    if (env.name && !strstr(e->comm, env.name))
        return 0;
    if (env.timestamp)
        printf("%-8.3f ", tool_now() - start_time);
    int fd = e->ret >= 0 ? e->ret : -1;
    int err = e->ret >= 0 ? 0 : -e->ret;
    printf("%-6u %-16.16s %3d %3d %s\n", e->pid, e->comm, fd, err, e->fname);
    return 0;
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "p:n:d:xTvh")) != -1) {
        switch (opt) {
        case 'p': env.pid = (__u32)tool_number("opensnoop", "-p", optarg, 1, 0x7fffffff); break;
        case 'n': env.name = optarg; break;
        case 'd': env.duration = (int)tool_number("opensnoop", "-d", optarg, 1, 86400); break;
        case 'x': env.failed = 1; break;
        case 'T': env.timestamp = 1; break;
        case 'v': tool_verbose = 1; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    setvbuf(stdout, NULL, _IOLBF, 0);
    tool_init();
    if (!tool_has_tracepoint("syscalls", "sys_enter_openat")) {
        fprintf(stderr, "opensnoop: the kernel has no syscalls:sys_enter_openat tracepoint (is tracefs there?)\n");
        return 1;
    }
    struct opensnoop_bpf *skel = opensnoop_bpf__open();
    if (!skel)
        tool_fail("opensnoop", "open the BPF object", -errno);
    skel->rodata->targ_tgid = env.pid;
    skel->rodata->targ_failed = (__u32)env.failed;
    if (!tool_has_tracepoint("syscalls", "sys_enter_open") || !tool_has_tracepoint("syscalls", "sys_exit_open")) {
        bpf_program__set_autoload(skel->progs.enter_open, false);
        bpf_program__set_autoload(skel->progs.exit_open, false);
    }
    int err = opensnoop_bpf__load(skel);
    if (err)
        tool_fail("opensnoop", "load the BPF programs", err);
    err = opensnoop_bpf__attach(skel);
    if (err)
        tool_fail("opensnoop", "attach to the tracepoints", err);
    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event, NULL, NULL);
    if (!rb)
        tool_fail("opensnoop", "ring_buffer__new", -errno);

    start_time = tool_now();
    double deadline = env.duration ? start_time + env.duration : 0;
    if (env.timestamp)
        printf("%-8s ", "TIME(s)");
    printf("%-6s %-16s %3s %3s %s\n", "PID", "COMM", "FD", "ERR", "PATH");
    int status = tool_poll_ring_buffer(rb, deadline, "opensnoop");
    opensnoop_bpf__destroy(skel);
    return status;
}
