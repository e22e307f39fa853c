// Differential fuzz: for every map type the host kernel supports, a seeded random sequence of
// 10 000 syscall-side operations (creates with valid and invalid attributes, updates with every
// flag, lookups, deletes, get_next_key walks, batch operations, push/pop/peek, freeze) is applied
// both to a real Linux map through raw bpf() and to our map core; every return code and every
// observable output must match. Hash iteration order is compared exactly for BPF_F_ZERO_SEED
// maps (same jhash, same buckets) and as sets otherwise. The process is pinned to CPU 0 so
// per-CPU and LRU behaviour is deterministic on both sides. Skips (with a message) when bpf()
// is unavailable.
#include "LinuxBpf.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/isa/Assembler.h"
#include "bpf/isa/Decoder.h"
#include "bpf/isa/Program.h"
#include "bpf/maps/MapFactory.h"
#include "bpf/maps/PerfEventSource.h"
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fcntl.h>
#include <map>
#include <random>
#include <sched.h>
#include <set>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<u8>;

u32 host_possible_cpus()
{
    FILE* f = std::fopen("/sys/devices/system/cpu/possible", "r");
    if (!f)
        return 1;
    char text[64] = {};
    size_t n = std::fread(text, 1, sizeof(text) - 1, f);
    std::fclose(f);
    text[n] = 0;
    u32 count = 0;
    for (char* p = text; *p && *p != '\n';) {
        unsigned a = std::strtoul(p, &p, 10), b = a;
        if (*p == '-')
            b = std::strtoul(p + 1, &p, 10);
        count += b - a + 1;
        if (*p == ',')
            ++p;
    }
    return count ? count : 1;
}

struct DiffEnvironment : bpf::HelperEnvironment {
    u32 cpus = host_possible_cpus();
    std::mt19937 random { 1 };
    u32 current_cpu() override { return 0; }
    u32 possible_cpus() override { return cpus; }
    u32 prandom_u32() override { return random(); }
};

struct NullPerfEvent final : bpf::PerfEventSource {
    bool is_bpf_output() const override { return true; }
    i32 active_cpu() const override { return 0; }
    i64 output(u64, void const*, u64) override { return 0; }
    i64 read_local(u64* v, u64* e, u64* r) override
    {
        *v = *e = *r = 0;
        return 0;
    }
};

bool fd_is_open(u32 fd) { return fcntl(static_cast<int>(fd), F_GETFD) != -1; }

// Resolves host fds to our objects; an open fd of another kind gives EINVAL for maps and
// programs (Linux's __bpf_map_get / __bpf_prog_get) and EBADF for perf events.
struct DiffResolver : bpf::ObjectResolver {
    std::map<u32, RefPtr<bpf::Map>> maps;
    std::map<u32, RefPtr<bpf::PerfEventSource>> events;
    std::map<u32, RefPtr<bpf::Program>> programs;
    std::map<bpf::Program const*, u32> ids;
    ErrorOr<RefPtr<bpf::Map>> map_from_fd(u32 fd) override
    {
        if (auto it = maps.find(fd); it != maps.end())
            return it->second;
        return Error(fd_is_open(fd) ? EINVAL : EBADF);
    }
    ErrorOr<RefPtr<bpf::PerfEventSource>> perf_event_from_fd(u32 fd) override
    {
        if (auto it = events.find(fd); it != events.end())
            return it->second;
        return Error(EBADF);
    }
    ErrorOr<RefPtr<bpf::Program>> program_from_fd(u32 fd) override
    {
        if (auto it = programs.find(fd); it != programs.end())
            return it->second;
        return Error(fd_is_open(fd) ? EINVAL : EBADF);
    }
    u32 program_id(bpf::Program const& p) override { return ids[&p]; }
};

int to_errno(ErrorOr<void> const& r) { return r.is_error() ? -r.error().code() : 0; }

struct Attrs {
    u32 type, key, value, max, flags, inner, numa;
    u64 extra;
};

std::string describe(Attrs const& a)
{
    char text[160];
    std::snprintf(text, sizeof(text), "type=%u key=%u value=%u max=%u flags=%#x inner=%u numa=%u extra=%#llx", a.type, a.key, a.value, a.max, a.flags,
        a.inner, a.numa, static_cast<unsigned long long>(a.extra));
    return text;
}

class Fuzzer {
public:
    Fuzzer(u32 type, u64 seed)
        : m_type(type)
        , m_rng(seed)
    {
    }
    ~Fuzzer()
    {
        drop_map();
        for (int fd : m_owned_fds)
            close(fd);
    }

