/* kprobe_stack.bpf.c: a kprobe on vfs_read that, for the test process, records the kernel
 * stack with bpf_get_stackid (STACK_TRACE map) and bpf_get_stack (a copy in .bss), and the
 * user stack with bpf_get_stackid(BPF_F_USER_STACK). */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

#define MAX_DEPTH 64

struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 256); __uint(key_size, sizeof(__u32)); __uint(value_size, MAX_DEPTH * sizeof(__u64)); } stacks SEC(".maps");

const volatile __u32 target_tgid;

struct results {
    __u64 hits;
    __s64 kernel_id, user_id, copied; /* the last hit's stack ids and bpf_get_stack's result */
    __u64 frames[MAX_DEPTH];
};
struct results out;

SEC("kprobe/vfs_read")
int on_read(struct pt_regs *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    out.hits++;
    out.kernel_id = bpf_get_stackid(ctx, &stacks, 0);
    out.user_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
    out.copied = bpf_get_stack(ctx, out.frames, sizeof out.frames, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
