/* tracepoint: TRACEPOINT programs attached through perf_event_open(PERF_TYPE_TRACEPOINT) by
 * libbpf: auto-attach from SEC("tp/syscalls/sys_enter_getpid"), attach by category and name,
 * exact hit counts for this process, the record's __syscall_nr field, the program running on every CPU although libbpf opens the event
 * for cpu 0, two programs on one event (the same program twice: EEXIST), detaching, an
 * unknown tracepoint (ENOENT), and sys_enter_openat reading the file name with
 * bpf_probe_read_user_str: exactly the opens of one path by this process are counted. */
#include "bpftest.h"
#include <sched.h>

struct bss {
    __u64 getpid_hits;
    __u64 getppid_hits;
    __u64 second_hits;
    __s32 last_nr;
    __s32 pad;
    __u64 openat_hits, openat_other;
    __s64 openat_dfd;
    __u64 openat_flags;
    __s64 openat_len;
};

static struct bss read_bss(struct bpf_object *obj)
{
    struct bss b;
    __u32 zero = 0;
    memset(&b, 0xff, sizeof b);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &b);
    return b;
}

/* sys_enter_openat: 7 opens of our path (one of them of a file that does not exist yet, which
 * fails), plus opens of a longer and a shorter name and an open() through SYS_open, which must
 * not count. */
