/* funccount: counts calls of functions, like bcc's funccount. Each pattern is a user function
 * `PATH:FUNC` (uprobes) or a kernel function `FUNC` (kprobes), with fnmatch wildcards
 * expanded against the file's ELF symbols or /proc/kallsyms; every matching function gets a
 * probe whose attach cookie is its row. Counts are printed at the end (-d or Ctrl-C) or every
 * -i seconds, largest first.
 *   funccount [-p PID] [-d SECONDS] [-i SECONDS] [-v] PATTERN... */
#include <getopt.h>
#include <linux/types.h>
#include "funccount.h"
#include "funccount.skel.h"
#include "probes.h"

static struct {
    int pid, duration, interval;
} env;

struct function {
    const struct probe_target *target;
    char name[256];
    struct bpf_link *link;
    int attached;
};
static struct function functions[FUNCCOUNT_MAX];
static int nfunctions, too_many;

static void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "Usage: funccount [-p PID] [-d SECONDS] [-i SECONDS] [-v] PATTERN...\n"
            "Count calls of user or kernel functions.\n"
            "  PATTERN     PATH:FUNC (u:PATH:FUNC) for a user function, FUNC (k:FUNC) for a kernel\n"
            "              function; FUNC may use wildcards: '/bin/sh:*read*', 'vfs_*'\n"
            "  -p PID      only calls made by this process\n"
            "  -d SECONDS  stop after this long (default: until Ctrl-C)\n"
            "  -i SECONDS  print (and reset) the counts every SECONDS\n"
            "  -v          libbpf's messages\n");
    exit(code);
}

static const struct probe_target *expanding;

static void add_function(const char *name, void *arg)
{
    (void)arg;
    if (nfunctions == FUNCCOUNT_MAX) {
        too_many = 1;
        return;
    }
    functions[nfunctions].target = expanding;
    snprintf(functions[nfunctions].name, sizeof functions[0].name, "%s", name);
    nfunctions++;
}

static int by_count_desc(const void *a, const void *b)
{
    const __u64 *x = a, *y = b;
    return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : 0;
}

static void print_counts(struct funccount_bpf *skel, int reset)
{
    __u64 rows[FUNCCOUNT_MAX][2];
    int n = 0;
    for (int i = 0; i < nfunctions; i++) {
        __u64 c = skel->bss->counts.calls[i];
        if (reset)
            __sync_fetch_and_sub(&skel->bss->counts.calls[i], c);
        if (c && functions[i].attached) {
            rows[n][0] = c;
            rows[n][1] = (__u64)i;
            n++;
        }
    }
    qsort(rows, (size_t)n, sizeof rows[0], by_count_desc);
    printf("%-40s %12s\n", "FUNC", "COUNT");
    for (int r = 0; r < n; r++) {
        const struct function *f = &functions[rows[r][1]];
        char label[600];
        if (f->target->user)
            snprintf(label, sizeof label, "%s:%s", strrchr(f->target->path, '/') + 1, f->name);
        else
            snprintf(label, sizeof label, "%s", f->name);
        printf("%-40s %12llu\n", label, (unsigned long long)rows[r][0]);
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "p:d:i:vh")) != -1) {
        switch (opt) {
        case 'p': env.pid = (int)tool_number("funccount", "-p", optarg, 1, 0x7fffffff); break;
        case 'd': env.duration = (int)tool_number("funccount", "-d", optarg, 1, 86400); break;
        case 'i': env.interval = (int)tool_number("funccount", "-i", optarg, 1, 86400); break;
        case 'v': tool_verbose = 1; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    if (optind >= argc)
        usage(2);
    int ntargets = argc - optind;
    struct probe_target *targets = calloc((size_t)ntargets, sizeof *targets);
    if (!targets)
        tool_fail("funccount", "allocate", -ENOMEM);
    for (int i = 0; i < ntargets; i++) {
        if (probe_target_parse("funccount", argv[optind + i], &targets[i]) != 0)
            return 2;
        expanding = &targets[i];
        if (!probe_has_wildcard(targets[i].func))
            add_function(targets[i].func, NULL);
        else if (probe_expand(&targets[i], add_function, NULL) == 0)
            fprintf(stderr, "funccount: no function matches '%s'\n", argv[optind + i]);
    }
    if (too_many)
        fprintf(stderr, "funccount: more than %d functions match; counting the first %d\n", FUNCCOUNT_MAX, FUNCCOUNT_MAX);
    if (nfunctions == 0)
        return 1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    tool_init();
    struct funccount_bpf *skel = funccount_bpf__open();
    if (!skel)
        tool_fail("funccount", "open the BPF object", -errno);
    skel->rodata->targ_tgid = (__u32)env.pid;
    int err = funccount_bpf__load(skel);
    if (err)
        tool_fail("funccount", "load the BPF program", err);
    int attached = 0;
    if (!tool_verbose)
        libbpf_set_print(NULL); /* a refused function is reported below, in one line */
    for (int i = 0; i < nfunctions; i++) {
        struct function *f = &functions[i];
        int pid = f->target->user && env.pid ? env.pid : -1;
        f->link = probe_attach(skel->progs.count_call, f->target, f->name, 0, pid, (__u64)i);
        f->attached = f->link != NULL;
        if (f->link)
            attached++;
        else
            fprintf(stderr, "funccount: cannot probe %s: %s\n", f->name, strerror(errno));
    }
    libbpf_set_print(tool_libbpf_print);
    if (!attached) {
        funccount_bpf__destroy(skel);
        return 1;
    }
    printf("Tracing %d function%s", attached, attached == 1 ? "" : "s");
    if (env.duration)
        printf(" for %d s.\n", env.duration);
    else
        printf("... Hit Ctrl-C to end.\n");
    double deadline = env.duration ? tool_now() + env.duration : 0;
    double next = env.interval ? tool_now() + env.interval : 0;
    while (!tool_exiting) {
        int ms = tool_poll_ms(deadline, 100);
        if (ms == 0)
            break;
        usleep((useconds_t)ms * 1000);
        if (next && tool_now() >= next) {
            printf("\n[%s]\n", tool_clock());
            print_counts(skel, 1);
            next += env.interval;
        }
    }
    for (int i = 0; i < nfunctions; i++)
        bpf_link__destroy(functions[i].link);
    printf("\n");
    print_counts(skel, 0);
    funccount_bpf__destroy(skel);
    free(targets);
    return 0;
}
