/* kprobe_args: SEC("kprobe/do_sys_openat2") with BPF_KPROBE reads the function's arguments
 * (dfd; the path through bpf_probe_read_user_str, compared in BPF with a known path; the
 * flags from the kernel's struct open_how) and SEC("kretprobe/do_sys_openat2") with
 * BPF_KRETPROBE its return value, which must be what each open() returned (fds and -EEXIST).
 * Also bpf_get_func_ip (the function's kallsyms address) and PT_REGS_IP (one byte past the
 * breakpoint) at entry, opens of other paths not matched, and nothing after detaching.
 * do_sys_openat2(int dfd, const char __user *filename, struct open_how *how) is Linux's
 * signature. Skipped where the kernel cannot attach kprobes. */
#include "bpftest.h"
#include <linux/openat2.h>

#define MAX_OPENS 16
#define PATH_LEN 64
#define KERNEL_O_LARGEFILE 0100000 /* x86-64; forced by Linux's open paths on 64-bit */

struct results {
    __u64 entry_hits, matched, returns;
    __s64 dfd[MAX_OPENS];
    __u64 flags[MAX_OPENS];
    __s64 ret[MAX_OPENS];
    __u64 func_ip, ip;
};

static struct results read_out(struct bpf_object *obj)
{
    struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &r);
    return r;
}

/* The opens made while the probes are attached, in order, with what each must show. */
static struct expected_open {
    const char *what;
    long dfd, flags, ret;
} ex[8];
static int n;

static void expect(const char *what, long dfd, long flags, long ret)
{
    ex[n++] = (struct expected_open){ what, dfd, flags, ret };
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    static char path[PATH_LEN];
    snprintf(path, sizeof path, "/tmp/bt-kprobe-args-%d", (int)getpid());
    int setup_fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (!CHECK(setup_fd >= 0, "create %s", path))
        return tap_done();
    close(setup_fd);

    struct bpf_object *obj = bt_open("kprobe_args");
    if (!obj)
        return tap_done();
    __u32 tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    bt_set_global(obj, ".rodata", "target_path", path, sizeof path);
    if (bt_load(obj) != 0)
        return tap_done();
    /* The programs load everywhere (Linux's verifier checks them on a host without kprobes). */
    const char *why = bt_need_kprobes();
    if (why) {
        tap_skip(why, "kprobe/kretprobe on do_sys_openat2");
        unlink(path);
        return tap_done();
    }
    unsigned long long func = bt_ksym_address("do_sys_openat2"); /* opens kallsyms: before attaching */
    CHECK(func != 0, "do_sys_openat2 is in /proc/kallsyms");
    struct bpf_link *entry = bpf_program__attach(bt_prog(obj, "open_entry"));
    CHECK(entry != NULL, "SEC(\"kprobe/do_sys_openat2\") auto-attaches (errno %s)", entry ? "0" : tap_errname(errno));
    struct bpf_link *ret = bpf_program__attach(bt_prog(obj, "open_return"));
    CHECK(ret != NULL, "SEC(\"kretprobe/do_sys_openat2\") auto-attaches (errno %s)", ret ? "0" : tap_errname(errno));
    if (!entry || !ret)
        return tap_done();

    int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    /* musl's open() uses the open syscall, openat() the openat syscall: both reach
     * do_sys_openat2, open with AT_FDCWD. */
    int fd = open(path, O_RDONLY);
    expect("open(path, O_RDONLY)", AT_FDCWD, O_RDONLY, fd);
    fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    expect("openat(AT_FDCWD, path, O_RDONLY|O_CLOEXEC)", AT_FDCWD, O_RDONLY | O_CLOEXEC, fd);
    fd = openat(dir, path, O_WRONLY | O_APPEND); /* an absolute path ignores dfd, which is still passed */
    expect("openat(dirfd, path, O_WRONLY|O_APPEND)", dir, O_WRONLY | O_APPEND, fd);
    fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
    expect("open(path, O_CREAT|O_EXCL) of an existing file", AT_FDCWD, O_CREAT | O_EXCL | O_WRONLY, fd < 0 ? -errno : fd);
    fd = open(path, O_RDWR | O_NONBLOCK);
    expect("open(path, O_RDWR|O_NONBLOCK)", AT_FDCWD, O_RDWR | O_NONBLOCK, fd);
    /* Other paths: the entry runs (entry_hits) but does not match. */
    char longer[PATH_LEN + 8], shorter[PATH_LEN];
    snprintf(longer, sizeof longer, "%sx", path);
    snprintf(shorter, sizeof shorter, "%.*s", (int)strlen(path) - 1, path);
    int other1 = open(longer, O_RDONLY);
    int other2 = open(shorter, O_RDONLY);
    int other3 = open("/proc/self/stat", O_RDONLY);

    struct results r = read_out(obj);
    CHECK_EQ(n, r.matched, "the kprobe matched exactly the %d opens of %s", n, path);
    CHECK(r.entry_hits >= (__u64)n + 3, "the kprobe also ran for the 3 opens of other paths (%llu entries)", (unsigned long long)r.entry_hits);
    CHECK_EQ(n, r.returns, "the kretprobe ran for each matched open");
    for (int i = 0; i < n && i < (int)r.matched; i++) {
        CHECK_EQ(ex[i].dfd, r.dfd[i], "%s: dfd argument", ex[i].what);
        CHECK_EQ(ex[i].flags | KERNEL_O_LARGEFILE, r.flags[i], "%s: how->flags (with O_LARGEFILE, as Linux forces on 64-bit)", ex[i].what);
        CHECK_EQ(ex[i].ret, r.ret[i], "%s: the kretprobe saw the return value %ld", ex[i].what, ex[i].ret);
    }
    CHECK_EQ(-EEXIST, r.ret[3], "the failed open returned -EEXIST in rax");
    /* Linux with IBT moves a probe on a function's name past its 4-byte endbr64. */
    CHECK(r.func_ip == func || r.func_ip == func + 4, "bpf_get_func_ip is the function's address (%#llx, kallsyms %#llx)",
          (unsigned long long)r.func_ip, func);
    CHECK_EQ(r.func_ip + 1, r.ip, "PT_REGS_IP is the probed address + 1 (after the int3)");

    CHECK_EQ(0, bpf_link__destroy(entry), "detach the kprobe");
    CHECK_EQ(0, bpf_link__destroy(ret), "detach the kretprobe");
    int after = open(path, O_RDONLY);
    struct results r2 = read_out(obj);
    CHECK(r2.entry_hits == r.entry_hits && r2.matched == r.matched && r2.returns == r.returns,
          "nothing counted after detaching");

    for (int i = 0; i < n; i++)
        if (ex[i].ret >= 0)
            close((int)ex[i].ret);
    int extra[] = { other1, other2, other3, after, dir };
    for (unsigned i = 0; i < sizeof extra / sizeof extra[0]; i++)
        if (extra[i] >= 0)
            close(extra[i]);
    unlink(path);
    bpf_object__close(obj);
    return tap_done();
}
