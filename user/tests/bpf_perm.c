/* bpf_perm: credentials and the permission rules of bpf() and perf_event_open for a caller
 * that is not root. Each part runs in a child that drops to uid/gid 1000 (or other ids) with
 * setresgid/setresuid; the child prints its own TAP lines and hands its counts back through a
 * pipe. Expectations are Linux 6.x's with kernel.unprivileged_bpf_disabled=2 and
 * kernel.perf_event_paranoid=2 (the defaults); where the running kernel's sysctl differs, the
 * affected checks are skipped with the value seen. Also checks /bin/runas (EXT_EBPF_BIN). */
#include "bpf_common.h"
#include "perf_common.h"

#include <grp.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define USER 1000
#define UNCHANGED (-1L)

static long resuid[3], resgid[3];

static long get_resuid(void)
{
    unsigned ids[3] = {0};
    long r = SYS3(SYS_getresuid, &ids[0], &ids[1], &ids[2]);
    for (int i = 0; i < 3; i++)
        resuid[i] = ids[i];
    return r;
}

static long get_resgid(void)
{
    unsigned ids[3] = {0};
    long r = SYS3(SYS_getresgid, &ids[0], &ids[1], &ids[2]);
    for (int i = 0; i < 3; i++)
        resgid[i] = ids[i];
    return r;
}

#define CHECK_RESUID(r, e, s, what)                                                                       \
    do {                                                                                                  \
        CHECK_SYS_OK(get_resuid(), "getresuid %s", what);                                                 \
        CHECK(resuid[0] == (r) && resuid[1] == (e) && resuid[2] == (s), "%s: uids %ld,%ld,%ld (want %d,%d,%d)", \
              what, resuid[0], resuid[1], resuid[2], (r), (e), (s));                                      \
    } while (0)

static long read_sysctl(const char *path)
{
    char buf[32] = {0};
    long fd = SYS3(SYS_open, path, O_RDONLY, 0);
    if (fd < 0)
        return -1000;
    long n = SYS3(SYS_read, fd, buf, sizeof buf - 1);
    SYS1(SYS_close, fd);
    return n > 0 ? strtol(buf, NULL, 10) : -1000;
}

static long drop_to(long uid, long gid)
{
    long r = SYS3(SYS_setresgid, gid, gid, gid);
    if (r == 0)
        r = SYS3(SYS_setresuid, uid, uid, uid);
    return r;
}

/* Runs part() in a child that continues this process's TAP numbering. */
static void run_part(const char *name, void (*part)(void))
{
    int counts[2];
    int fds[2];
    fflush(stdout);
    if (pipe(fds) != 0) {
        CHECK(0, "%s: pipe", name);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        DIAG("%s", name);
        part();
        fflush(stdout);
        counts[0] = tap_count;
        counts[1] = tap_failures;
        if (write(fds[1], counts, sizeof counts) != sizeof counts)
            _exit(2);
        _exit(0);
    }
    close(fds[1]);
    int status = -1;
    long got = pid > 0 ? read(fds[0], counts, sizeof counts) : -1;
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (got == sizeof counts) {
        tap_count = counts[0];
        tap_failures = counts[1];
    }
    CHECK_EXITED(0, status, "%s: the child finished", name);
}

/* ---- credential syscalls ------------------------------------------------------------------ */

