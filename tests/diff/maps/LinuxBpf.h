// Thin wrappers over the host kernel's bpf() and perf_event_open() for the differential
// tests: raw syscalls, -errno results, no libbpf.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace linux_bpf {

inline long sys_bpf(int cmd, union bpf_attr* attr)
{
    long r = syscall(SYS_bpf, cmd, attr, sizeof(*attr));
    return r < 0 ? -errno : r;
}

inline int map_create(uint32_t type, uint32_t key, uint32_t value, uint32_t max, uint32_t flags, uint32_t inner_fd, uint32_t numa, uint64_t extra)
{
    union bpf_attr a;
    std::memset(&a, 0, sizeof(a));
    a.map_type = type;
    a.key_size = key;
    a.value_size = value;
    a.max_entries = max;
    a.map_flags = flags;
    a.inner_map_fd = inner_fd;
    a.numa_node = numa;
    a.map_extra = extra;
    return static_cast<int>(sys_bpf(BPF_MAP_CREATE, &a));
}

inline int elem(int cmd, int fd, void const* key, void* value, uint64_t flags)
{
    union bpf_attr a;
    std::memset(&a, 0, sizeof(a));
    a.map_fd = fd;
    a.key = reinterpret_cast<uint64_t>(key);
    a.value = reinterpret_cast<uint64_t>(value);
    a.flags = flags;
    return static_cast<int>(sys_bpf(cmd, &a));
}

inline int next_key(int fd, void const* key, void* next)
{
    union bpf_attr a;
    std::memset(&a, 0, sizeof(a));
    a.map_fd = fd;
    a.key = reinterpret_cast<uint64_t>(key);
    a.next_key = reinterpret_cast<uint64_t>(next);
    return static_cast<int>(sys_bpf(BPF_MAP_GET_NEXT_KEY, &a));
}

inline int freeze(int fd)
{
    union bpf_attr a;
    std::memset(&a, 0, sizeof(a));
    a.map_fd = fd;
    return static_cast<int>(sys_bpf(BPF_MAP_FREEZE, &a));
}

inline int batch(int cmd, int fd, void* in_batch, void* out_batch, void* keys, void* values, uint32_t* count, uint64_t elem_flags, uint64_t flags)
{
    union bpf_attr a;
    std::memset(&a, 0, sizeof(a));
    a.batch.map_fd = fd;
    a.batch.in_batch = reinterpret_cast<uint64_t>(in_batch);
    a.batch.out_batch = reinterpret_cast<uint64_t>(out_batch);
    a.batch.keys = reinterpret_cast<uint64_t>(keys);
    a.batch.values = reinterpret_cast<uint64_t>(values);
    a.batch.count = *count;
    a.batch.elem_flags = elem_flags;
    a.batch.flags = flags;
    long r = syscall(SYS_bpf, cmd, &a, sizeof(a));
    int result = r < 0 ? -errno : static_cast<int>(r);
    *count = a.batch.count;
    return result;
}

inline uint32_t object_id(int fd)
{
    union bpf_attr a;
    std::memset(&a, 0, sizeof(a));
    struct bpf_map_info info;
    std::memset(&info, 0, sizeof(info));
    a.info.bpf_fd = fd;
    a.info.info_len = sizeof(info);
    a.info.info = reinterpret_cast<uint64_t>(&info);
    if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0)
        return 0;
    return info.id; // bpf_prog_info also starts with type, id
}

inline int load_socket_filter(struct bpf_insn const* insns, uint32_t count)
{
    union bpf_attr a;
    std::memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = reinterpret_cast<uint64_t>(insns);
    a.insn_cnt = count;
    a.license = reinterpret_cast<uint64_t>("GPL");
    return static_cast<int>(sys_bpf(BPF_PROG_LOAD, &a));
}

inline int perf_bpf_output(int cpu)
{
    struct perf_event_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof(attr);
    attr.config = PERF_COUNT_SW_BPF_OUTPUT;
    attr.sample_type = PERF_SAMPLE_RAW;
    long r = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    return r < 0 ? -errno : static_cast<int>(r);
}

}
