/* profile: a sampling CPU profiler like bcc's libbpf-tools profile. One PERF_COUNT_SW_CPU_CLOCK
 * event per CPU at -F HZ (frequency mode) runs profile.bpf.c, which counts samples per
 * (process, kernel stack, user stack). At the end (-d or Ctrl-C) the stacks are printed,
 * kernel frames symbolized through /proc/kallsyms, user frames through the ELF symbols of the
 * mapped files (else as addresses). -f prints folded lines "comm;outer;...;inner count" that
 * flamegraph.pl reads; kernel frames carry a "_[k]" suffix.
 *   profile [-F HZ] [-d SECONDS] [-p PID] [-f] [-U | -K] [-I] [-v] */
#include <getopt.h>
#include <linux/perf_event.h>
#include <linux/types.h>
#include <sys/syscall.h>
#include "profile.h"
#include "profile.skel.h"
#include "symbols.h"
#include "tools.h"

static struct {
    __u32 pid;
    int freq, duration, folded, user_only, kernel_only, idle;
} env = { .freq = 49 };

static void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "Usage: profile [-F HZ] [-d SECONDS] [-p PID] [-f] [-U | -K] [-I] [-v]\n"
            "Sample stacks on every CPU at a fixed rate.\n"
            "  -F HZ       samples per second per CPU (default 49)\n"
            "  -d SECONDS  stop after this long (default: until Ctrl-C)\n"
            "  -p PID      only this process\n"
            "  -f          folded output (comm;frame;frame count) for flamegraph.pl\n"
            "  -U          user stacks only\n"
            "  -K          kernel stacks only\n"
            "  -I          include the idle task\n"
            "  -v          libbpf's messages\n");
    exit(code);
}

struct sample {
    struct key key;
    __u64 count;
};