static void credentials_drop(void)
{
    CHECK_RESUID(0, 0, 0, "root");
    gid_t groups[4] = {5, 3};
    CHECK_SYS_OK(SYS2(SYS_setgroups, 2, groups), "root setgroups({5,3})");
    CHECK_EQ(2, SYS2(SYS_getgroups, 0, NULL), "getgroups(0) counts 2 groups");
    memset(groups, 0, sizeof groups);
    CHECK_EQ(2, SYS2(SYS_getgroups, 4, groups), "getgroups(4) returns 2");
    CHECK(groups[0] == 3 && groups[1] == 5, "groups are sorted: %u %u", groups[0], groups[1]);
    CHECK_ERR(EINVAL, SYS2(SYS_getgroups, 1, groups), "getgroups with a too small list");
    CHECK_ERR(EINVAL, SYS2(SYS_getgroups, -1, groups), "getgroups with a negative size");
    CHECK_ERR(EFAULT, SYS3(SYS_getresuid, tap_unmapped_address(), &groups[0], &groups[1]), "getresuid to a bad pointer");

    CHECK_SYS_OK(drop_to(USER, USER), "setresgid/setresuid(%d) as root", USER);
    CHECK_RESUID(USER, USER, USER, "after the drop");
    CHECK_SYS_OK(get_resgid(), "getresgid");
    CHECK(resgid[0] == USER && resgid[1] == USER && resgid[2] == USER, "gids %ld,%ld,%ld", resgid[0], resgid[1], resgid[2]);
    CHECK_EQ(USER, SYS0(SYS_getuid), "getuid");
    CHECK_EQ(USER, SYS0(SYS_geteuid), "geteuid");
    CHECK_EQ(USER, SYS0(SYS_getgid), "getgid");
    CHECK_EQ(USER, SYS0(SYS_getegid), "getegid");
    CHECK_EQ(2, SYS2(SYS_getgroups, 0, NULL), "the supplementary groups survive the drop");

    CHECK_ERR(EPERM, SYS1(SYS_setuid, 0), "setuid(0) as uid %d", USER);
    CHECK_ERR(EPERM, SYS3(SYS_setresuid, 0, UNCHANGED, UNCHANGED), "setresuid(0,-1,-1)");
    CHECK_ERR(EPERM, SYS3(SYS_setresuid, UNCHANGED, UNCHANGED, 0), "setresuid(-1,-1,0)");
    CHECK_ERR(EPERM, SYS2(SYS_setreuid, UNCHANGED, 0), "setreuid(-1,0)");
    CHECK_ERR(EPERM, SYS2(SYS_setreuid, 0, UNCHANGED), "setreuid(0,-1)");
    CHECK_ERR(EPERM, SYS1(SYS_setgid, 0), "setgid(0)");
    CHECK_ERR(EPERM, SYS3(SYS_setresgid, UNCHANGED, 0, UNCHANGED), "setresgid(-1,0,-1)");
    CHECK_ERR(EPERM, SYS2(SYS_setregid, 0, UNCHANGED), "setregid(0,-1)");
    CHECK_ERR(EPERM, SYS2(SYS_setgroups, 0, NULL), "setgroups as uid %d", USER);
    CHECK_ERR(EINVAL, SYS1(SYS_setuid, -1), "setuid(-1)");
    CHECK_SYS_OK(SYS1(SYS_setuid, USER), "setuid to the own uid");
    CHECK_SYS_OK(SYS3(SYS_setresuid, UNCHANGED, UNCHANGED, UNCHANGED), "setresuid(-1,-1,-1)");
    CHECK_EQ(USER, SYS1(SYS_setfsuid, 0), "setfsuid(0) returns the old fsuid");
    CHECK_EQ(USER, SYS1(SYS_setfsuid, -1), "setfsuid(0) changed nothing");
    CHECK_EQ(USER, SYS1(SYS_setfsgid, 0), "setfsgid(0) returns the old fsgid");
    CHECK_EQ(USER, SYS1(SYS_setfsgid, -1), "setfsgid(0) changed nothing");
    CHECK_RESUID(USER, USER, USER, "after the refused calls");
}

static void credentials_swap(void)
{
    CHECK_SYS_OK(SYS3(SYS_setresuid, 1000, 1001, 1002), "root setresuid(1000,1001,1002)");
    CHECK_RESUID(1000, 1001, 1002, "three different ids");
    CHECK_SYS_OK(SYS3(SYS_setresuid, 1001, 1002, 1000), "a permutation of the own ids");
    CHECK_RESUID(1001, 1002, 1000, "after the permutation");
    CHECK_ERR(EPERM, SYS3(SYS_setresuid, 1003, UNCHANGED, UNCHANGED), "setresuid to a foreign id");
    CHECK_SYS_OK(SYS2(SYS_setreuid, 1002, UNCHANGED), "setreuid: the real id becomes the effective id");
    CHECK_RESUID(1002, 1002, 1002, "setreuid with a real id sets the saved id to the effective id");
    CHECK_ERR(EPERM, SYS2(SYS_setreuid, 1000, UNCHANGED), "setreuid to a dropped id");
}

static void credentials_saved_root(void)
{
    CHECK_SYS_OK(SYS3(SYS_setresuid, USER, USER, 0), "setresuid(%d,%d,0): root stays the saved uid", USER, USER);
    CHECK_RESUID(USER, USER, 0, "saved root");
    long fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
    long disabled = read_sysctl("/proc/sys/kernel/unprivileged_bpf_disabled");
    if (disabled > 0)
        CHECK_ERR(EPERM, fd, "MAP_CREATE with effective uid %d", USER);
    else
        tap_skip("unprivileged_bpf_disabled is not set", "MAP_CREATE with effective uid %d (sysctl %ld)", USER, disabled);
    if (fd >= 0)
        close((int)fd);
    CHECK_SYS_OK(SYS3(SYS_setresuid, UNCHANGED, 0, UNCHANGED), "the effective uid may go back to the saved 0");
    CHECK_RESUID(USER, 0, 0, "effective root again (setresuid sets no other id)");
    fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
    CHECK_SYS_OK(fd, "MAP_CREATE works again with effective uid 0");
    if (fd >= 0)
        close((int)fd);
}