static void check_openat(struct bpf_object *obj, const char *path)
{
    const char *why = bt_need_trace_event("syscalls/sys_enter_openat");
    if (why) {
        tap_skip(why, "sys_enter_openat counts the opens of one path");
        return;
    }
    struct bpf_link *link = bpf_program__attach(bt_prog(obj, "on_openat"));
    if (!CHECK(link != NULL, "auto-attach of SEC(\"tp/syscalls/sys_enter_openat\")"))
        return;
    char longer[80], shorter[80];
    snprintf(longer, sizeof longer, "%sx", path);
    snprintf(shorter, sizeof shorter, "%.*s", (int)strlen(path) - 1, path);
    unlink(path);
    int fails = (int)SYS4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0); /* ENOENT, still counted */
    int created = (int)syscall(SYS_open, path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    for (int i = 0; i < 6; i++) {
        int fd = (int)SYS4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0); /* musl would add O_LARGEFILE */
        if (fd >= 0)
            close(fd);
    }
    for (int i = 0; i < 3; i++) {
        openat(AT_FDCWD, longer, O_RDONLY);
        openat(AT_FDCWD, shorter, O_RDONLY);
    }
    if (created >= 0)
        close(created);
    struct bss b = read_bss(obj);
    CHECK(fails < 0 && created >= 0, "setup: the first open failed, the file was created");
    CHECK_EQ(7, b.openat_hits, "7 openat calls of %s counted (bpf_probe_read_user_str + compare)", path);
    CHECK(b.openat_other >= 6, "opens of a longer and a shorter name did not match (%llu others)",
          (unsigned long long)b.openat_other);
    CHECK_EQ(strlen(path) + 1, b.openat_len, "bpf_probe_read_user_str returned strlen + 1");
    CHECK_EQ(AT_FDCWD, b.openat_dfd, "record: dfd is AT_FDCWD (sign-extended to 8 bytes)");
    CHECK_EQ(O_RDONLY | O_CLOEXEC, b.openat_flags, "record: flags are O_RDONLY|O_CLOEXEC");
    bpf_link__destroy(link);
    int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        close(fd);
    CHECK_EQ(7, read_bss(obj).openat_hits, "no counting after detaching");
    unlink(path);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    const char *why = bt_need_trace_event("syscalls/sys_enter_getpid");
    if (why) {
        tap_skip(why, "tracepoint syscalls:sys_enter_getpid");
        return tap_done();
    }
    struct bpf_object *obj = bt_open("tracepoint");
    if (!obj)
        return tap_done();
    __u32 tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    char path[64] = "";
    snprintf(path, sizeof path, "/tmp/bpftests-openat-%u", tgid);
    __u32 path_len = (__u32)strlen(path) + 1;
    bt_set_global(obj, ".rodata", "open_target", path, sizeof path);
    bt_set_global(obj, ".rodata", "open_target_len", &path_len, sizeof path_len);
    if (bt_load(obj) != 0)
        return tap_done();

    struct bpf_link *link = bpf_program__attach(bt_prog(obj, "on_getpid"));
    CHECK(link != NULL, "auto-attach of SEC(\"tp/syscalls/sys_enter_getpid\")");
    if (!link) {
        DIAG("errno %s", tap_errname(errno));
        return tap_done();
    }
    for (int i = 0; i < 5; i++)
        syscall(SYS_getpid);
    struct bss b = read_bss(obj);
    CHECK_EQ(5, b.getpid_hits, "5 getpid calls counted");
    CHECK_EQ(SYS_getpid, b.last_nr, "record: __syscall_nr is %d", SYS_getpid);

    /* Run once on each online CPU: the event was opened with cpu 0, pid -1. */
    int ncpus = libbpf_num_possible_cpus();
    cpu_set_t all;
    if (ncpus > 1 && sched_getaffinity(0, sizeof all, &all) == 0) {
        int per_cpu_fd = bpf_map__fd(bt_map(obj, "per_cpu"));
        __u64 zeroes[ncpus], counts[ncpus];
        memset(zeroes, 0, sizeof zeroes);
        __u32 k = 0;
        bpf_map_update_elem(per_cpu_fd, &k, zeroes, BPF_ANY);
        int used = 0;
        for (int c = 0; c < ncpus && c < CPU_SETSIZE; c++) {
            if (!CPU_ISSET(c, &all))
                continue;
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            if (sched_setaffinity(0, sizeof one, &one) == 0) {
                syscall(SYS_getpid);
                used |= 1 << c;
            }
        }
        sched_setaffinity(0, sizeof all, &all);
        memset(counts, 0, sizeof counts);
        bpf_map_lookup_elem(per_cpu_fd, &k, counts);
        int ok = used != 0;
        for (int c = 0; c < ncpus && c < 32; c++)
            if (((used >> c) & 1) && counts[c] != 1)
                ok = 0;
        CHECK(ok, "the program ran once on each CPU we ran on (cpu mask %#x)", used);
        if (!ok)
            for (int c = 0; c < ncpus && c < 32; c++)
                DIAG("cpu %d: %llu", c, (unsigned long long)counts[c]);
    } else {
        tap_skip("only one CPU or no sched_getaffinity", "the program runs on every CPU");
    }

    /* The same program twice on one event is refused; a second program runs too. */
    errno = 0;
    struct bpf_link *again = bpf_program__attach_tracepoint(bt_prog(obj, "on_getpid"), "syscalls", "sys_enter_getpid");
    CHECK(again == NULL && errno == EEXIST, "the same program twice on one tracepoint: EEXIST (errno %s)", tap_errname(errno));
    bpf_link__destroy(again);
    struct bpf_link *link2 = bpf_program__attach_tracepoint(bt_prog(obj, "on_getpid_too"), "syscalls", "sys_enter_getpid");
    CHECK(link2 != NULL, "a second program on the same tracepoint");
    __u64 before = read_bss(obj).getpid_hits;
    syscall(SYS_getpid);
    syscall(SYS_getpid);
    CHECK_EQ(before + 2, read_bss(obj).getpid_hits, "first program: 2 more calls");
    CHECK_EQ(2, read_bss(obj).second_hits, "second program: 2 calls");
    bpf_link__destroy(link2);
    CHECK_EQ(0, bpf_link__destroy(link), "bpf_link__destroy");
    before = read_bss(obj).getpid_hits;
    for (int i = 0; i < 3; i++)
        syscall(SYS_getpid);
    CHECK_EQ(before, read_bss(obj).getpid_hits, "no counting after both links are destroyed");

    /* Attach by category and name. */
    if (bt_need_trace_event("syscalls/sys_enter_getppid") == NULL) {
        struct bpf_link *l3 = bpf_program__attach_tracepoint(bt_prog(obj, "on_getppid"), "syscalls", "sys_enter_getppid");
        CHECK(l3 != NULL, "bpf_program__attach_tracepoint(syscalls, sys_enter_getppid)");
        for (int i = 0; i < 4; i++)
            syscall(SYS_getppid);
        CHECK_EQ(4, read_bss(obj).getppid_hits, "4 getppid calls counted");
        bpf_link__destroy(l3);
    } else {
        tap_skip(bt_need_trace_event("syscalls/sys_enter_getppid"), "attach to syscalls:sys_enter_getppid");
    }

    check_openat(obj, path);

    errno = 0;
    struct bpf_link *none = bpf_program__attach_tracepoint(bt_prog(obj, "on_getppid"), "syscalls", "sys_enter_no_such_call");
    CHECK(none == NULL && errno == ENOENT, "an unknown tracepoint: ENOENT (errno %s)", tap_errname(errno));

    bpf_object__close(obj);
    return tap_done();
}