    u64 ops { 0 };
    u64 mismatches { 0 };
    u64 creates_ok { 0 }, creates_failed { 0 };
    u64 succeeded { 0 }; // operations Linux completed with 0
    std::vector<std::string> reports;
    DiffResolver resolver;
    std::vector<u32> object_fds; // values for fd maps: valid objects, other kinds, closed fds

    void run(u64 target)
    {
        while (ops < target) {
            if (!m_linux_fd_valid || uniform(is_lru() ? 2500 : 250) == 0) {
                recreate();
                continue;
            }
            step();
        }
        if (m_linux_fd_valid)
            full_compare();
    }

    void add_inner_map(Attrs const& a)
    {
        int fd = linux_bpf::map_create(a.type, a.key, a.value, a.max, a.flags, a.inner, a.numa, a.extra);
        REQUIRE(fd >= 0);
        auto ours = bpf::create_map(to_attributes(a), &resolver);
        REQUIRE(!ours.is_error());
        auto map = ours.release_value();
        map->set_id(linux_bpf::object_id(fd));
        resolver.maps[fd] = map;
        m_owned_fds.push_back(fd);
        object_fds.push_back(fd);
        m_inner_fds.push_back(fd);
    }
    void add_foreign_fd(int fd)
    {
        m_owned_fds.push_back(fd);
        object_fds.push_back(static_cast<u32>(fd));
    }

private:
    u32 uniform(u32 n) { return n ? static_cast<u32>(m_rng() % n) : 0; }
    bool chance(u32 percent) { return uniform(100) < percent; }

    bpf::MapAttributes to_attributes(Attrs const& a)
    {
        bpf::MapAttributes m;
        m.map_type = a.type;
        m.key_size = a.key;
        m.value_size = a.value;
        m.max_entries = a.max;
        m.map_flags = a.flags;
        m.inner_map_fd = a.inner;
        m.numa_node = a.numa;
        m.map_extra = a.extra;
        return m;
    }

    void mismatch(std::string what)
    {
        ++mismatches;
        if (reports.size() < 20)
            reports.push_back(describe(m_attrs) + ": " + what);
    }
    void expect(int linux_rc, int our_rc, char const* what)
    {
        if (linux_rc == 0)
            ++succeeded;
        if (linux_rc != our_rc)
            mismatch(std::string(what) + " linux=" + std::to_string(linux_rc) + " ours=" + std::to_string(our_rc));
    }
    void expect_bytes(Bytes const& a, Bytes const& b, char const* what)
    {
        if (a != b)
            mismatch(std::string(what) + " output bytes differ");
    }

    bool is_hash() const
    {
        return m_type == BPF_MAP_TYPE_HASH || m_type == BPF_MAP_TYPE_PERCPU_HASH || m_type == BPF_MAP_TYPE_LRU_HASH || m_type == BPF_MAP_TYPE_LRU_PERCPU_HASH
            || m_type == BPF_MAP_TYPE_HASH_OF_MAPS;
    }
    bool is_lru() const { return m_type == BPF_MAP_TYPE_LRU_HASH || m_type == BPF_MAP_TYPE_LRU_PERCPU_HASH; }
    bool is_arrayish() const
    {
        return m_type == BPF_MAP_TYPE_ARRAY || m_type == BPF_MAP_TYPE_PERCPU_ARRAY || m_type == BPF_MAP_TYPE_PROG_ARRAY || m_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY
            || m_type == BPF_MAP_TYPE_ARRAY_OF_MAPS || m_type == BPF_MAP_TYPE_STACK_TRACE;
    }
    bool is_keyless() const
    {
        return m_type == BPF_MAP_TYPE_QUEUE || m_type == BPF_MAP_TYPE_STACK || m_type == BPF_MAP_TYPE_BLOOM_FILTER || m_type == BPF_MAP_TYPE_RINGBUF;
    }
    bool is_fd_valued() const
    {
        return m_type == BPF_MAP_TYPE_PROG_ARRAY || m_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY || m_type == BPF_MAP_TYPE_ARRAY_OF_MAPS || m_type == BPF_MAP_TYPE_HASH_OF_MAPS;
    }
    // Whether get_next_key order is reproducible (everything but randomly seeded hashes).
    bool ordered() const { return !is_hash() || (m_attrs.flags & BPF_F_ZERO_SEED); }

    u32 pick_flags(std::initializer_list<u32> optional)
    {
        u32 flags = 0;
        for (u32 f : optional)
            if (chance(25))
                flags |= f;
        return flags;
    }

