/* kprobe_args.bpf.c: BPF_KPROBE on do_sys_openat2(int dfd, const char __user *filename,
 * struct open_how *how) reading its arguments (the path from user memory, the flags from the
 * kernel's open_how), and BPF_KRETPROBE on the same function reading the returned fd. Only
 * opens of `target_path` by the test process count: the entry marks the thread in a hash, the
 * return takes the mark and records the result. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <linux/openat2.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define MAX_OPENS 16
#define PATH_LEN 64

const volatile __u32 target_tgid;
const volatile char target_path[PATH_LEN];

struct results {
    __u64 entry_hits;     /* entries of the test process, any path */
    __u64 matched;        /* entries with target_path */
    __u64 returns;        /* returns of matched entries */
    __s64 dfd[MAX_OPENS]; /* per matched entry */
    __u64 flags[MAX_OPENS];
    __s64 ret[MAX_OPENS]; /* per matched return */
    __u64 func_ip, ip;    /* bpf_get_func_ip and PT_REGS_IP of the last matched entry */
};
struct results out;

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u64); __type(value, __u32); } pending SEC(".maps");

static int same_path(const char *buf, int len)
{
    if (len <= 0 || len > PATH_LEN)
        return 0;
    for (int i = 0; i < PATH_LEN; i++) {
        if (buf[i] != target_path[i])
            return 0;
        if (!buf[i])
            return 1;
    }
    return 0;
}

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(open_entry, int dfd, const char *filename, struct open_how *how)
{
    __u64 id = bpf_get_current_pid_tgid();
    if (id >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.entry_hits, 1);
    char buf[PATH_LEN] = {};
    int len = bpf_probe_read_user_str(buf, sizeof buf, filename);
    if (!same_path(buf, len))
        return 0;
    __u64 slot = out.matched;
    if (slot >= MAX_OPENS)
        return 0;
    __u64 flags = 0;
    bpf_probe_read_kernel(&flags, sizeof flags, &how->flags);
    out.dfd[slot] = dfd;
    out.flags[slot] = flags;
    out.func_ip = bpf_get_func_ip(ctx);
    out.ip = PT_REGS_IP(ctx);
    out.matched = slot + 1;
    __u32 index = (__u32)slot;
    bpf_map_update_elem(&pending, &id, &index, BPF_ANY);
    return 0;
}

SEC("kretprobe/do_sys_openat2")
int BPF_KRETPROBE(open_return, long ret)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 *index = bpf_map_lookup_elem(&pending, &id);
    if (!index)
        return 0;
    __u32 slot = *index;
    bpf_map_delete_elem(&pending, &id);
    if (slot < MAX_OPENS)
        out.ret[slot] = ret;
    __sync_fetch_and_add(&out.returns, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
