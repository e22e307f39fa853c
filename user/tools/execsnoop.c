/* execsnoop: prints every execve() as it returns: PCOMM (the new program's name), PID, PPID,
 * RET and ARGS, like bcc's libbpf-tools execsnoop. The BPF side (execsnoop.bpf.c) runs on the
 * syscalls sys_enter/sys_exit_execve tracepoints and sched_process_fork (for PPID) and feeds a
 * ring buffer.
 *   execsnoop [-n NAME] [-d SECONDS] [-x] [-T] [-v] */
#include <getopt.h>
#include <linux/types.h>
#include "execsnoop.h"
#include "execsnoop.skel.h"
#include "tools.h"

static struct {
    const char *name;
    int duration, failed, timestamp;
} env;
static double start_time;

static void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "Usage: execsnoop [-n NAME] [-d SECONDS] [-x] [-T] [-v]\n"
            "Trace execve() calls.\n"
            "  -n NAME     only commands whose name or arguments contain NAME\n"
            "  -d SECONDS  stop after this long (default: until Ctrl-C)\n"
            "  -x          only failed execs\n"
            "  -T          print a timestamp column (seconds since start)\n"
            "  -v          libbpf's messages\n");
    exit(code);
}

/* The offset of `field` in <tracefs>/events/sched/sched_process_fork/format, or 0. */
static __u32 fork_field_offset(const char *field)
{
    const char *root = tool_tracefs();
    char path[256], line[256], want[64];
    if (!root)
        return 0;
    snprintf(path, sizeof path, "%s/events/sched/sched_process_fork/format", root);
    snprintf(want, sizeof want, " %s;", field);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    __u32 off = 0;
    while (fgets(line, sizeof line, f)) {
        const char *o = strstr(line, "offset:");
        if (strstr(line, want) && o) {
            off = (__u32)atoi(o + 7);
            break;
        }
    }
    fclose(f);
    return off;
}

/* PPid from /proc/<pid>/status (0 if the process is gone). */
static __u32 proc_ppid(__u32 pid)
{
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%u/status", pid);
    FILE *f = fopen(path, "r");
    __u32 ppid = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "PPid:", 5) == 0) {
            ppid = (__u32)atoi(line + 5);
            break;
        }
    fclose(f);
    return ppid;
}

static int handle_event(void *ctx, void *data, size_t size)
{
    (void)ctx;
    const struct event *e = data;
    size_t head = __builtin_offsetof(struct event, args);
    if (size < head || e->args_size > sizeof e->args || size < head + e->args_size)
        return 0;
    char args[EXECSNOOP_ARGS_BYTES + 8];
    size_t n = 0;
    for (__u32 i = 0; i < e->args_size && n < EXECSNOOP_ARGS_BYTES; i++)
        args[n++] = e->args[i] ? e->args[i] : ' ';
    while (n > 0 && args[n - 1] == ' ')
        n--;
    args[n] = '\0';
    if (env.name && !strstr(e->comm, env.name) && !strstr(args, env.name))
        return 0;
    __u32 ppid = e->ppid ? e->ppid : proc_ppid(e->pid);
    if (env.timestamp)
        printf("%-8.3f ", tool_now() - start_time);
    printf("%-16.16s %-6u %-6u %3d %s%s\n", e->comm, e->pid, ppid, e->retval, args, e->truncated ? " ..." : "");
    return 0;
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "n:d:xTvh")) != -1) {
        switch (opt) {
        case 'n': env.name = optarg; break;
        case 'd': env.duration = (int)tool_number("execsnoop", "-d", optarg, 1, 86400); break;
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
    if (!tool_has_tracepoint("syscalls", "sys_enter_execve")) {
        fprintf(stderr, "execsnoop: the kernel has no syscalls:sys_enter_execve tracepoint (is tracefs there?)\n");
        return 1;
    }
    struct execsnoop_bpf *skel = execsnoop_bpf__open();
    if (!skel)
        tool_fail("execsnoop", "open the BPF object", -errno);
    skel->rodata->targ_failed = (__u32)env.failed;
    skel->rodata->fork_parent_off = fork_field_offset("parent_pid");
    skel->rodata->fork_child_off = fork_field_offset("child_pid");
    if (!tool_has_tracepoint("sched", "sched_process_fork"))
        bpf_program__set_autoload(skel->progs.on_fork, false);
    int err = execsnoop_bpf__load(skel);
    if (err)
        tool_fail("execsnoop", "load the BPF programs", err);
    err = execsnoop_bpf__attach(skel);
    if (err)
        tool_fail("execsnoop", "attach to the tracepoints", err);
    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event, NULL, NULL);
    if (!rb)
        tool_fail("execsnoop", "ring_buffer__new", -errno);

    start_time = tool_now();
    double deadline = env.duration ? start_time + env.duration : 0;
    if (env.timestamp)
        printf("%-8s ", "TIME(s)");
    printf("%-16s %-6s %-6s %3s %s\n", "PCOMM", "PID", "PPID", "RET", "ARGS");
    int status = tool_poll_ring_buffer(rb, deadline, "execsnoop");
    execsnoop_bpf__destroy(skel);
    return status;
}