    Attrs valid_attrs()
    {
        Attrs a { m_type, 0, 0, 0, 0, 0, 0, 0 };
        u32 access = chance(10) ? (chance(50) ? BPF_F_RDONLY_PROG : BPF_F_WRONLY_PROG) : 0;
        u32 numa = chance(5) ? BPF_F_NUMA_NODE : 0;
        switch (m_type) {
        case BPF_MAP_TYPE_ARRAY:
            a.key = 4, a.value = 1 + uniform(64), a.max = 1 + uniform(40);
            a.flags = access | numa | pick_flags({ BPF_F_MMAPABLE, BPF_F_INNER_MAP });
            break;
        case BPF_MAP_TYPE_PERCPU_ARRAY:
            a.key = 4, a.value = 1 + uniform(40), a.max = 1 + uniform(40), a.flags = access;
            break;
        case BPF_MAP_TYPE_HASH:
        case BPF_MAP_TYPE_PERCPU_HASH:
            a.key = 1 + uniform(24), a.value = 1 + uniform(40), a.max = 1 + uniform(64);
            a.flags = access | (m_type == BPF_MAP_TYPE_HASH ? numa : 0) | pick_flags({ BPF_F_NO_PREALLOC }) | (chance(85) ? BPF_F_ZERO_SEED : 0);
            break;
        case BPF_MAP_TYPE_LRU_HASH:
        case BPF_MAP_TYPE_LRU_PERCPU_HASH:
            a.key = 1 + uniform(16), a.value = 1 + uniform(32), a.max = chance(50) ? 200 + uniform(400) : 1 + uniform(64);
            a.flags = access | (chance(85) ? BPF_F_ZERO_SEED : 0) | (chance(30) ? BPF_F_NO_COMMON_LRU : 0);
            if (m_type == BPF_MAP_TYPE_LRU_HASH && !(a.flags & BPF_F_NO_COMMON_LRU))
                a.flags |= numa;
            break;
        case BPF_MAP_TYPE_HASH_OF_MAPS:
            a.key = 1 + uniform(12), a.value = 4, a.max = 1 + uniform(32);
            a.flags = (chance(85) ? BPF_F_ZERO_SEED : 0) | pick_flags({ BPF_F_NO_PREALLOC });
            a.inner = pick_inner();
            break;
        case BPF_MAP_TYPE_ARRAY_OF_MAPS:
            a.key = 4, a.value = 4, a.max = 1 + uniform(32), a.inner = pick_inner();
            break;
        case BPF_MAP_TYPE_PROG_ARRAY:
        case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
            a.key = 4, a.value = 4, a.max = 1 + uniform(16);
            if (m_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && chance(20))
                a.flags |= BPF_F_PRESERVE_ELEMS;
            break;
        case BPF_MAP_TYPE_QUEUE:
        case BPF_MAP_TYPE_STACK:
            a.value = 1 + uniform(48), a.max = 1 + uniform(24), a.flags = access | numa;
            break;
        case BPF_MAP_TYPE_BLOOM_FILTER:
            a.value = 1 + uniform(24), a.max = 1 + uniform(64), a.flags = BPF_F_ZERO_SEED | access;
            a.extra = uniform(16);
            break;
        case BPF_MAP_TYPE_RINGBUF:
            a.max = 4096u << uniform(4);
            break;
        case BPF_MAP_TYPE_LPM_TRIE:
            a.key = 4 + (chance(50) ? 1 + uniform(4) : 1 + uniform(16)), a.value = 1 + uniform(24), a.max = 1 + uniform(48);
            a.flags = BPF_F_NO_PREALLOC | access;
            break;
        case BPF_MAP_TYPE_STACK_TRACE:
            a.key = 4, a.value = 8 * (1 + uniform(20)), a.max = 1 + uniform(64);
            break;
        }
        return a;
    }

    u32 pick_inner() { return m_inner_fds.empty() ? 0 : m_inner_fds[uniform(static_cast<u32>(m_inner_fds.size()))]; }

