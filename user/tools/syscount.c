/* syscount: counts syscalls per syscall number (names from the x86-64 table generated from
 * asm/unistd_64.h) and, with -L, the total time spent in them; prints the top N like bcc's
 * libbpf-tools syscount, at the end (-d or Ctrl-C) or every -i seconds. The BPF side
 * (syscount.bpf.c) runs on the raw_syscalls:sys_enter/sys_exit tracepoints.
 *   syscount [-p PID] [-d SECONDS] [-i SECONDS] [-T TOP] [-L] [-x] [-v] */
#include <getopt.h>
#include <linux/types.h>
#include "syscall_names.h"
#include "syscount.skel.h"
#include "tools.h"

struct data { __u64 count; __u64 total_ns; };
struct row { __u32 nr; struct data d; };

static struct {
    __u32 pid;
    int duration, interval, top, latency, failed;
} env = { .top = 10 };

static void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "Usage: syscount [-p PID] [-d SECONDS] [-i SECONDS] [-T TOP] [-L] [-x] [-v]\n"
            "Count syscalls (and their time with -L), print the most frequent.\n"
            "  -p PID      only this process\n"
            "  -d SECONDS  stop after this long (default: until Ctrl-C)\n"
            "  -i SECONDS  print (and reset) every this many seconds\n"
            "  -T TOP      rows to print (default 10)\n"
            "  -L          also measure the time spent in each syscall\n"
            "  -x          only failed syscalls\n"
            "  -v          libbpf's messages\n");
    exit(code);
}

static const char *syscall_name(__u32 nr, char *buf, size_t size)
{
    if (nr < SYSCALL_NAMES_COUNT && syscall_names[nr])
        return syscall_names[nr];
    snprintf(buf, size, "[%u]", nr);
    return buf;
}

static int by_count(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (env.latency && x->d.total_ns != y->d.total_ns)
        return x->d.total_ns < y->d.total_ns ? 1 : -1;
    if (x->d.count != y->d.count)
        return x->d.count < y->d.count ? 1 : -1;
    return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* Reads (and empties) the map, prints the top rows. */
static void print_table(int map_fd)
{
    static struct row rows[1024];
    int n = 0;
    __u32 key, next, *prev = NULL;
    while (n < 1024 && bpf_map_get_next_key(map_fd, prev, &next) == 0) {
        if (bpf_map_lookup_elem(map_fd, &next, &rows[n].d) == 0) {
            rows[n].nr = next;
            n++;
        }
        key = next;
        prev = &key;
    }
    for (int i = 0; i < n; i++)
        bpf_map_delete_elem(map_fd, &rows[i].nr);
    qsort(rows, n, sizeof rows[0], by_count);
    printf("[%s]\n", tool_clock());
    if (env.latency)
        printf("%-22s %8s %16s\n", "SYSCALL", "COUNT", "TIME (us)");
    else
        printf("%-22s %8s\n", "SYSCALL", "COUNT");
    char buf[32];
    for (int i = 0; i < n && i < env.top; i++) {
        const char *name = syscall_name(rows[i].nr, buf, sizeof buf);
        if (env.latency)
            printf("%-22s %8llu %16.3f\n", name, (unsigned long long)rows[i].d.count, rows[i].d.total_ns / 1e3);
        else
            printf("%-22s %8llu\n", name, (unsigned long long)rows[i].d.count);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "p:d:i:T:Lxvh")) != -1) {
        switch (opt) {
        case 'p': env.pid = (__u32)tool_number("syscount", "-p", optarg, 1, 0x7fffffff); break;
        case 'd': env.duration = (int)tool_number("syscount", "-d", optarg, 1, 86400); break;
        case 'i': env.interval = (int)tool_number("syscount", "-i", optarg, 1, 86400); break;
        case 'T': env.top = (int)tool_number("syscount", "-T", optarg, 1, 1024); break;
        case 'L': env.latency = 1; break;
        case 'x': env.failed = 1; break;
        case 'v': tool_verbose = 1; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    setvbuf(stdout, NULL, _IOLBF, 0);
    tool_init();
    if (!tool_has_tracepoint("raw_syscalls", "sys_enter")) {
        fprintf(stderr, "syscount: the kernel has no raw_syscalls:sys_enter tracepoint (is tracefs there?)\n");
        return 1;
    }
    struct syscount_bpf *skel = syscount_bpf__open();
    if (!skel)
        tool_fail("syscount", "open the BPF object", -errno);
    skel->rodata->targ_tgid = env.pid;
    skel->rodata->measure_latency = (__u32)env.latency;
    skel->rodata->filter_failed = (__u32)env.failed;
    int err = syscount_bpf__load(skel);
    if (err)
        tool_fail("syscount", "load the BPF programs", err);
    err = syscount_bpf__attach(skel);
    if (err)
        tool_fail("syscount", "attach to the tracepoints", err);

    printf("Tracing %ssyscalls, printing top %d... ", env.failed ? "failed " : "", env.top);
    if (env.duration)
        printf("for %d s.\n", env.duration);
    else
        printf("Ctrl+C to quit.\n");
    double start = tool_now();
    double deadline = env.duration ? start + env.duration : 0;
    double next_print = env.interval ? start + env.interval : 0;
    int map_fd = bpf_map__fd(skel->maps.data);
    while (!tool_exiting) {
        double until = deadline;
        if (next_print && (!until || next_print < until))
            until = next_print;
        int ms = tool_poll_ms(until, 200);
        if (ms == 0) {
            if (deadline && tool_now() >= deadline)
                break;
            print_table(map_fd);
            next_print += env.interval;
            continue;
        }
        usleep((useconds_t)ms * 1000);
    }
    print_table(map_fd);
    syscount_bpf__destroy(skel);
    return 0;
}