static int by_count(const void *a, const void *b)
{
    const struct sample *x = a, *y = b;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* Frames of one stack, innermost first; 0 if there is none. */
static int read_stack(int fd, __s32 id, __u64 *ips)
{
    if (id < 0)
        return 0;
    memset(ips, 0, PROFILE_MAX_DEPTH * sizeof *ips);
    if (bpf_map_lookup_elem(fd, &id, ips) != 0)
        return 0;
    int n = 0;
    while (n < PROFILE_MAX_DEPTH && ips[n])
        n++;
    return n;
}

static const char *frame_name(__u32 pid, __u64 ip, int kernel, char *buf, size_t size)
{
    const char *name = kernel ? symtab_find(kernel_symbols(), ip) : user_symbol(pid, ip);
    if (name)
        snprintf(buf, size, "%s%s", name, kernel && env.folded ? "_[k]" : "");
    else
        snprintf(buf, size, "0x%llx%s", (unsigned long long)ip, kernel && env.folded ? "_[k]" : "");
    return buf;
}

static void print_sample(int stack_fd, const struct sample *s)
{
    static __u64 kips[PROFILE_MAX_DEPTH], uips[PROFILE_MAX_DEPTH];
    char buf[320];
    int nk = read_stack(stack_fd, s->key.kern_stack_id, kips);
    int nu = read_stack(stack_fd, s->key.user_stack_id, uips);
    if (env.folded) {
        printf("%s", s->key.comm);
        for (int i = nu - 1; i >= 0; i--)
            printf(";%s", frame_name(s->key.pid, uips[i], 0, buf, sizeof buf));
        for (int i = nk - 1; i >= 0; i--)
            printf(";%s", frame_name(s->key.pid, kips[i], 1, buf, sizeof buf));
        printf(" %llu\n", (unsigned long long)s->count);
        return;
    }
    for (int i = 0; i < nk; i++)
        printf("    %s\n", frame_name(s->key.pid, kips[i], 1, buf, sizeof buf));
    if (nk && nu)
        printf("    --\n");
    for (int i = 0; i < nu; i++)
        printf("    %s\n", frame_name(s->key.pid, uips[i], 0, buf, sizeof buf));
    if (!nk && !nu)
        printf("    [missed stack]\n");
    printf("    -                %s (%u)\n        %llu\n\n", s->key.comm, s->key.pid, (unsigned long long)s->count);
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "F:d:p:fUKIvh")) != -1) {
        switch (opt) {
        case 'F': env.freq = (int)tool_number("profile", "-F", optarg, 1, 100000); break;
        case 'd': env.duration = (int)tool_number("profile", "-d", optarg, 1, 86400); break;
        case 'p': env.pid = (__u32)tool_number("profile", "-p", optarg, 1, 0x7fffffff); break;
        case 'f': env.folded = 1; break;
        case 'U': env.user_only = 1; break;
        case 'K': env.kernel_only = 1; break;
        case 'I': env.idle = 1; break;
        case 'v': tool_verbose = 1; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    if (optind != argc || (env.user_only && env.kernel_only))
        usage(2);
    setvbuf(stdout, NULL, _IOLBF, 0);
    tool_init();
    struct profile_bpf *skel = profile_bpf__open();
    if (!skel)
        tool_fail("profile", "open the BPF object", -errno);
    skel->rodata->targ_tgid = env.pid;
    skel->rodata->user_stacks = !env.kernel_only;
    skel->rodata->kernel_stacks = !env.user_only;
    skel->rodata->include_idle = (__u32)env.idle;
    int err = profile_bpf__load(skel);
    if (err)
        tool_fail("profile", "load the BPF program", err);

    int ncpus = libbpf_num_possible_cpus();
    if (ncpus < 1)
        tool_fail("profile", "count the possible CPUs", ncpus);
    struct bpf_link **links = calloc((size_t)ncpus, sizeof *links);
    int attached = 0;
    for (int cpu = 0; cpu < ncpus; cpu++) {
        struct perf_event_attr attr = {
            .type = PERF_TYPE_SOFTWARE,
            .size = sizeof attr,
            .config = PERF_COUNT_SW_CPU_CLOCK,
            .freq = 1,
            .sample_freq = (__u64)env.freq,
        };
        int fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
        if (fd < 0) {
            if (errno == ENODEV)
                continue; /* offline CPU */
            tool_fail("profile", "perf_event_open(CPU_CLOCK)", -errno);
        }
        links[cpu] = bpf_program__attach_perf_event(skel->progs.do_sample, fd);
        if (!links[cpu]) {
            err = -errno;
            close(fd);
            tool_fail("profile", "attach to the perf event", err);
        }
        attached++;
    }
    if (!env.folded) {
        printf("Sampling at %d Hz on %d CPUs of %s stacks", env.freq, attached,
               env.user_only ? "user" : env.kernel_only ? "kernel" : "user + kernel");
        if (env.duration)
            printf(" for %d s.\n", env.duration);
        else
            printf("... Hit Ctrl-C to end.\n");
    }
    double deadline = env.duration ? tool_now() + env.duration : 0;
    while (!tool_exiting) {
        int ms = tool_poll_ms(deadline, 200);
        if (ms == 0)
            break;
        usleep((useconds_t)ms * 1000);
    }
    for (int cpu = 0; cpu < ncpus; cpu++)
        bpf_link__destroy(links[cpu]);
    free(links);

    /* Collect, sort by count, print. */
    int counts_fd = bpf_map__fd(skel->maps.counts), stack_fd = bpf_map__fd(skel->maps.stackmap);
    size_t cap = 1024, n = 0;
    struct sample *samples = malloc(cap * sizeof *samples);
    struct key k, last, *prev = NULL;
    while (samples && bpf_map_get_next_key(counts_fd, prev, &k) == 0) {
        if (n == cap) {
            cap *= 2;
            samples = realloc(samples, cap * sizeof *samples);
            if (!samples)
                break;
        }
        if (bpf_map_lookup_elem(counts_fd, &k, &samples[n].count) == 0) {
            samples[n].key = k;
            n++;
        }
        last = k;
        prev = &last;
    }
    if (samples) {
        qsort(samples, n, sizeof *samples, by_count);
        for (size_t i = 0; i < n; i++)
            print_sample(stack_fd, &samples[i]);
    }
    free(samples);
    profile_bpf__destroy(skel);
    return 0;
}