    Attrs invalid_attrs()
    {
        Attrs a = valid_attrs();
        static constexpr u32 bad_flags[] = { BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_STACK_BUILD_ID,
            BPF_F_ZERO_SEED, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, BPF_F_RDONLY | BPF_F_WRONLY, BPF_F_CLONE, BPF_F_MMAPABLE, BPF_F_PRESERVE_ELEMS,
            BPF_F_INNER_MAP, 1u << 20, 1u << 30 };
        switch (uniform(10)) {
        case 0:
            a.key = chance(50) ? 0 : (chance(50) ? a.key + 1 + uniform(8) : 4096 + uniform(8));
            break;
        case 1:
            a.value = chance(50) ? 0 : (chance(30) ? 0x80000000u : (chance(50) ? 32769 : 4194304 + uniform(64) - 32));
            break;
        case 2:
            // 2^31 + 1 is rejected before any allocation only by hash and stack-trace maps.
            a.max = chance(50) ? 0 : (chance(50) && (is_hash() || m_type == BPF_MAP_TYPE_STACK_TRACE) ? 0x80000001u : a.max + 1 + uniform(4000));
            break;
        case 3:
        case 4:
            a.flags |= bad_flags[uniform(sizeof(bad_flags) / sizeof(bad_flags[0]))];
            break;
        case 5:
            a.flags |= BPF_F_NUMA_NODE;
            a.numa = uniform(3);
            break;
        case 6:
            a.extra = 1 + uniform(40);
            break;
        case 7:
            a.inner = chance(50) ? 9999 : (object_fds.empty() ? 0 : object_fds[uniform(static_cast<u32>(object_fds.size()))]);
            break;
        case 8:
            a.key = 4 + uniform(300);
            a.value = 8 * uniform(200);
            break;
        default:
            a.value = 4 + uniform(8);
            a.key = uniform(8);
            break;
        }
        // Keep every attempt cheap for both kernels: nothing above a few megabytes.
        u64 bytes = static_cast<u64>(a.max) * (static_cast<u64>(a.key) + a.value + 64);
        if (a.max != 0x80000001u && bytes > (64ull << 20))
            a.max = 1 + uniform(64);
        if (m_type == BPF_MAP_TYPE_BLOOM_FILTER && a.max > 100000)
            a.max = 1000;
        return a;
    }

    void drop_map()
    {
        if (m_linux_fd_valid)
            close(m_linux_fd);
        m_linux_fd_valid = false;
        m_ours = nullptr;
    }

    void recreate()
    {
        drop_map();
        m_attrs = chance(75) ? valid_attrs() : invalid_attrs();
        m_fill_mode = chance(50);
        int linux_fd = linux_bpf::map_create(m_attrs.type, m_attrs.key, m_attrs.value, m_attrs.max, m_attrs.flags, m_attrs.inner, m_attrs.numa, m_attrs.extra);
        auto ours = bpf::create_map(to_attributes(m_attrs), &resolver);
        int our_rc = ours.is_error() ? -ours.error().code() : 0;
        ++ops;
        expect(linux_fd < 0 ? linux_fd : 0, our_rc, "create");
        if (linux_fd >= 0 && !ours.is_error()) {
            m_linux_fd = linux_fd;
            m_linux_fd_valid = true;
            m_ours = ours.release_value();
            ++creates_ok;
            prepare_keys();
        } else {
            if (linux_fd >= 0)
                close(linux_fd);
            ++creates_failed;
        }
    }

    u32 key_size() const { return m_ours->key_size(); }
    u32 value_size() const { return m_ours->syscall_value_size(); }

    void prepare_keys()
    {
        m_keys.clear();
        // LRU maps get longer epochs and a wider key pool so that large maps fill up and evict.
        u32 pool = m_ours->max_entries() * (is_lru() ? 3 : 2) + 4;
        if (pool > 2000)
            pool = 2000;
        for (u32 i = 0; i < pool; ++i)
            m_keys.push_back(random_fresh_key());
    }

    Bytes random_fresh_key()
    {
        Bytes key(key_size());
        if (is_arrayish()) {
            u32 index = uniform(m_ours->max_entries() + 3);
            if (chance(3))
                index = 0xffffffffu - uniform(3);
            std::memcpy(key.data(), &index, 4);
        } else if (m_type == BPF_MAP_TYPE_LPM_TRIE) {
            u32 max_prefix = (key_size() - 4) * 8;
            u32 prefix = uniform(max_prefix + 1);
            if (chance(3))
                prefix = max_prefix + 1 + uniform(5);
            std::memcpy(key.data(), &prefix, 4);
            static constexpr u8 palette[] = { 0x00, 0x0a, 0xc0, 0xa8, 0xff, 0x80, 0x01 };
            for (u32 i = 4; i < key.size(); ++i)
                key[i] = chance(70) ? palette[uniform(sizeof(palette))] : static_cast<u8>(m_rng());
        } else {
            for (auto& b : key)
                b = chance(60) ? static_cast<u8>(uniform(3)) : static_cast<u8>(m_rng());
        }
        return key;
    }

