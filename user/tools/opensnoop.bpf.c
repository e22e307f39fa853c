/* opensnoop.bpf.c: file opens from the syscalls:sys_enter/sys_exit_openat (and _open)
 * tracepoints. Entry remembers the file name pointer and flags per thread; exit reads the name
 * from user memory and sends one event with the result through a ring buffer. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "opensnoop.h"

/* syscalls/sys_enter_openat and sys_enter_open: 8-byte arguments from offset 16. */
struct enter_openat { __u64 common; __s32 nr; __s32 pad; __u64 dfd; __u64 filename; __u64 flags; __u64 mode; };
struct enter_open { __u64 common; __s32 nr; __s32 pad; __u64 filename; __u64 flags; __u64 mode; };
struct exit_rec { __u64 common; __s32 nr; __s32 pad; __s64 ret; };

struct args { __u64 fname; __u64 flags; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, __u32); __type(value, struct args); } start SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");

const volatile __u32 targ_tgid = 0;
const volatile __u32 targ_failed = 0;

static int enter(__u64 fname, __u64 flags)
{
    __u64 id = bpf_get_current_pid_tgid();
    if (targ_tgid && (id >> 32) != targ_tgid)
        return 0;
    __u32 tid = (__u32)id;
    struct args a = { .fname = fname, .flags = flags };
    bpf_map_update_elem(&start, &tid, &a, BPF_ANY);
    return 0;
}

static int leave(struct exit_rec *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tid = (__u32)id;
    struct args *a = bpf_map_lookup_elem(&start, &tid);
    if (!a)
        return 0;
    if (targ_failed && ctx->ret >= 0)
        goto out;
    struct event *e = bpf_ringbuf_reserve(&events, sizeof *e, 0);
    if (!e)
        goto out;
    e->ts_ns = bpf_ktime_get_ns();
    e->pid = id >> 32;
    e->uid = (__u32)bpf_get_current_uid_gid();
    e->ret = (__s32)ctx->ret;
    e->flags = (__s32)a->flags;
    bpf_get_current_comm(e->comm, sizeof e->comm);
    if (bpf_probe_read_user_str(e->fname, sizeof e->fname, (const void *)a->fname) < 0)
        e->fname[0] = '\0';
    bpf_ringbuf_submit(e, 0);
out:
    bpf_map_delete_elem(&start, &tid);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct enter_openat *ctx)
{
    return enter(ctx->filename, ctx->flags);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct exit_rec *ctx)
{
    return leave(ctx);
}

SEC("tracepoint/syscalls/sys_enter_open")
int enter_open(struct enter_open *ctx)
{
    return enter(ctx->filename, ctx->flags);
}

SEC("tracepoint/syscalls/sys_exit_open")
int exit_open(struct exit_rec *ctx)
{
    return leave(ctx);
}

char LICENSE[] SEC("license") = "GPL";
