/* tracepoint.bpf.c: programs on syscalls:sys_enter_getpid (auto-attached from its SEC name)
 * and sys_enter_getppid (attached by name) that count calls from one process, per CPU too, and
 * record fields of the tracepoint record; one on sys_enter_openat that reads the file name from
 * user memory and counts the opens of one path. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The tracefs "format" of syscalls/sys_enter_*: the common header (which programs may not
 * read: Linux refuses context accesses below offset 8), then __syscall_nr. */
struct sys_enter_record {
    __u16 common_type;
    __u8 common_flags;
    __u8 common_preempt_count;
    __s32 common_pid;
    __s32 syscall_nr;
};

/* syscalls/sys_enter_openat: every argument is an 8-byte field from offset 16. */
struct sys_enter_openat_record {
    __u64 common;
    __s32 syscall_nr;
    __s32 pad;
    __s64 dfd;
    __u64 filename;
    __u64 flags;
    __u64 mode;
};

struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } per_cpu SEC(".maps");

/* One struct per section keeps the layout fixed for user space (clang may reorder separate
 * variables). */
struct counters {
    __u64 getpid_hits;
    __u64 getppid_hits;
    __u64 second_hits;
    __s32 last_nr;
    __s32 pad;
    __u64 openat_hits;   /* opens of open_target by this process */
    __u64 openat_other;  /* other openat calls of this process */
    __s64 openat_dfd;
    __u64 openat_flags;
    __s64 openat_len;    /* bpf_probe_read_user_str's result for the last match */
};
const volatile __u32 target_tgid;
const volatile char open_target[64];
const volatile __u32 open_target_len; /* strlen + 1 */
struct counters out;

SEC("tp/syscalls/sys_enter_getpid")
int on_getpid(struct sys_enter_record *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.getpid_hits, 1);
    out.last_nr = ctx->syscall_nr;
    __u32 k = 0;
    __u64 *c = bpf_map_lookup_elem(&per_cpu, &k);
    if (c)
        *c += 1;
    return 0;
}

SEC("tracepoint")
int on_getppid(struct sys_enter_record *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.getppid_hits, 1);
    return 0;
}

/* A second program for the getpid tracepoint. */
SEC("tracepoint")
int on_getpid_too(struct sys_enter_record *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.second_hits, 1);
    return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int on_openat(struct sys_enter_openat_record *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    char name[64];
    long len = bpf_probe_read_user_str(name, sizeof name, (const void *)ctx->filename);
    int same = len == open_target_len;
    for (int i = 0; i < (int)sizeof name && same; i++) {
        if (i >= len)
            break;
        if (name[i] != open_target[i])
            same = 0;
    }
    if (!same) {
        __sync_fetch_and_add(&out.openat_other, 1);
        return 0;
    }
    __sync_fetch_and_add(&out.openat_hits, 1);
    out.openat_dfd = ctx->dfd;
    out.openat_flags = ctx->flags;
    out.openat_len = len;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