    Bytes pick_key()
    {
        if (m_keys.empty() || chance(5))
            return random_fresh_key();
        return m_keys[uniform(static_cast<u32>(m_keys.size()))];
    }

    Bytes random_value()
    {
        Bytes value(value_size());
        if (is_fd_valued()) {
            u32 fd = object_fds.empty() ? 9999 : object_fds[uniform(static_cast<u32>(object_fds.size()))];
            if (chance(5))
                fd = 9999;
            std::memcpy(value.data(), &fd, 4);
            return value;
        }
        if (m_type == BPF_MAP_TYPE_BLOOM_FILTER && chance(60)) {
            for (auto& b : value)
                b = static_cast<u8>(uniform(3));
            return value;
        }
        for (auto& b : value)
            b = static_cast<u8>(m_rng());
        return value;
    }

    u64 pick_update_flags()
    {
        static constexpr u64 choices[] = { BPF_ANY, BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK, BPF_F_LOCK | BPF_EXIST, 3, 8, 1ull << 32 };
        return chance(80) ? choices[uniform(4)] : choices[uniform(sizeof(choices) / sizeof(choices[0]))];
    }
    u64 pick_lookup_flags()
    {
        static constexpr u64 choices[] = { 0, BPF_F_LOCK, 1, 2, 8 };
        return chance(90) ? 0 : choices[uniform(sizeof(choices) / sizeof(choices[0]))];
    }

    void const* key_arg(Bytes const& key) const { return key_size() ? key.data() : nullptr; }

    void step()
    {
        u32 roll = uniform(1000);
        // In "fill" epochs destructive operations are rare, so maps reach full capacity
        // (E2BIG / ENOSPC paths, LRU eviction of large maps).
        bool destructive = (roll >= 560 && roll < 660) || (roll >= 760 && roll < 820) || (roll >= 880 && roll < 910) || (roll >= 950 && roll < 975);
        if (m_fill_mode && destructive && !chance(5))
            roll = uniform(380);
        if (roll < 380)
            op_update();
        else if (roll < 560)
            op_lookup();
        else if (roll < 660)
            op_delete();
        else if (roll < 760)
            op_next_key();
        else if (roll < 820)
            op_lookup_and_delete();
        else if (roll < 880)
            op_batch(BPF_MAP_LOOKUP_BATCH);
        else if (roll < 910)
            op_batch(BPF_MAP_LOOKUP_AND_DELETE_BATCH);
        else if (roll < 950)
            op_batch(BPF_MAP_UPDATE_BATCH);
        else if (roll < 975)
            op_batch(BPF_MAP_DELETE_BATCH);
        else if (roll < 978)
            op_freeze();
        else
            full_compare();
    }

    void op_update()
    {
        Bytes key = pick_key();
        Bytes value = random_value();
        u64 flags = pick_update_flags();
        if (m_type == BPF_MAP_TYPE_QUEUE || m_type == BPF_MAP_TYPE_STACK)
            flags = chance(70) ? BPF_ANY : pick_update_flags();
        int l = linux_bpf::elem(BPF_MAP_UPDATE_ELEM, m_linux_fd, key_arg(key), value.data(), flags);
        int o = to_errno(m_ours->sys_update(key_arg(key), value.data(), flags, &resolver));
        ++ops;
        expect(l, o, "update");
    }

    void op_lookup()
    {
        Bytes key = pick_key();
        Bytes lv = random_value(), ov = lv; // bloom filters read the value to test
        u64 flags = pick_lookup_flags();
        int l = linux_bpf::elem(BPF_MAP_LOOKUP_ELEM, m_linux_fd, key_arg(key), lv.data(), flags);
        int o = to_errno(m_ours->sys_lookup(key_arg(key), ov.data(), flags));
        ++ops;
        expect(l, o, "lookup");
        if (l == 0 && o == 0)
            expect_bytes(lv, ov, "lookup");
    }

    void op_delete()
    {
        Bytes key = pick_key();
        int l = linux_bpf::elem(BPF_MAP_DELETE_ELEM, m_linux_fd, key_arg(key), nullptr, 0);
        int o = to_errno(m_ours->sys_delete(key_arg(key)));
        ++ops;
        expect(l, o, "delete");
    }

