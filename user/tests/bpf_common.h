/* bpf_common.h: raw bpf(2) helpers shared by the bpf_* syscall tests (user/tests/bpf_*.c).
 * Everything goes through the raw syscall (tap.h's sys()), so the tests see exactly what the
 * kernel returns: -errno, never a libc or libbpf translation. The programs are built from
 * plain instruction arrays (no compiler, no libbpf), which also makes them runnable as-is on
 * the Linux host, the oracle for every expectation here. */
#ifndef EXT_EBPF_BPF_COMMON_H
#define EXT_EBPF_BPF_COMMON_H

#include "tap.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

#define NR_BPF 321
#define ATTR_SIZE sizeof(union bpf_attr)

TAP_FN long bpf_raw(int cmd, void *attr, unsigned size) { return SYS3(NR_BPF, cmd, attr, size); }
TAP_FN long bpf_call(int cmd, union bpf_attr *attr) { return bpf_raw(cmd, attr, sizeof *attr); }

TAP_FN long map_create_named(__u32 type, __u32 key, __u32 value, __u32 max, __u32 flags, const char *name)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_type = type;
    a.key_size = key;
    a.value_size = value;
    a.max_entries = max;
    a.map_flags = flags;
    if (name)
        strncpy(a.map_name, name, sizeof a.map_name - 1);
    return bpf_call(BPF_MAP_CREATE, &a);
}
TAP_FN long map_create(__u32 type, __u32 key, __u32 value, __u32 max, __u32 flags)
{
    return map_create_named(type, key, value, max, flags, NULL);
}

TAP_FN long map_update(long fd, const void *key, const void *value, __u64 flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_fd = (__u32)fd;
    a.key = (__u64)(uintptr_t)key;
    a.value = (__u64)(uintptr_t)value;
    a.flags = flags;
    return bpf_call(BPF_MAP_UPDATE_ELEM, &a);
}

TAP_FN long map_lookup(long fd, const void *key, void *value)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_fd = (__u32)fd;
    a.key = (__u64)(uintptr_t)key;
    a.value = (__u64)(uintptr_t)value;
    return bpf_call(BPF_MAP_LOOKUP_ELEM, &a);
}

TAP_FN long map_freeze(long fd)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_fd = (__u32)fd;
    return bpf_call(BPF_MAP_FREEZE, &a);
}

TAP_FN long obj_info(long fd, void *info, __u32 *len)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.info.bpf_fd = (__u32)fd;
    a.info.info_len = *len;
    a.info.info = (__u64)(uintptr_t)info;
    long ret = bpf_call(BPF_OBJ_GET_INFO_BY_FD, &a);
    *len = a.info.info_len;
    return ret;
}

TAP_FN __u32 map_id_of(long fd)
{
    struct bpf_map_info info;
    memset(&info, 0, sizeof info);
    __u32 len = sizeof info;
    return obj_info(fd, &info, &len) == 0 ? info.id : 0;
}

TAP_FN long next_id(int cmd, __u32 start, __u32 *next)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.start_id = start;
    long ret = bpf_call(cmd, &a);
    *next = a.next_id;
    return ret;
}

TAP_FN long fd_by_id(int cmd, __u32 id, __u32 open_flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_id = id; /* prog_id, btf_id and link_id share the offset */
    a.open_flags = open_flags;
    return bpf_call(cmd, &a);
}

/* "r0 = imm; exit" */
#define INSN(code_, dst_, src_, off_, imm_) ((struct bpf_insn){ .code = (code_), .dst_reg = (dst_), .src_reg = (src_), .off = (off_), .imm = (imm_) })
#define MOV64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* PROG_LOAD with an optional log; returns the fd or -errno. */
TAP_FN long prog_load_log(__u32 type, const struct bpf_insn *insns, __u32 count, const char *license, char *log, __u32 log_size)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_type = type;
    a.insns = (__u64)(uintptr_t)insns;
    a.insn_cnt = count;
    a.license = (__u64)(uintptr_t)license;
    if (log) {
        a.log_buf = (__u64)(uintptr_t)log;
        a.log_size = log_size;
        a.log_level = 1;
    }
    return bpf_call(BPF_PROG_LOAD, &a);
}

TAP_FN long prog_load(__u32 type, const struct bpf_insn *insns, __u32 count)
{
    return prog_load_log(type, insns, count, "GPL", NULL, 0);
}

/* Reads a small file into buf (NUL-terminated); returns its length or -1. */
/* Reads a whole (small) file into buf, NUL-terminated; returns its length or -errno. */
TAP_FN long read_small_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    long total = 0, n;
    while (total < (long)size - 1 && (n = read(fd, buf + total, size - 1 - total)) > 0)
        total += n;
    close(fd);
    buf[total] = '\0';
    return total;
}

/* The value of "key:\t<value>" in an fdinfo text, or NULL. */
TAP_FN const char *fdinfo_value(const char *text, const char *key, char *out, size_t size)
{
    size_t key_length = strlen(key);
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (!strncmp(line, key, key_length) && line[key_length] == ':' && line[key_length + 1] == '\t') {
            const char *value = line + key_length + 2;
            size_t n = strcspn(value, "\n");
            if (n >= size)
                n = size - 1;
            memcpy(out, value, n);
            out[n] = '\0';
            return out;
        }
    }
    return NULL;
}

#endif
