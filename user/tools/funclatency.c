/* funclatency: the latency distribution of one function, like bcc's funclatency. A kprobe and
 * a kretprobe (or a uprobe and a uretprobe for PATH:FUNC) time every call per thread and count
 * it in a log2 histogram, printed at the end (-d or Ctrl-C) or every -i seconds, with the
 * average, total and count.
 *   funclatency [-p PID] [-u | -m] [-d SECONDS] [-i SECONDS] [-v] FUNCTION */
#include <getopt.h>
#include <linux/types.h>
#include "funclatency.h"
#include "funclatency.skel.h"
#include "probes.h"

static struct {
    int pid, duration, interval;
    const char *unit;
    __u64 divisor;
} env = { .unit = "nsecs", .divisor = 1 };

static void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "Usage: funclatency [-p PID] [-u | -m] [-d SECONDS] [-i SECONDS] [-v] FUNCTION\n"
            "Time a function's calls and print a log2 histogram of their latency.\n"
            "  FUNCTION    a kernel function (vfs_read, k:vfs_read) or PATH:FUNC (u:PATH:FUNC)\n"
            "  -p PID      only calls made by this process\n"
            "  -u          microseconds (default nanoseconds)\n"
            "  -m          milliseconds\n"
            "  -d SECONDS  stop after this long (default: until Ctrl-C)\n"
            "  -i SECONDS  print (and reset) the histogram every SECONDS\n"
            "  -v          libbpf's messages\n");
    exit(code);
}

/* Prints the histogram and summary; with `reset`, zeroes the totals afterwards. */
static void print_totals(struct funclatency_bpf *skel, int reset)
{
    struct funclatency_totals t = skel->bss->totals;
    if (reset)
        memset(&skel->bss->totals, 0, sizeof skel->bss->totals);
    tool_print_log2_hist((const unsigned long long *)t.hist, FUNCLATENCY_SLOTS, env.unit);
    if (t.count)
        printf("\navg = %llu %s, total: %llu %s, count: %llu\n", (unsigned long long)(t.total / t.count), env.unit,
               (unsigned long long)t.total, env.unit, (unsigned long long)t.count);
    else
        printf("no calls completed\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "p:umd:i:vh")) != -1) {
        switch (opt) {
        case 'p': env.pid = (int)tool_number("funclatency", "-p", optarg, 1, 0x7fffffff); break;
        case 'u': env.unit = "usecs", env.divisor = 1000; break;
        case 'm': env.unit = "msecs", env.divisor = 1000000; break;
        case 'd': env.duration = (int)tool_number("funclatency", "-d", optarg, 1, 86400); break;
        case 'i': env.interval = (int)tool_number("funclatency", "-i", optarg, 1, 86400); break;
        case 'v': tool_verbose = 1; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    if (optind != argc - 1)
        usage(2);
    struct probe_target target;
    if (probe_target_parse("funclatency", argv[optind], &target) != 0)
        return 2;
    if (probe_has_wildcard(target.func)) {
        fprintf(stderr, "funclatency: '%s': one function only (no wildcards)\n", target.func);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    tool_init();
    struct funclatency_bpf *skel = funclatency_bpf__open();
    if (!skel)
        tool_fail("funclatency", "open the BPF object", -errno);
    skel->rodata->targ_tgid = (__u32)env.pid;
    skel->rodata->unit_divisor = env.divisor;
    int err = funclatency_bpf__load(skel);
    if (err)
        tool_fail("funclatency", "load the BPF programs", err);
    int pid = target.user && env.pid ? env.pid : -1;
    struct bpf_link *entry = probe_attach(skel->progs.function_entry, &target, target.func, 0, pid, 0);
    if (!entry)
        tool_fail("funclatency", target.user ? "attach the uprobe" : "attach the kprobe", -errno);
    struct bpf_link *ret = probe_attach(skel->progs.function_return, &target, target.func, 1, pid, 0);
    if (!ret)
        tool_fail("funclatency", target.user ? "attach the uretprobe" : "attach the kretprobe", -errno);

    printf("Tracing %s%s%s", target.user ? target.path : "", target.user ? ":" : "", target.func);
    if (env.duration)
        printf(" for %d s.\n", env.duration);
    else
        printf(".  Hit Ctrl-C to exit\n");
    double deadline = env.duration ? tool_now() + env.duration : 0;
    double next = env.interval ? tool_now() + env.interval : 0;
    while (!tool_exiting) {
        int ms = tool_poll_ms(deadline, 100);
        if (ms == 0)
            break;
        usleep((useconds_t)ms * 1000);
        if (next && tool_now() >= next) {
            printf("\n[%s]\n", tool_clock());
            print_totals(skel, 1);
            next += env.interval;
        }
    }
    bpf_link__destroy(entry);
    bpf_link__destroy(ret);
    printf("\n");
    print_totals(skel, 0);
    funclatency_bpf__destroy(skel);
    return 0;
}
