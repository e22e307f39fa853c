/* opensnoop.h: the event opensnoop's BPF side sends to user space (one per open). */
#ifndef EXT_EBPF_OPENSNOOP_H
#define EXT_EBPF_OPENSNOOP_H

#define OPENSNOOP_NAME_MAX 256

struct event {
    __u64 ts_ns;
    __u32 pid;
    __u32 uid;
    __s32 ret;
    __s32 flags;
    char comm[16];
    char fname[OPENSNOOP_NAME_MAX];
};

#endif