    void op_lookup_and_delete()
    {
        Bytes key = pick_key();
        Bytes lv(value_size(), 0xcc), ov = lv;
        u64 flags = pick_lookup_flags();
        int l = linux_bpf::elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, m_linux_fd, key_arg(key), lv.data(), flags);
        int o = to_errno(m_ours->sys_lookup_and_delete(key_arg(key), ov.data(), flags));
        ++ops;
        expect(l, o, "lookup_and_delete");
        if (l == 0 && o == 0)
            expect_bytes(lv, ov, "lookup_and_delete");
    }

    void op_next_key()
    {
        if (!ordered()) {
            full_compare();
            return;
        }
        bool null_key = chance(25);
        Bytes key = pick_key();
        Bytes ln(key_size() ? key_size() : 1, 0xee), on = ln;
        int l = linux_bpf::next_key(m_linux_fd, null_key ? nullptr : key_arg(key), ln.data());
        int o = to_errno(m_ours->sys_get_next_key(null_key ? nullptr : key_arg(key), on.data()));
        ++ops;
        expect(l, o, "get_next_key");
        if (l == 0 && o == 0)
            expect_bytes(ln, on, "get_next_key");
    }

    void op_freeze()
    {
        int l = linux_bpf::freeze(m_linux_fd);
        int o = to_errno(m_ours->sys_freeze());
        ++ops;
        expect(l, o, "freeze");
    }

    void op_batch(int cmd)
    {
        bool hash = is_hash();
        if (hash && !ordered() && cmd != BPF_MAP_UPDATE_BATCH && cmd != BPF_MAP_DELETE_BATCH) {
            full_compare();
            return;
        }
        u32 ks = key_size() ? key_size() : 1;
        u32 vs = value_size() ? value_size() : 1;
        u32 count = chance(10) ? 0 : 1 + uniform(hash ? 12 : 8);
        u64 elem_flags = chance(90) ? 0 : (chance(50) ? static_cast<u64>(BPF_F_LOCK) : 2);
        u64 flags = chance(95) ? 0 : 1;
        Bytes lkeys(static_cast<size_t>(ks) * (count + 1)), lvalues(static_cast<size_t>(vs) * (count + 1));
        if (cmd == BPF_MAP_UPDATE_BATCH || cmd == BPF_MAP_DELETE_BATCH) {
            for (u32 i = 0; i < count; ++i) {
                Bytes k = pick_key();
                Bytes v = random_value();
                if (!k.empty())
                    std::memcpy(lkeys.data() + i * ks, k.data(), k.size());
                if (!v.empty())
                    std::memcpy(lvalues.data() + i * vs, v.data(), v.size());
            }
        }
        Bytes okeys = lkeys, ovalues = lvalues;
        // in_batch: a bucket index for hash maps, a key otherwise; sometimes none.
        size_t batch_bytes = ks > 64 ? ks : 64;
        Bytes in(batch_bytes, 0), lout(batch_bytes, 0xaa), oout(batch_bytes, 0xaa);
        bool use_in = chance(60);
        if (use_in) {
            if (hash) {
                u32 bucket = uniform(2 * m_ours->max_entries() + 2);
                std::memcpy(in.data(), &bucket, 4);
            } else if (key_size()) {
                Bytes k = pick_key();
                std::memcpy(in.data(), k.data(), ks);
            }
        }
        u32 lcount = count, ocount = count;
        int l = linux_bpf::batch(cmd, m_linux_fd, use_in ? in.data() : nullptr, lout.data(), lkeys.data(), lvalues.data(), &lcount, elem_flags, flags);
        bpf::MemoryBatchIo io;
        io.in_batch = use_in ? in.data() : nullptr;
        io.out_batch = oout.data();
        io.keys = okeys.data();
        io.values = ovalues.data();
        io.count = count;
        io.out_count = count;
        io.elem_flags = elem_flags;
        io.flags = flags;
        bpf::BatchCommand command = cmd == BPF_MAP_LOOKUP_BATCH ? bpf::BatchCommand::Lookup
            : cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH           ? bpf::BatchCommand::LookupAndDelete
            : cmd == BPF_MAP_UPDATE_BATCH                      ? bpf::BatchCommand::Update
                                                               : bpf::BatchCommand::Delete;
        int o = to_errno(m_ours->sys_batch(command, io, &resolver));
        ocount = io.out_count;
        ++ops;
        expect(l, o, "batch");
        if (lcount != ocount)
            mismatch("batch count linux=" + std::to_string(lcount) + " ours=" + std::to_string(ocount) + " cmd=" + std::to_string(cmd));
        if (cmd == BPF_MAP_LOOKUP_BATCH || cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH) {
            expect_bytes(lkeys, okeys, "batch keys");
            expect_bytes(lvalues, ovalues, "batch values");
            expect_bytes(lout, oout, "batch out_batch");
        }
    }

    // Walks both maps completely and compares keys (in order when reproducible) and values.
    void full_compare()
    {
        if (is_keyless() || !key_size())
            return;
        std::vector<Bytes> lkeys, okeys;
        Bytes cursor, next(key_size());
        for (int side = 0; side < 2; ++side) {
            auto& keys = side ? okeys : lkeys;
            bool first = true;
            for (u32 guard = 0; guard < 100000; ++guard) {
                int rc = side ? to_errno(m_ours->sys_get_next_key(first ? nullptr : cursor.data(), next.data()))
                              : linux_bpf::next_key(m_linux_fd, first ? nullptr : cursor.data(), next.data());
                if (rc)
                    break;
                keys.push_back(next);
                cursor = next;
                first = false;
            }
        }
        ++ops;
        if (!ordered()) {
            std::sort(lkeys.begin(), lkeys.end());
            std::sort(okeys.begin(), okeys.end());
        }
        if (std::getenv("BPF_DIFF_TRACE"))
            std::printf("  walk: max=%u linux=%zu ours=%zu\n", m_attrs.max, lkeys.size(), okeys.size());
        if (lkeys != okeys) {
            mismatch("full walk: linux has " + std::to_string(lkeys.size()) + " keys, ours " + std::to_string(okeys.size()));
            return;
        }
        for (auto const& key : lkeys) {
            Bytes lv(value_size(), 0), ov(value_size(), 0);
            int l = linux_bpf::elem(BPF_MAP_LOOKUP_ELEM, m_linux_fd, key.data(), lv.data(), 0);
            int o = to_errno(m_ours->sys_lookup(key.data(), ov.data(), 0));
            expect(l, o, "full lookup");
            if (!l && !o)
                expect_bytes(lv, ov, "full lookup");
        }
    }

    u32 m_type;
    std::mt19937_64 m_rng;
    Attrs m_attrs {};
    int m_linux_fd { -1 };
    bool m_linux_fd_valid { false };
    bool m_fill_mode { false };
    RefPtr<bpf::Map> m_ours;
    std::vector<Bytes> m_keys;
    std::vector<int> m_owned_fds;
    std::vector<int> m_inner_fds;
};

