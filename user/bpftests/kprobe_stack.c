/* kprobe_stack: stacks taken in a kprobe. A kprobe on vfs_read records, for 5 read() calls of
 * this process, the kernel stack (bpf_get_stackid and bpf_get_stack) and the user stack
 * (bpf_get_stackid with BPF_F_USER_STACK). The kernel frames symbolize through /proc/kallsyms:
 * the innermost is vfs_read, the next one its direct caller (Linux: ksys_read; the kernel
 * here: sys_read, `_Z8sys_readimm`), a caller is the read syscall's entry (ksys_read or
 * __x64_sys_read), every frame is kernel text, and
 * bpf_get_stack gives the same frames as the map. The innermost user frame lies in this
 * program's executable mapping (musl's read wrapper). Skipped where the kernel cannot attach
 * kprobes. */
#include "bpftest.h"
#include <limits.h>

#define MAX_DEPTH 64

struct results {
    __u64 hits;
    __s64 kernel_id, user_id, copied;
    __u64 frames[MAX_DEPTH];
};

static struct results read_out(struct bpf_object *obj)
{
    static struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &r);
    return r;
}

/* Whether addr lies in an executable mapping of this program's own file. */
static int in_own_text(unsigned long long addr)
{
    char exe[PATH_MAX], line[PATH_MAX + 128], file[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f)) {
        unsigned long long start, end;
        char perms[8];
        file[0] = 0;
        if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %4095s", &start, &end, perms, file) < 3)
            continue;
        found = perms[2] == 'x' && strcmp(file, exe) == 0 && addr >= start && addr < end;
    }
    if (f)
        fclose(f);
    return found;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open("kprobe_stack");
    if (!obj)
        return tap_done();
    __u32 tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    if (bt_load(obj) != 0)
        return tap_done();
    const char *why = bt_need_kprobes();
    if (why) {
        tap_skip(why, "stacks in a kprobe on vfs_read");
        return tap_done();
    }
    int fd = open("/dev/zero", O_RDONLY);
    CHECK(fd >= 0, "open /dev/zero");
    struct bpf_link *link = bpf_program__attach(bt_prog(obj, "on_read"));
    CHECK(link != NULL, "kprobe on vfs_read");
    if (!link || fd < 0)
        return tap_done();
    char buf[64];
    for (int i = 0; i < 5; i++)
        if (read(fd, buf, sizeof buf) < 0)
            DIAG("read: %s", strerror(errno));
    bpf_link__destroy(link);
    struct results r = read_out(obj);
    CHECK_EQ(5, r.hits, "the kprobe ran for 5 reads");
    CHECK(r.kernel_id >= 0, "bpf_get_stackid gave a kernel stack id (%lld)", (long long)r.kernel_id);
    CHECK(r.user_id >= 0, "bpf_get_stackid(BPF_F_USER_STACK) gave a user stack id (%lld)", (long long)r.user_id);

    __u64 frames[MAX_DEPTH];
    memset(frames, 0, sizeof frames);
    __u32 key = (__u32)r.kernel_id;
    int stacks_fd = bpf_map__fd(bt_map(obj, "stacks"));
    CHECK_EQ(0, bpf_map_lookup_elem(stacks_fd, &key, frames), "the kernel stack is in the STACK_TRACE map");
    int depth = 0;
    while (depth < MAX_DEPTH && frames[depth])
        depth++;
    CHECK(depth >= 3, "the kernel stack has at least 3 frames (%d)", depth);
    int all_text = 1, syscall_entry = -1;
    for (int i = 0; i < depth; i++) {
        unsigned long long off = 0;
        const char *name = bt_ksym_at(frames[i], &off);
        DIAG("kernel frame %d: %#llx %s+%#llx", i, (unsigned long long)frames[i], name ? name : "?", off);
        if (!name || off > (1 << 20))
            all_text = 0;
        if (name && syscall_entry < 0 && (strcmp(name, "ksys_read") == 0 || strcmp(name, "__x64_sys_read") == 0))
            syscall_entry = i;
    }
    unsigned long long off = 0;
    const char *top = depth ? bt_ksym_at(frames[0], &off) : NULL;
    CHECK(top && strcmp(top, "vfs_read") == 0, "the innermost frame is in vfs_read (%s+%#llx)", top ? top : "?", off);
    CHECK(syscall_entry > 0, "a caller is the syscall's entry (ksys_read or __x64_sys_read; frame %d)", syscall_entry);
    /* At a function's entry the return address into its caller is at the stack pointer, not
     * yet behind a frame pointer; Linux's unwinder (ORC) reports that caller. */
    const char *caller = depth > 1 ? bt_ksym_at(frames[1], &off) : NULL;
    CHECK(caller && strstr(caller, "sys_read") && strcmp(caller, "__x64_sys_read") != 0,
          "frame 1 is vfs_read's direct caller (ksys_read on Linux, sys_read here), not skipped (%s)", caller ? caller : "?");
    CHECK(all_text, "every frame symbolizes to a kernel function");
    CHECK_EQ(depth * 8, r.copied, "bpf_get_stack copied the same number of frames (bytes)");
    CHECK(r.copied > 0 && memcmp(frames, r.frames, (size_t)r.copied) == 0, "bpf_get_stack's frames equal the map's");

    __u64 user[MAX_DEPTH];
    memset(user, 0, sizeof user);
    key = (__u32)r.user_id;
    CHECK_EQ(0, bpf_map_lookup_elem(stacks_fd, &key, user), "the user stack is in the STACK_TRACE map");
    CHECK(in_own_text(user[0]), "the innermost user frame %#llx is in this program's text", (unsigned long long)user[0]);
    close(fd);
    bpf_object__close(obj);
    return tap_done();
}
