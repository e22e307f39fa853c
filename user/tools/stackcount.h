/* stackcount.h: the key stackcount's BPF side counts calls under. */
#ifndef EXT_EBPF_STACKCOUNT_H
#define EXT_EBPF_STACKCOUNT_H

#define STACKCOUNT_MAX_DEPTH 64

struct stackcount_key {
    __u32 pid;           /* 0 unless counting per process or taking user stacks */
    __s32 kern_stack_id; /* negative: none (or -errno from bpf_get_stackid) */
    __s32 user_stack_id;
    __u32 pad;
    char comm[16];       /* empty unless counting per process */
};

#endif
