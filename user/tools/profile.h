/* profile.h: the key profile's BPF side counts samples under. */
#ifndef EXT_EBPF_PROFILE_H
#define EXT_EBPF_PROFILE_H

#define PROFILE_MAX_DEPTH 64

struct key {
    __u32 pid;
    __s32 kern_stack_id; /* negative: none (or -errno from bpf_get_stackid) */
    __s32 user_stack_id;
    __u32 pad;
    char comm[16];
};

#endif
