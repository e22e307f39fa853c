/* kprobe_placement: where a kprobe may go, as Linux decides. Offsets into do_sys_openat2 are
 * tried one by one with bpf_program__attach_kprobe_opts: the accepted ones must be instruction
 * boundaries (every refusal EILSEQ, at least one refusal, instructions of 1..15 bytes); a
 * probe at the second boundary after the entry fires together with the entry probe, with
 * PT_REGS_IP = address + 1 and bpf_get_func_ip = 0 (only entry probes get the function's
 * address); libbpf's SEC("kprobe/do_sys_openat2+0x1") form where offset 1 is a boundary.
 * Refusals: a kretprobe not at the entry (EINVAL, kprobe PMU and kprobe_events), a function
 * on the kprobe blacklist (EINVAL; Linux's /sys/kernel/debug/kprobes/blacklist or the
 * kernel's documented kprobe_breakpoint_handler), an unknown function (ENOENT), a name that
 * several functions share (EADDRNOTAVAIL). Skipped where the kernel cannot attach kprobes. */
#include "bpftest.h"
#include <linux/perf_event.h>

#define FUNC "do_sys_openat2"
#define MAX_OFFSET 24

struct site {
    __u64 hits, ip, func_ip;
};
struct results {
    struct site entry, offset, plus_one;
};

static struct results read_out(struct bpf_object *obj)
{
    struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &r);
    return r;
}

/* Attaches `prog` at FUNC+offset (or `func`); NULL with errno on failure. libbpf's warnings
 * about expected refusals are kept out of the output. */
static struct bpf_link *attach_quiet(struct bpf_program *prog, const char *func, size_t offset, bool retprobe)
{
    LIBBPF_OPTS(bpf_kprobe_opts, opts, .offset = offset, .retprobe = retprobe);
    libbpf_set_print(NULL);
    struct bpf_link *link = bpf_program__attach_kprobe_opts(prog, func, &opts);
    int err = errno;
    libbpf_set_print(bt_libbpf_print);
    errno = err;
    return link;
}

/* -errno of a kprobe PMU perf_event_open (0 with the fd closed on success). */
static long pmu_open(int type, int retprobe, const char *func, unsigned long long offset)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = (__u32)type;
    attr.config = retprobe ? 1 : 0;
    attr.config1 = (unsigned long)func;
    attr.config2 = offset;
    long fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0)
        return -errno;
    close((int)fd);
    return 0;
}

/* -errno of one write to <tracefs>/kprobe_events; -ENODEV if the file is missing. */
static long kprobe_events_write(const char *line)
{
    const char *why = NULL, *tracefs = bt_tracefs(&why);
    char path[300];
    snprintf(path, sizeof path, "%s/kprobe_events", tracefs ? tracefs : "/nonexistent");
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return -ENODEV;
    long ret = write(fd, line, strlen(line)) < 0 ? -errno : 0;
    close(fd);
    return ret;
}

/* A function on the kprobe blacklist: Linux lists it in debugfs (exc_int3 on x86 if there),
 * the kernel here documents kprobe_breakpoint_handler (docs/tracing-probes.md). */
static const char *blacklisted_function(void)
{
    static char name[128];
    FILE *f = fopen("/sys/kernel/debug/kprobes/blacklist", "r");
    if (f) {
        char line[256], sym[128];
        name[0] = 0;
        while (fgets(line, sizeof line, f)) {
            if (sscanf(line, "%*s %127s", sym) != 1 || strchr(sym, '.') || !bt_ksym_address(sym))
                continue;
            if (!name[0] || strcmp(sym, "exc_int3") == 0)
                snprintf(name, sizeof name, "%s", sym);
        }
        fclose(f);
        if (name[0])
            return name;
    }
    if (bt_ksym_address("kprobe_breakpoint_handler"))
        return "kprobe_breakpoint_handler";
    return NULL;
}

/* A plain function name that several kernel text symbols share, or NULL. */
static const char *ambiguous_function(void)
{
    static char name[96];
    bt_ksyms_load();
    for (size_t i = 0; i < bt_ksym_count; i++) {
        const char *s = bt_ksyms[i].name;
        if (strncmp(s, "_Z", 2) == 0 || strchr(s, '.') || strlen(s) < 4 || strncmp(s, "__", 2) == 0)
            continue;
        for (size_t j = i + 1; j < bt_ksym_count; j++) {
            if (bt_ksyms[j].addr != bt_ksyms[i].addr && strcmp(bt_ksyms[j].name, s) == 0) {
                snprintf(name, sizeof name, "%s", s);
                return name;
            }
        }
    }
    return NULL;
}

