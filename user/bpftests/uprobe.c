/* uprobe: uprobe and uretprobe attach (perf_event_open on the uprobe PMU with the binary's
 * path and the function's file offset, or the tracefs uprobe_events fallback) to a function of
 * this binary found by name: arguments and return value from pt_regs, exact counts, the pid
 * filter (a forked child is not counted by a probe for this process, but is by a probe for all
 * processes), detaching, and an unknown function name (ENOENT). Skipped, with the reason, where
 * the kernel has neither the uprobe PMU nor <tracefs>/uprobe_events. */
#include "bpftest.h"
#include <limits.h>

struct results {
    __u64 entry_hits, ret_hits, any_hits;
    __s64 a, b, ret;
    __u64 any_tgid;
};

__attribute__((noinline, used)) int bpftest_uprobe_target(int a, int b)
{
    __asm__ volatile("" ::: "memory");
    return a * b + 1;
}
static int (*volatile target)(int, int) = bpftest_uprobe_target;

static struct results read_out(struct bpf_object *obj)
{
    struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &r);
    return r;
}

static int child_calls(void *arg)
{
    (void)arg;
    target(1, 1);
    target(2, 2);
    return 0;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    int pmu = bt_pmu_type("uprobe");
    const char *why = NULL, *tracefs = bt_tracefs(&why);
    char events[300] = "";
    if (tracefs)
        snprintf(events, sizeof events, "%s/uprobe_events", tracefs);
    int legacy = tracefs && access(events, W_OK) == 0;
    if (pmu < 0 && !legacy) {
        tap_skip("kernel has neither the uprobe PMU (/sys/bus/event_source/devices/uprobe) nor <tracefs>/uprobe_events",
                 "uprobe attach");
        return tap_done();
    }
    DIAG("uprobe via %s", pmu >= 0 ? "the uprobe PMU" : "tracefs uprobe_events");

    static char path[PATH_MAX];
    if (!strchr(argv[0], '/') || !realpath(argv[0], path))
        strcpy(path, "/proc/self/exe");
    struct bpf_object *obj = bt_open_load("uprobe");
    if (!obj)
        return tap_done();

    LIBBPF_OPTS(bpf_uprobe_opts, eo, .func_name = "bpftest_uprobe_target");
    struct bpf_link *entry = bpf_program__attach_uprobe_opts(bt_prog(obj, "on_entry"), 0, path, 0, &eo);
    CHECK(entry != NULL, "uprobe on %s:bpftest_uprobe_target for this process", path);
    LIBBPF_OPTS(bpf_uprobe_opts, ro, .func_name = "bpftest_uprobe_target", .retprobe = true);
    struct bpf_link *ret = bpf_program__attach_uprobe_opts(bt_prog(obj, "on_return"), 0, path, 0, &ro);
    CHECK(ret != NULL, "uretprobe on the same function");
    if (!entry || !ret) {
        DIAG("errno %s", tap_errname(errno));
        return tap_done();
    }

    CHECK_EQ(43, target(6, 7), "the probed function still works (6 * 7 + 1)");
    target(2, 3);
    CHECK_EQ(21, target(4, 5), "... (4 * 5 + 1)");
    struct results r = read_out(obj);
    CHECK_EQ(3, r.entry_hits, "uprobe ran 3 times");
    CHECK(r.a == 4 && r.b == 5, "uprobe saw the last arguments (4, 5) in rdi/rsi (got %lld, %lld)", (long long)r.a, (long long)r.b);
    CHECK_EQ(3, r.ret_hits, "uretprobe ran 3 times");
    CHECK_EQ(21, r.ret, "uretprobe saw the return value 21 in rax");

    /* A child process: not counted by the probes for this process. */
    int st = tap_in_child(child_calls, NULL);
    CHECK_EXITED(0, st, "a child calls the function twice");
    r = read_out(obj);
    CHECK(r.entry_hits == 3 && r.ret_hits == 3, "the child's calls are not counted by the per-process probes");

    /* A probe for every process (pid -1; libbpf opens it for cpu 0) sees the child. */
    struct bpf_link *any = bpf_program__attach_uprobe_opts(bt_prog(obj, "on_any"), -1, path, 0, &eo);
    CHECK(any != NULL, "uprobe for all processes");
    if (any) {
        int child_pid = 0;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            target(1, 1);
            target(2, 2);
            _exit(0);
        }
        child_pid = pid;
        waitpid(pid, NULL, 0);
        r = read_out(obj);
        CHECK_EQ(2, r.any_hits, "the all-process probe counted the child's 2 calls");
        CHECK_EQ(child_pid, r.any_tgid, "... in the child");
        bpf_link__destroy(any);
    }

    CHECK_EQ(0, bpf_link__destroy(entry), "detach the uprobe");
    bpf_link__destroy(ret);
    target(1, 2);
    r = read_out(obj);
    CHECK(r.entry_hits == 3 && r.ret_hits == 3, "nothing counted after detaching");

    LIBBPF_OPTS(bpf_uprobe_opts, bad, .func_name = "no_such_function_here");
    errno = 0;
    struct bpf_link *none = bpf_program__attach_uprobe_opts(bt_prog(obj, "on_entry"), 0, path, 0, &bad);
    CHECK(none == NULL && errno == ENOENT, "an unknown function: ENOENT (errno %s)", tap_errname(errno));

    bpf_object__close(obj);
    return tap_done();
}
