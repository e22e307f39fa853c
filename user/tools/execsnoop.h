/* execsnoop.h: the event execsnoop's BPF side sends for each execve: the argument strings
 * packed NUL-separated in args[0..args_size). */
#ifndef EXT_EBPF_EXECSNOOP_H
#define EXT_EBPF_EXECSNOOP_H

#define EXECSNOOP_ARGSIZE 128
#define EXECSNOOP_MAX_ARGS 16
#define EXECSNOOP_ARGS_BYTES (EXECSNOOP_ARGSIZE * EXECSNOOP_MAX_ARGS)
#define EXECSNOOP_LAST_ARG (EXECSNOOP_ARGS_BYTES - EXECSNOOP_ARGSIZE)

struct event {
    __u32 pid;
    __u32 ppid; /* 0: unknown (the process was forked before tracing started) */
    __u32 uid;
    __s32 retval;
    __u32 args_count;
    __u32 args_size;
    __u32 truncated;
    __u32 pad;
    char comm[16];
    char args[EXECSNOOP_ARGS_BYTES];
};

#endif