static void scan_offsets(struct bpf_object *obj, int *first_boundary, int *second_boundary, int *first_inside, int *plus_one_ok)
{
    int accepted[MAX_OFFSET + 1] = { 1 }, refused = 0, wrong_errno = 0, last = 0, longest = 0;
    for (int off = 1; off <= MAX_OFFSET; off++) {
        errno = 0;
        struct bpf_link *link = attach_quiet(bt_prog(obj, "at_offset"), FUNC, (size_t)off, false);
        if (link) {
            accepted[off] = 1;
            bpf_link__destroy(link);
            if (off - last > longest)
                longest = off - last;
            last = off;
            if (*first_boundary && !*second_boundary)
                *second_boundary = off;
            if (!*first_boundary)
                *first_boundary = off;
        } else {
            refused++;
            if (!*first_inside)
                *first_inside = off;
            if (errno != EILSEQ) {
                wrong_errno++;
                DIAG("offset %d refused with %s", off, tap_errname(errno));
            }
        }
    }
    char list[200] = "";
    for (int off = 1; off <= MAX_OFFSET; off++)
        if (accepted[off])
            snprintf(list + strlen(list), sizeof list - strlen(list), " %d", off);
    DIAG(FUNC " offsets accepted in 1..%d:%s", MAX_OFFSET, list);
    CHECK(*first_boundary > 0 && *first_boundary <= 15, "the first instruction is 1..15 bytes (first accepted offset %d)", *first_boundary);
    CHECK(refused > 0, "offsets inside instructions are refused (%d of %d)", refused, MAX_OFFSET);
    CHECK_EQ(0, wrong_errno, "every refused offset failed with EILSEQ");
    CHECK(longest <= 15, "accepted offsets are at most 15 bytes apart (longest gap %d)", longest);
    *plus_one_ok = accepted[1];
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open("kprobe_placement");
    if (!obj)
        return tap_done();
    __u32 tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    if (bt_load(obj) != 0)
        return tap_done();
    const char *why = bt_need_kprobes();
    if (why) {
        tap_skip(why, "kprobe placement on " FUNC);
        return tap_done();
    }
    unsigned long long func = bt_ksym_address(FUNC);
    CHECK(func != 0, FUNC " is in /proc/kallsyms");

    int first = 0, second = 0, inside = 0, plus_one_ok = 0;
    scan_offsets(obj, &first, &second, &inside, &plus_one_ok);

    struct bpf_link *entry = bpf_program__attach(bt_prog(obj, "at_entry"));
    CHECK(entry != NULL, "entry probe on " FUNC);
    LIBBPF_OPTS(bpf_kprobe_opts, opts, .offset = (size_t)second);
    struct bpf_link *at = second ? bpf_program__attach_kprobe_opts(bt_prog(obj, "at_offset"), FUNC, &opts) : NULL;
    CHECK(at != NULL, "probe at " FUNC "+%d, the second instruction boundary after the entry", second);
    struct bpf_link *plus = NULL;
    if (plus_one_ok) {
        plus = bpf_program__attach(bt_prog(obj, "at_plus_one"));
        CHECK(plus != NULL, "SEC(\"kprobe/" FUNC "+0x1\") auto-attaches");
    }
    /* libbpf opens the PMU's sysfs files while attaching: count from here on. */
    struct results zero_results;
    memset(&zero_results, 0, sizeof zero_results);
    __u32 zero = 0;
    bpf_map_update_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &zero_results, BPF_ANY);
    for (int i = 0; i < 5; i++) {
        int fd = open("/", O_RDONLY | O_DIRECTORY);
        if (fd >= 0)
            close(fd);
    }
    struct results r = read_out(obj);
    CHECK_EQ(5, r.entry.hits, "the entry probe ran for 5 opens");
    CHECK_EQ(5, r.offset.hits, "the probe at +%d ran for the same 5 opens", second);
    /* On a Linux kernel with IBT, a probe on the name sits after the 4-byte endbr64. */
    CHECK(r.entry.ip == func + 1 || r.entry.ip == func + 5, "entry: PT_REGS_IP is the probed address + 1 (%#llx, function %#llx)",
          (unsigned long long)r.entry.ip, func);
    CHECK_EQ(func, r.entry.func_ip, "entry: bpf_get_func_ip is the function's address");
    CHECK_EQ(func + second + 1, r.offset.ip, "+%d: PT_REGS_IP is the probed address + 1", second);
    CHECK_EQ(0, r.offset.func_ip, "+%d: bpf_get_func_ip is 0 for a probe off the entry", second);
    if (plus_one_ok) {
        CHECK_EQ(5, r.plus_one.hits, "the SEC(...+0x1) probe ran for the same 5 opens");
        CHECK_EQ(func + 2, r.plus_one.ip, "+1: PT_REGS_IP is the probed address + 1");
        CHECK_EQ(0, r.plus_one.func_ip, "+1: bpf_get_func_ip is 0");
    } else {
        tap_skip("offset 1 is not an instruction boundary of " FUNC " on this kernel", "SEC(\"kprobe/" FUNC "+0x1\")");
    }
    bpf_link__destroy(plus);
    bpf_link__destroy(at);
    bpf_link__destroy(entry);

    /* Refusals. */
    errno = 0;
    struct bpf_link *bad = attach_quiet(bt_prog(obj, "at_offset"), "bpftests_no_such_kernel_function", 0, false);
    CHECK(bad == NULL && errno == ENOENT, "an unknown function is ENOENT (errno %s)", tap_errname(errno));
    bpf_link__destroy(bad);
    const char *blacklisted = blacklisted_function();
    if (blacklisted) {
        errno = 0;
        bad = attach_quiet(bt_prog(obj, "at_offset"), blacklisted, 0, false);
        CHECK(bad == NULL && errno == EINVAL, "%s (blacklisted) is EINVAL (errno %s)", blacklisted, tap_errname(errno));
        bpf_link__destroy(bad);
    } else {
        tap_skip("no blacklisted function found (no /sys/kernel/debug/kprobes/blacklist)", "a blacklisted function is EINVAL");
    }
    const char *ambiguous = ambiguous_function();
    if (ambiguous) {
        errno = 0;
        bad = attach_quiet(bt_prog(obj, "at_offset"), ambiguous, 0, false);
        CHECK(bad == NULL && errno == EADDRNOTAVAIL, "%s (several functions of that name) is EADDRNOTAVAIL (errno %s)", ambiguous,
              tap_errname(errno));
        bpf_link__destroy(bad);
    } else {
        tap_skip("no kernel text name is shared by two functions", "an ambiguous name is EADDRNOTAVAIL");
    }
    int pmu = bt_pmu_type("kprobe");
    if (pmu >= 0 && first && inside) {
        CHECK_ERR(EINVAL, pmu_open(pmu, 1, FUNC, (unsigned long long)first), "kprobe PMU: a kretprobe at " FUNC "+%d is EINVAL", first);
        CHECK_ERR(EILSEQ, pmu_open(pmu, 0, FUNC, (unsigned long long)inside), "kprobe PMU: " FUNC "+%d is EILSEQ", inside);
    } else {
        tap_skip("no kprobe PMU", "kprobe PMU refusals");
    }
    char line[160];
    if (kprobe_events_write("") != -ENODEV && first && inside) {
        snprintf(line, sizeof line, "r:kprobes/bt_placement_%d " FUNC "+%d\n", (int)getpid(), first);
        CHECK_ERR(EINVAL, kprobe_events_write(line), "kprobe_events: a kretprobe at " FUNC "+%d is EINVAL", first);
        snprintf(line, sizeof line, "-:kprobes/bt_placement_%d\n", (int)getpid());
        kprobe_events_write(line); /* in case it was wrongly created */
        snprintf(line, sizeof line, "p:kprobes/bt_placement_%d " FUNC "+%d\n", (int)getpid(), inside);
        CHECK_ERR(EILSEQ, kprobe_events_write(line), "kprobe_events: " FUNC "+%d is EILSEQ", inside);
        snprintf(line, sizeof line, "-:kprobes/bt_placement_%d\n", (int)getpid());
        kprobe_events_write(line);
    } else {
        tap_skip("no <tracefs>/kprobe_events", "kprobe_events refusals");
    }
    bpf_object__close(obj);
    return tap_done();
}
