/* execsnoop.bpf.c: execve() calls from the syscalls:sys_enter/sys_exit_execve tracepoints.
 * Entry copies the file name and up to EXECSNOOP_MAX_ARGS - 1 arguments from user memory into
 * a per-thread event; exit adds the result and the (new) comm and sends the used part of the
 * event through a ring buffer. sched:sched_process_fork records each new process's parent,
 * read at the offsets user space takes from the event's tracefs format (they differ between
 * kernel versions). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "execsnoop.h"

struct enter_execve { __u64 common; __s32 nr; __s32 pad; __u64 filename; __u64 argv; __u64 envp; };
struct exit_rec { __u64 common; __s32 nr; __s32 pad; __s64 ret; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 256); __type(key, __u32); __type(value, struct event); } execs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 8192); __type(key, __u32); __type(value, __u32); } parents SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");

const volatile __u32 targ_failed = 0;
const volatile __u32 fork_parent_off = 0; /* offsets of parent_pid and child_pid in */
const volatile __u32 fork_child_off = 0;  /* sched_process_fork's record */

static const struct event empty_event;

SEC("tracepoint/sched/sched_process_fork")
int on_fork(void *ctx)
{
    __s32 parent = 0, child = 0;
    if (!fork_parent_off || !fork_child_off)
        return 0;
    bpf_probe_read_kernel(&parent, sizeof parent, (char *)ctx + fork_parent_off);
    bpf_probe_read_kernel(&child, sizeof child, (char *)ctx + fork_child_off);
    __u32 c = (__u32)child, p = (__u32)parent;
    bpf_map_update_elem(&parents, &c, &p, BPF_ANY);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int enter_execve(struct enter_execve *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tid = (__u32)id, tgid = id >> 32;
    if (bpf_map_update_elem(&execs, &tid, &empty_event, BPF_NOEXIST))
        return 0;
    struct event *e = bpf_map_lookup_elem(&execs, &tid);
    if (!e)
        return 0;
    e->pid = tgid;
    e->uid = (__u32)bpf_get_current_uid_gid();
    __u32 *pp = bpf_map_lookup_elem(&parents, &tgid);
    e->ppid = pp ? *pp : 0;
    long ret = bpf_probe_read_user_str(e->args, EXECSNOOP_ARGSIZE, (const char *)ctx->filename);
    if (ret < 0)
        return 0;
    e->args_size = ret;
    e->args_count = 1;
    const char *const *argv = (const char *const *)ctx->argv;
    for (int i = 1; i < EXECSNOOP_MAX_ARGS; i++) {
        const char *arg = NULL;
        if (bpf_probe_read_user(&arg, sizeof arg, &argv[i]) || !arg)
            return 0;
        __u32 off = e->args_size;
        if (off > EXECSNOOP_LAST_ARG)
            return 0;
        ret = bpf_probe_read_user_str(&e->args[off], EXECSNOOP_ARGSIZE, arg);
        if (ret < 0)
            return 0;
        e->args_count++;
        e->args_size += ret;
    }
    /* More arguments than we keep? */
    const char *more = NULL;
    bpf_probe_read_user(&more, sizeof more, &argv[EXECSNOOP_MAX_ARGS]);
    if (more)
        e->truncated = 1;
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int exit_execve(struct exit_rec *ctx)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct event *e = bpf_map_lookup_elem(&execs, &tid);
    if (!e)
        return 0;
    if (targ_failed && ctx->ret >= 0)
        goto out;
    e->retval = (__s32)ctx->ret;
    bpf_get_current_comm(e->comm, sizeof e->comm);
    __u64 len = __builtin_offsetof(struct event, args) + e->args_size;
    if (len <= sizeof *e)
        bpf_ringbuf_output(&events, e, len, 0);
out:
    bpf_map_delete_elem(&execs, &tid);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
