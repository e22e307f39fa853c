/* kprobe: kprobe and kretprobe attach to the kernel function behind getpid (the kprobe PMU
 * with the function name in config1, or the tracefs kprobe_events fallback): exact counts for
 * this process, the return value (our pid) from pt_regs, detaching, and an unknown function
 * (failure). The function is $BPFTESTS_KPROBE_FUNC, else the first of __x64_sys_getpid,
 * __do_sys_getpid, sys_getpid listed in /proc/kallsyms (default __x64_sys_getpid). Skipped, with
 * the reason, where the kernel has neither the kprobe PMU nor <tracefs>/kprobe_events. */
#include "bpftest.h"

struct results {
    __u64 entry_hits, ret_hits;
    __s64 ret;
};

static const char *pick_function(void)
{
    static char name[128];
    const char *env = getenv("BPFTESTS_KPROBE_FUNC");
    if (env && *env)
        return env;
    static const char *candidates[] = { "__x64_sys_getpid", "__do_sys_getpid", "sys_getpid" };
    FILE *f = fopen("/proc/kallsyms", "r");
    int found = -1;
    if (f) {
        char line[512], sym[256];
        while (fgets(line, sizeof line, f) && found != 0) {
            if (sscanf(line, "%*s %*s %255s", sym) != 1)
                continue;
            for (int i = 0; i < 3; i++)
                if (strcmp(sym, candidates[i]) == 0 && (found < 0 || i < found))
                    found = i;
        }
        fclose(f);
    }
    snprintf(name, sizeof name, "%s", candidates[found < 0 ? 0 : found]);
    return name;
}

static struct results read_out(struct bpf_object *obj)
{
    struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &r);
    return r;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    /* KPROBE programs must load even where they cannot be attached. */
    struct bpf_object *obj = bt_open("kprobe");
    if (!obj)
        return tap_done();
    __u32 tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    if (bt_load(obj) != 0)
        return tap_done();

    int pmu = bt_pmu_type("kprobe");
    const char *why = NULL, *tracefs = bt_tracefs(&why);
    char events[300] = "";
    if (tracefs)
        snprintf(events, sizeof events, "%s/kprobe_events", tracefs);
    int legacy = tracefs && access(events, W_OK) == 0;
    if (pmu < 0 && !legacy) {
        tap_skip("kernel has neither the kprobe PMU (/sys/bus/event_source/devices/kprobe) nor <tracefs>/kprobe_events",
                 "kprobe attach");
        bpf_object__close(obj);
        return tap_done();
    }
    const char *func = pick_function();
    DIAG("kprobe on %s via %s", func, pmu >= 0 ? "the kprobe PMU" : "tracefs kprobe_events");


    struct bpf_link *entry = bpf_program__attach_kprobe(bt_prog(obj, "on_entry"), false, func);
    CHECK(entry != NULL, "kprobe on %s", func);
    struct bpf_link *ret = bpf_program__attach_kprobe(bt_prog(obj, "on_return"), true, func);
    CHECK(ret != NULL, "kretprobe on %s", func);
    if (!entry || !ret) {
        DIAG("errno %s", tap_errname(errno));
        return tap_done();
    }
    for (int i = 0; i < 5; i++)
        syscall(SYS_getpid);
    struct results r = read_out(obj);
    CHECK_EQ(5, r.entry_hits, "kprobe ran for 5 getpid calls");
    CHECK_EQ(5, r.ret_hits, "kretprobe ran for 5 getpid calls");
    CHECK_EQ(tgid, r.ret, "kretprobe saw the return value (our pid) in rax");

    CHECK_EQ(0, bpf_link__destroy(entry), "detach the kprobe");
    CHECK_EQ(0, bpf_link__destroy(ret), "detach the kretprobe");
    syscall(SYS_getpid);
    r = read_out(obj);
    CHECK(r.entry_hits == 5 && r.ret_hits == 5, "nothing counted after detaching");

    errno = 0;
    struct bpf_link *none = bpf_program__attach_kprobe(bt_prog(obj, "on_entry"), false, "bpftests_no_such_kernel_function");
    CHECK(none == NULL && errno != 0, "kprobe on an unknown function fails (errno %s)", tap_errname(errno));

    bpf_object__close(obj);
    return tap_done();
}
