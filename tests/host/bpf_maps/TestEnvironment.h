// Test fixtures for the map and helper host tests: a HelperEnvironment fake whose CPU,
// clocks, task identity and readable memory are set by the test; an ObjectResolver over a
// table of fds; small helpers to create maps and call the syscall-side API with errno
// results.
#pragma once

#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/maps/Map.h"
#include "bpf/maps/MapFactory.h"
#include "bpf/maps/PerfEventSource.h"
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace test {

struct FakeEnvironment : bpf::HelperEnvironment {
    u32 cpu = 0;
    u32 cpus = 2;
    u64 now = 1000;
    u64 boot = 2000;
    u64 coarse = 900;
    u64 jiffies = 77;
    u32 random = 0x12345678;
    i64 pid_tgid = (100ll << 32) | 101;
    i64 uid_gid = (1000ll << 32) | 1001;
    std::string comm = "tester";
    u64 task = 0xffff888000001000ull;
    std::vector<std::pair<u64, u64>> readable; // [start, end) ranges of host memory
    std::string trace;
    std::vector<u64> stack;
    u32 last_signal = 0;
    bool last_signal_thread = false;

    u32 current_cpu() override { return cpu; }
    u32 possible_cpus() override { return cpus; }
    u64 ktime_ns() override { return now; }
    u64 ktime_boot_ns() override { return boot; }
    u64 ktime_coarse_ns() override { return coarse; }
    u64 jiffies64() override { return jiffies; }
    u32 prandom_u32() override { return random++; }
    i64 current_pid_tgid() override { return pid_tgid; }
    i64 current_uid_gid() override { return uid_gid; }
    i64 current_comm(char* buffer, u32 size) override;
    u64 current_task() override { return task; }
    i64 ns_current_pid_tgid(u64 dev, u64 ino, u32* pid, u32* tgid) override;
    bool can_read(u64 address, u64 size) const;
    i64 probe_read_kernel(void* dst, u32 size, u64 src) override;
    i64 probe_read_user(void* dst, u32 size, u64 src) override { return probe_read_kernel(dst, size, src); }
    i64 probe_read_kernel_str(char* dst, u32 size, u64 src) override;
    i64 probe_read_user_str(char* dst, u32 size, u64 src) override { return probe_read_kernel_str(dst, size, src); }
    void trace_output(char const* text, u32 length) override { trace.append(text, length); }
    i64 walk_stack(u64 regs, bool user, u64* ips, u32 max_depth) override;
    i64 send_signal(u32 signal, bool thread) override
    {
        last_signal = signal;
        last_signal_thread = thread;
        return 0;
    }
    u64 func_ip(u64 ctx) override { return ctx + 1; }
    u64 attach_cookie(u64 ctx) override { return ctx + 2; }
    // ctx 0: no sampled event (-EINVAL); otherwise counter ctx, enabled 2 * ctx, running ctx.
    i64 sampled_event_read(u64 ctx, u64* counter, u64* enabled, u64* running) override
    {
        if (!ctx)
            return -22;
        *counter = ctx, *enabled = 2 * ctx, *running = ctx;
        return 0;
    }

    template<typename T>
    void allow(T const* object, u64 size = sizeof(T)) { readable.push_back({ reinterpret_cast<u64>(object), reinterpret_cast<u64>(object) + size }); }
};

// Installs a fresh FakeEnvironment for the lifetime of the object.
struct ScopedEnvironment {
    FakeEnvironment env;
    ScopedEnvironment() { bpf::install_helper_environment(&env); }
    ~ScopedEnvironment() { bpf::install_helper_environment(nullptr); }
};

struct FakePerfEvent final : bpf::PerfEventSource {
    bool bpf_output = true;
    i32 cpu = 0;
    i64 read_result = 0;
    u64 counter = 5, enabled = 6, running = 7;
    std::vector<std::vector<u8>> records;
    bool is_bpf_output() const override { return bpf_output; }
    i32 active_cpu() const override { return cpu; }
    i64 output(u64, void const* data, u64 size) override
    {
        auto const* bytes = static_cast<u8 const*>(data);
        records.emplace_back(bytes, bytes + size);
        return 0;
    }
    i64 read_local(u64* value, u64* e, u64* r) override
    {
        if (read_result)
            return read_result;
        *value = counter;
        *e = enabled;
        *r = running;
        return 0;
    }
};

struct FakeResolver : bpf::ObjectResolver {
    std::map<u32, RefPtr<bpf::Map>> maps;
    std::map<u32, RefPtr<bpf::PerfEventSource>> events;
    std::map<u32, RefPtr<bpf::Program>> programs;
    std::map<bpf::Program const*, u32> program_ids;
    ErrorOr<RefPtr<bpf::Map>> map_from_fd(u32 fd) override;
    ErrorOr<RefPtr<bpf::PerfEventSource>> perf_event_from_fd(u32 fd) override;
    ErrorOr<RefPtr<bpf::Program>> program_from_fd(u32 fd) override;
    u32 program_id(bpf::Program const& program) override;
};

bpf::MapAttributes attributes(u32 type, u32 key_size, u32 value_size, u32 max_entries, u32 flags = 0, u64 extra = 0);
RefPtr<bpf::Map> make_map(u32 type, u32 key_size, u32 value_size, u32 max_entries, u32 flags = 0, u64 extra = 0, bpf::ObjectResolver* resolver = nullptr);
int create_errno(bpf::MapAttributes const& a, bpf::ObjectResolver* resolver = nullptr);

inline int err(ErrorOr<void> const& result) { return result.is_error() ? -result.error().code() : 0; }
template<typename K, typename V>
int update(bpf::Map& map, K key, V value, u64 flags = BPF_ANY) { return err(map.sys_update(&key, &value, flags)); }
template<typename K, typename V>
int lookup(bpf::Map& map, K key, V& value) { return err(map.sys_lookup(&key, &value, 0)); }
template<typename K>
int remove(bpf::Map& map, K key) { return err(map.sys_delete(&key)); }
template<typename K>
std::vector<K> keys_of(bpf::Map& map)
{
    std::vector<K> keys;
    K key {};
    K next {};
    bool first = true;
    while (map.sys_get_next_key(first ? nullptr : &key, &next).is_error() == false) {
        keys.push_back(next);
        key = next;
        first = false;
        if (keys.size() > 10'000'000)
            break;
    }
    return keys;
}

}