/* ---- bpf() ------------------------------------------------------------------------------- */

static struct bpf_insn return_zero[] = {
    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
    {.code = BPF_JMP | BPF_EXIT},
};

static long load_socket_filter(void)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = (__u64)(uintptr_t)return_zero;
    a.insn_cnt = 2;
    a.license = (__u64)(uintptr_t)"GPL";
    return bpf_call(BPF_PROG_LOAD, &a);
}

static void bpf_unprivileged(void)
{
    long disabled = read_sysctl("/proc/sys/kernel/unprivileged_bpf_disabled");
    CHECK(disabled >= 0, "unprivileged_bpf_disabled is readable: %ld", disabled);
    long map_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
    long prog_fd = load_socket_filter();
    CHECK_SYS_OK(map_fd, "root: MAP_CREATE");
    CHECK_SYS_OK(prog_fd, "root: PROG_LOAD");
    struct bpf_map_info map_info;
    __u32 len = sizeof map_info;
    memset(&map_info, 0, sizeof map_info);
    CHECK_SYS_OK(obj_info(map_fd, &map_info, &len), "root: the map's id");

    CHECK_SYS_OK(drop_to(USER, USER), "drop to uid %d", USER);
    if (disabled != 2) {
        tap_skip("unprivileged_bpf_disabled is not 2", "uid %d: MAP_CREATE/PROG_LOAD EPERM (sysctl %ld)", USER, disabled);
    } else {
        CHECK_ERR(EPERM, map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0), "uid %d: MAP_CREATE", USER);
        CHECK_ERR(EPERM, map_create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0), "uid %d: MAP_CREATE hash", USER);
        CHECK_ERR(EINVAL, map_create(0x7fff, 4, 8, 4, 0), "uid %d: MAP_CREATE of an unknown type is EINVAL first", USER);
        CHECK_ERR(EINVAL, map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY | BPF_F_WRONLY),
                  "uid %d: MAP_CREATE with RDONLY|WRONLY is EINVAL first", USER);
        CHECK_ERR(EPERM, load_socket_filter(), "uid %d: PROG_LOAD", USER);
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
        CHECK_ERR(EPERM, bpf_call(BPF_PROG_LOAD, &a), "uid %d: PROG_LOAD with no instructions", USER);
    }
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    char blob[32] = {0};
    a.btf = (__u64)(uintptr_t)blob;
    a.btf_size = sizeof blob;
    CHECK_ERR(EPERM, bpf_call(BPF_BTF_LOAD, &a), "uid %d: BTF_LOAD needs CAP_BPF", USER);
    memset(&a, 0, sizeof a);
    CHECK_ERR(EPERM, bpf_call(BPF_MAP_GET_NEXT_ID, &a), "uid %d: MAP_GET_NEXT_ID needs CAP_SYS_ADMIN", USER);
    CHECK_ERR(EPERM, bpf_call(BPF_PROG_GET_NEXT_ID, &a), "uid %d: PROG_GET_NEXT_ID", USER);
    CHECK_ERR(EPERM, bpf_call(BPF_BTF_GET_NEXT_ID, &a), "uid %d: BTF_GET_NEXT_ID", USER);
    CHECK_ERR(EPERM, bpf_call(BPF_LINK_GET_NEXT_ID, &a), "uid %d: LINK_GET_NEXT_ID", USER);
    memset(&a, 0, sizeof a);
    a.map_id = map_info.id;
    CHECK_ERR(EPERM, bpf_call(BPF_MAP_GET_FD_BY_ID, &a), "uid %d: MAP_GET_FD_BY_ID of an existing map", USER);
    memset(&a, 0, sizeof a);
    a.prog_id = 1;
    CHECK_ERR(EPERM, bpf_call(BPF_PROG_GET_FD_BY_ID, &a), "uid %d: PROG_GET_FD_BY_ID", USER);
    memset(&a, 0, sizeof a);
    a.enable_stats.type = BPF_STATS_RUN_TIME;
    CHECK_ERR(EPERM, bpf_call(BPF_ENABLE_STATS, &a), "uid %d: ENABLE_STATS", USER);
    memset(&a, 0, sizeof a);
    a.pathname = (__u64)(uintptr_t)"/nonexistent-bpf-pin";
    CHECK_ERR(ENOENT, bpf_call(BPF_OBJ_GET, &a), "uid %d: OBJ_GET has no capability check (path lookup: ENOENT)", USER);

    /* Objects created as root stay usable through the fds kept across the drop. */
    __u32 key = 1;
    __u64 value = 42, out = 0;
    CHECK_SYS_OK(map_update(map_fd, &key, &value, BPF_ANY), "uid %d: MAP_UPDATE_ELEM on a kept fd", USER);
    CHECK_SYS_OK(map_lookup(map_fd, &key, &out), "uid %d: MAP_LOOKUP_ELEM on a kept fd", USER);
    CHECK_EQ(42, (long)out, "the value reads back");
    len = sizeof map_info;
    CHECK_SYS_OK(obj_info(map_fd, &map_info, &len), "uid %d: OBJ_GET_INFO_BY_FD on a kept map fd", USER);
    char packet[64] = {0};
    memset(&a, 0, sizeof a);
    a.test.prog_fd = (__u32)prog_fd;
    a.test.data_in = (__u64)(uintptr_t)packet;
    a.test.data_size_in = sizeof packet;
    a.test.repeat = 1;
    CHECK_SYS_OK(bpf_call(BPF_PROG_TEST_RUN, &a), "uid %d: PROG_TEST_RUN on a kept program fd", USER);
}