bool bpf_available()
{
    int fd = linux_bpf::map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0, 0, 0);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

bool host_supports(u32 type)
{
    int fd;
    switch (type) {
    case BPF_MAP_TYPE_QUEUE:
    case BPF_MAP_TYPE_STACK:
        fd = linux_bpf::map_create(type, 0, 4, 1, 0, 0, 0, 0);
        break;
    case BPF_MAP_TYPE_RINGBUF:
        fd = linux_bpf::map_create(type, 0, 0, 4096, 0, 0, 0, 0);
        break;
    case BPF_MAP_TYPE_BLOOM_FILTER:
        fd = linux_bpf::map_create(type, 0, 4, 1, 0, 0, 0, 0);
        break;
    case BPF_MAP_TYPE_LPM_TRIE:
        fd = linux_bpf::map_create(type, 8, 4, 1, BPF_F_NO_PREALLOC, 0, 0, 0);
        break;
    case BPF_MAP_TYPE_STACK_TRACE:
        fd = linux_bpf::map_create(type, 4, 8, 1, 0, 0, 0, 0);
        break;
    default:
        return true; // the others need extra objects; assume present on a 6.x kernel
    }
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

struct Totals {
    u64 ops = 0, mismatches = 0;
};

void pin_to_cpu0()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

RefPtr<bpf::Program> make_program(char const* source)
{
    auto raw = bpf::isa::assemble(StringView(source));
    REQUIRE(!raw.is_error());
    auto decoded = bpf::isa::decode(raw.value().span());
    REQUIRE(!decoded.is_error());
    static bpf::HelperFunction no_helpers[1] = { nullptr };
    bpf::isa::ExecutionEnvironment env;
    env.helpers = no_helpers;
    env.helper_count = 0;
    auto program = bpf::Program::try_create(decoded.release_value(), env);
    REQUIRE(!program.is_error());
    return program.release_value();
}

void setup_objects(Fuzzer& f, u32 type)
{
    // Objects user space may store into fd maps, plus fds of the wrong kind and a closed one.
    if (type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS) {
        f.add_inner_map({ BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0, 0, 0 });
        f.add_inner_map({ BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0, 0, 0 });
        f.add_inner_map({ BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, 0, 0, 0 });
        f.add_inner_map({ BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP, 0, 0, 0 });
        f.add_inner_map({ BPF_MAP_TYPE_ARRAY, 4, 8, 16, BPF_F_INNER_MAP, 0, 0, 0 });
        f.add_inner_map({ BPF_MAP_TYPE_HASH, 4, 8, 16, 0, 0, 0, 0 });
        f.add_inner_map({ BPF_MAP_TYPE_HASH, 4, 8, 32, 0, 0, 0, 0 });
        f.add_inner_map({ BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0, 0, 0, 0 });
        f.add_inner_map({ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0, 0, 0 });
    }
    if (type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
        for (int cpu = 0; cpu < 2; ++cpu) {
            int fd = linux_bpf::perf_bpf_output(cpu);
            if (fd >= 0) {
                f.resolver.events[fd] = adopt_ref_or_enomem<bpf::PerfEventSource>(new NullPerfEvent).release_value();
                f.add_foreign_fd(fd);
            }
        }
    }
    if (type == BPF_MAP_TYPE_PROG_ARRAY) {
        struct bpf_insn insns[2] = {};
        insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
        insns[1].code = BPF_JMP | BPF_EXIT;
        for (int i = 0; i < 3; ++i) {
            int fd = linux_bpf::load_socket_filter(insns, 2);
            if (fd < 0)
                continue;
            auto program = make_program("mov r0, 0\nexit\n");
            f.resolver.ids[program.ptr()] = linux_bpf::object_id(fd);
            f.resolver.programs[fd] = program;
            f.add_foreign_fd(fd);
        }
    }
    // A pipe: an open fd that is neither a map, a program nor a perf event.
    int pipe_fds[2];
    if (pipe(pipe_fds) == 0) {
        f.add_foreign_fd(pipe_fds[0]);
        close(pipe_fds[1]);
    }
}

void fuzz_type(u32 type, char const* name, u64 seed)
{
    if (!bpf_available()) {
        WARN("bpf() is not available on this host (not root, or disabled): differential map tests skipped");
        return;
    }
    if (!host_supports(type)) {
        WARN(std::string("host kernel lacks ") + name + ": skipped");
        return;
    }
    pin_to_cpu0();
    DiffEnvironment env;
    bpf::install_helper_environment(&env);
    u64 target = 10000;
    if (char const* text = std::getenv("BPF_DIFF_OPS"))
        target = std::strtoull(text, nullptr, 10);
    {
        Fuzzer fuzzer(type, seed);
        setup_objects(fuzzer, type);
        fuzzer.run(target);
        std::printf("diff %-18s seed=%llu ops=%llu ok=%llu creates ok=%llu failed=%llu mismatches=%llu\n", name, static_cast<unsigned long long>(seed),
            static_cast<unsigned long long>(fuzzer.ops), static_cast<unsigned long long>(fuzzer.succeeded), static_cast<unsigned long long>(fuzzer.creates_ok),
            static_cast<unsigned long long>(fuzzer.creates_failed), static_cast<unsigned long long>(fuzzer.mismatches));
        for (auto const& report : fuzzer.reports)
            std::printf("  mismatch: %s\n", report.c_str());
        CHECK(fuzzer.ops >= target);
        CHECK(fuzzer.mismatches == 0);
    }
    bpf::install_helper_environment(nullptr);
}

u64 seed_for(u32 type)
{
    u64 base = 20261121;
    if (char const* text = std::getenv("BPF_DIFF_SEED"))
        base = std::strtoull(text, nullptr, 10);
    return base * 131 + type;
}

}

#define DIFF_CASE(TYPE)                                                            \
    TEST_CASE("diff: " #TYPE " matches the host kernel", "[diff]")                 \
    {                                                                              \
        fuzz_type(BPF_MAP_TYPE_##TYPE, #TYPE, seed_for(BPF_MAP_TYPE_##TYPE));      \
    }

DIFF_CASE(ARRAY)
DIFF_CASE(PERCPU_ARRAY)
DIFF_CASE(HASH)
DIFF_CASE(PERCPU_HASH)
DIFF_CASE(LRU_HASH)
DIFF_CASE(LRU_PERCPU_HASH)
DIFF_CASE(QUEUE)
DIFF_CASE(STACK)
DIFF_CASE(RINGBUF)
DIFF_CASE(BLOOM_FILTER)
DIFF_CASE(LPM_TRIE)
DIFF_CASE(STACK_TRACE)
DIFF_CASE(PERF_EVENT_ARRAY)
DIFF_CASE(PROG_ARRAY)
DIFF_CASE(ARRAY_OF_MAPS)
DIFF_CASE(HASH_OF_MAPS)
