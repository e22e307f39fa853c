/* stackcount: counts the stacks that lead to a function, like bcc's stackcount. A kprobe (or a
 * uprobe for PATH:FUNC) takes the kernel stack (kernel functions) or the user stack (user
 * functions; -U adds user stacks to a kernel function) with bpf_get_stackid and counts calls
 * per distinct stack; -P keeps processes apart. At the end (-d or Ctrl-C) the stacks are
 * printed most frequent first, innermost frame first, or folded for flamegraph.pl with -f
 * ("[comm;]outer;...;inner count", kernel frames suffixed "_[k]").
 *   stackcount [-p PID] [-d SECONDS] [-P] [-U] [-f] [-v] FUNCTION */
#include <getopt.h>
#include <linux/types.h>
#include "stackcount.h"
#include "stackcount.skel.h"
#include "probes.h"

static struct {
    int pid, duration, per_process, user, folded;
} env;

/* The probed file's symbols when it is not position independent: they name user frames of
 * processes that have exited by the time the stacks are printed. */
static struct symtab target_syms;

static void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "Usage: stackcount [-p PID] [-d SECONDS] [-P] [-U] [-f] [-v] FUNCTION\n"
            "Count the distinct stacks that call a function.\n"
            "  FUNCTION    a kernel function (vfs_read, k:vfs_read) or PATH:FUNC (u:PATH:FUNC)\n"
            "  -p PID      only calls made by this process\n"
            "  -d SECONDS  stop after this long (default: until Ctrl-C)\n"
            "  -P          one entry per process (pid and comm)\n"
            "  -U          also user stacks for a kernel function\n"
            "  -f          folded output for flamegraph.pl\n"
            "  -v          libbpf's messages\n");
    exit(code);
}

struct entry {
    struct stackcount_key key;
    __u64 count;
};

static int by_count(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static int read_stack(int fd, __s32 id, __u64 *ips)
{
    if (id < 0)
        return 0;
    memset(ips, 0, STACKCOUNT_MAX_DEPTH * sizeof *ips);
    if (bpf_map_lookup_elem(fd, &id, ips) != 0)
        return 0;
    int n = 0;
    while (n < STACKCOUNT_MAX_DEPTH && ips[n])
        n++;
    return n;
}

static const char *frame_name(__u32 pid, __u64 ip, int kernel, char *buf, size_t size)
{
    const char *name = kernel ? symtab_find(kernel_symbols(), ip) : (pid ? user_symbol(pid, ip) : NULL);
    if (!name && !kernel)
        name = symtab_find(&target_syms, ip);
    const char *suffix = kernel && env.folded ? "_[k]" : "";
    if (name)
        snprintf(buf, size, "%s%s", name, suffix);
    else
        snprintf(buf, size, "0x%llx%s", (unsigned long long)ip, suffix);
    return buf;
}

static void print_entry(int stack_fd, const struct entry *e)
{
    static __u64 kips[STACKCOUNT_MAX_DEPTH], uips[STACKCOUNT_MAX_DEPTH];
    char buf[320];
    int nk = read_stack(stack_fd, e->key.kern_stack_id, kips);
    int nu = read_stack(stack_fd, e->key.user_stack_id, uips);
    if (env.folded) {
        int first = 1;
        if (env.per_process) {
            printf("%s", e->key.comm);
            first = 0;
        }
        for (int i = nu - 1; i >= 0; i--, first = 0)
            printf("%s%s", first ? "" : ";", frame_name(e->key.pid, uips[i], 0, buf, sizeof buf));
        for (int i = nk - 1; i >= 0; i--, first = 0)
            printf("%s%s", first ? "" : ";", frame_name(e->key.pid, kips[i], 1, buf, sizeof buf));
        printf("%s%llu\n", first ? "[missed stack] " : " ", (unsigned long long)e->count);
        return;
    }
    for (int i = 0; i < nk; i++)
        printf("  %s\n", frame_name(e->key.pid, kips[i], 1, buf, sizeof buf));
    if (nk && nu)
        printf("  --\n");
    for (int i = 0; i < nu; i++)
        printf("  %s\n", frame_name(e->key.pid, uips[i], 0, buf, sizeof buf));
    if (!nk && !nu)
        printf("  [missed stack]\n");
    if (env.per_process)
        printf("    %s [%u]\n", e->key.comm, e->key.pid);
    printf("    %llu\n\n", (unsigned long long)e->count);
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "p:d:PUfvh")) != -1) {
        switch (opt) {
        case 'p': env.pid = (int)tool_number("stackcount", "-p", optarg, 1, 0x7fffffff); break;
        case 'd': env.duration = (int)tool_number("stackcount", "-d", optarg, 1, 86400); break;
        case 'P': env.per_process = 1; break;
        case 'U': env.user = 1; break;
        case 'f': env.folded = 1; break;
        case 'v': tool_verbose = 1; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    if (optind != argc - 1)
        usage(2);
    struct probe_target target;
    if (probe_target_parse("stackcount", argv[optind], &target) != 0)
        return 2;
    if (probe_has_wildcard(target.func)) {
        fprintf(stderr, "stackcount: '%s': one function only (no wildcards)\n", target.func);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    tool_init();
    struct stackcount_bpf *skel = stackcount_bpf__open();
    if (!skel)
        tool_fail("stackcount", "open the BPF object", -errno);
    skel->rodata->targ_tgid = (__u32)env.pid;
    skel->rodata->kernel_stacks = !target.user;
    skel->rodata->user_stacks = target.user || env.user;
    skel->rodata->per_process = (__u32)env.per_process;
    int err = stackcount_bpf__load(skel);
    if (err)
        tool_fail("stackcount", "load the BPF program", err);
    int pid = target.user && env.pid ? env.pid : -1;
    struct bpf_link *link = probe_attach(skel->progs.count_stack, &target, target.func, 0, pid, 0);
    if (!link)
        tool_fail("stackcount", target.user ? "attach the uprobe" : "attach the kprobe", -errno);
    if (!env.folded) {
        printf("Tracing %s%s%s", target.user ? target.path : "", target.user ? ":" : "", target.func);
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
    bpf_link__destroy(link);
    int is_dyn = 0;
    if (target.user && (elf_symbols(target.path, &target_syms, &is_dyn) != 0 || is_dyn))
        target_syms.count = 0;

    int counts_fd = bpf_map__fd(skel->maps.counts), stack_fd = bpf_map__fd(skel->maps.stackmap);
    size_t cap = 256, n = 0;
    struct entry *entries = malloc(cap * sizeof *entries);
    struct stackcount_key k, last, *prev = NULL;
    while (entries && bpf_map_get_next_key(counts_fd, prev, &k) == 0) {
        if (n == cap) {
            cap *= 2;
            struct entry *grown = realloc(entries, cap * sizeof *entries);
            if (!grown)
                break;
            entries = grown;
        }
        if (bpf_map_lookup_elem(counts_fd, &k, &entries[n].count) == 0) {
            entries[n].key = k;
            n++;
        }
        last = k;
        prev = &last;
    }
    if (!env.folded)
        printf("\n");
    if (entries) {
        qsort(entries, n, sizeof *entries, by_count);
        for (size_t i = 0; i < n; i++)
            print_entry(stack_fd, &entries[i]);
    }
    free(entries);
    stackcount_bpf__destroy(skel);
    return 0;
}