/* ---- perf_event_open ---------------------------------------------------------------------- */

static void perf_unprivileged(void)
{
    long paranoid = read_sysctl("/proc/sys/kernel/perf_event_paranoid");
    CHECK(paranoid != -1000, "perf_event_paranoid is readable: %ld", paranoid);
    CHECK_SYS_OK(drop_to(USER, USER), "drop to uid %d", USER);
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    long fd = perf_open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    CHECK_SYS_OK(fd, "uid %d: a user-only task-clock count of itself", USER);
    if (fd >= 0) {
        perf_spin(0.01);
        __u64 count = 0;
        CHECK_EQ(8, read((int)fd, &count, sizeof count), "the count reads");
        CHECK(count > 0, "the count advanced: %llu", (unsigned long long)count);
        close((int)fd);
    }
    if (paranoid != 2) {
        tap_skip("perf_event_paranoid is not 2", "uid %d: paranoid=2 refusals (sysctl %ld)", USER, paranoid);
        return;
    }
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
    CHECK_ERR(EACCES, perf_open(&attr, 0, -1, -1, 0), "uid %d: counting kernel time too (no exclude_kernel)", USER);
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
    attr.exclude_kernel = 1;
    CHECK_ERR(EACCES, perf_open(&attr, -1, 0, -1, 0), "uid %d: a CPU-wide event (pid -1, cpu 0)", USER);
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
    attr.exclude_kernel = 1;
    CHECK_ERR(EACCES, perf_open(&attr, 1, -1, -1, 0), "uid %d: an event on init (another uid)", USER);
}

/* ---- runas ---------------------------------------------------------------------------------- */

/* Runs argv with stdout into buf; returns the wait status. */
static int run_capture(char *const argv[], char *buf, size_t size)
{
    int fds[2];
    memset(buf, 0, size);
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t total = 0;
    long n;
    while (total < size - 1 && (n = read(fds[0], buf + total, size - 1 - total)) > 0)
        total += (size_t)n;
    close(fds[0]);
    int status = -1;
    waitpid(pid, &status, 0);
    return status;
}

static void runas_checks(void)
{
    const char *bin = getenv("EXT_EBPF_BIN");
    if (!bin || !*bin)
        bin = "/bin";
    char runas[256], grep[256], out[512];
    snprintf(runas, sizeof runas, "%s/runas", bin);
    snprintf(grep, sizeof grep, "%s/grep", bin);
    char *as_user[] = {runas, "1000:1001", grep, "id:", "/proc/self/status", NULL};
    int status = run_capture(as_user, out, sizeof out);
    CHECK_EXITED(0, status, "runas 1000:1001 grep id: /proc/self/status");
    CHECK(strstr(out, "Uid:\t1000\t1000\t1000\t1000\n") != NULL, "runas sets all four uids");
    CHECK(strstr(out, "Gid:\t1001\t1001\t1001\t1001\n") != NULL, "runas sets all four gids");
    char *nested[] = {runas, "1000", runas, "0", grep, "x", "/proc/self/status", NULL};
    status = run_capture(nested, out, sizeof out);
    CHECK_EXITED(126, status, "runas 0 as uid 1000 fails (exit 126)");
    char *bad[] = {runas, "12x", grep, "x", "/proc/self/status", NULL};
    status = run_capture(bad, out, sizeof out);
    CHECK_EXITED(125, status, "runas with a bad id is a usage error (exit 125)");
}

int main(void)
{
    if (SYS0(SYS_geteuid) != 0) {
        tap_skip("not root", "bpf_perm needs to start as root");
        return tap_done();
    }
    run_part("credentials: dropping to uid 1000", credentials_drop);
    run_part("credentials: moving among the own ids", credentials_swap);
    run_part("credentials: saved uid 0", credentials_saved_root);
    run_part("bpf() as uid 1000", bpf_unprivileged);
    run_part("perf_event_open as uid 1000", perf_unprivileged);
    runas_checks();
    return tap_done();
}
