// LPM_TRIE (longest-prefix cases, post-order walk, flags, capacity), BLOOM_FILTER (no false
// negatives, Linux's sizing) and STACK_TRACE (get_stackid storage, ids, syscall side).
#include "TestEnvironment.h"
#include "bpf/maps/BloomFilterMap.h"
#include "bpf/maps/StackTraceMap.h"
#include <catch2/catch.hpp>
#include <random>

using namespace test;

namespace {
struct Ipv4Key {
    u32 prefixlen;
    u8 data[4];
};
Ipv4Key prefix(u32 len, u8 a, u8 b = 0, u8 c = 0, u8 d = 0) { return { len, { a, b, c, d } }; }
}

TEST_CASE("lpm: create validation", "[lpm]")
{
    ScopedEnvironment scope;
    CHECK(create_errno(attributes(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 1, BPF_F_NO_PREALLOC)) == 0);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 1)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_LPM_TRIE, 4, 4, 1, BPF_F_NO_PREALLOC)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_LPM_TRIE, 4 + 256, 4, 1, BPF_F_NO_PREALLOC)) == 0);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_LPM_TRIE, 4 + 257, 4, 1, BPF_F_NO_PREALLOC)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_LPM_TRIE, 8, 0, 1, BPF_F_NO_PREALLOC)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 0, BPF_F_NO_PREALLOC)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 1, BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED)) == -EINVAL);
}

TEST_CASE("lpm: longest prefix wins; intermediate nodes are invisible", "[lpm]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 16, BPF_F_NO_PREALLOC);
    u32 v;
    CHECK(update(*map, prefix(8, 10), 1u) == 0);
    CHECK(update(*map, prefix(16, 10, 1), 2u) == 0);
    CHECK(update(*map, prefix(24, 10, 1, 2), 3u) == 0);
    CHECK(update(*map, prefix(24, 10, 1, 3), 4u) == 0); // creates an intermediate /23 node
    CHECK(update(*map, prefix(0, 0), 9u) == 0);          // default route
    auto match = [&](u8 a, u8 b, u8 c, u8 d) {
        u32 out = 0;
        return lookup(*map, prefix(32, a, b, c, d), out) == 0 ? out : 0u;
    };
    CHECK(match(10, 1, 2, 200) == 3);
    CHECK(match(10, 1, 3, 1) == 4);
    CHECK(match(10, 1, 4, 1) == 2);
    CHECK(match(10, 9, 9, 9) == 1);
    CHECK(match(11, 0, 0, 0) == 9);
    // The lookup key's own prefix length limits the match.
    CHECK(lookup(*map, prefix(16, 10, 1, 2, 0), v) == 0);
    CHECK(v == 2);
    CHECK(remove(*map, prefix(0, 0)) == 0);
    CHECK(match(11, 0, 0, 0) == 0);
    CHECK(remove(*map, prefix(23, 10, 1, 2)) == -ENOENT); // intermediate node
    CHECK(remove(*map, prefix(16, 10, 1)) == 0);
    CHECK(match(10, 1, 4, 1) == 1);
    CHECK(remove(*map, prefix(33, 10)) == -EINVAL);
    CHECK(update(*map, prefix(33, 10), 1u) == -EINVAL);
    CHECK(lookup(*map, prefix(33, 10), v) == -ENOENT);
}

TEST_CASE("lpm: update flags and capacity", "[lpm]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 2, BPF_F_NO_PREALLOC);
    CHECK(update(*map, prefix(8, 10), 1u, BPF_EXIST) == -ENOENT);
    CHECK(update(*map, prefix(8, 10), 1u, BPF_NOEXIST) == 0);
    CHECK(update(*map, prefix(8, 10), 1u, BPF_NOEXIST) == -EEXIST);
    CHECK(update(*map, prefix(8, 10), 5u, BPF_EXIST) == 0);
    CHECK(update(*map, prefix(16, 10, 1), 2u) == 0);
    CHECK(update(*map, prefix(16, 10, 2), 2u) == -ENOSPC);
    CHECK(update(*map, prefix(8, 10), 6u) == 0); // replacing is fine when full
    CHECK(update(*map, prefix(8, 10), 6u, 3) == -EINVAL);
    u32 v;
    CHECK(lookup(*map, prefix(32, 10, 7), v) == 0);
    CHECK(v == 6);
}

TEST_CASE("lpm: get_next_key walks in post order, most specific first", "[lpm]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 16, BPF_F_NO_PREALLOC);
    CHECK(update(*map, prefix(16, 192, 168), 1u) == 0);
    CHECK(update(*map, prefix(24, 192, 168, 0), 1u) == 0);
    CHECK(update(*map, prefix(24, 192, 168, 1), 1u) == 0);
    CHECK(update(*map, prefix(24, 192, 168, 128), 1u) == 0);
    std::vector<std::pair<u32, u32>> walk;
    for (auto key : keys_of<Ipv4Key>(*map))
        walk.push_back({ key.prefixlen, key.data[2] });
    CHECK(walk == std::vector<std::pair<u32, u32>> { { 24, 0 }, { 24, 1 }, { 24, 128 }, { 16, 0 } });
    Ipv4Key missing = prefix(24, 1, 2, 3), next {};
    CHECK(err(map->sys_get_next_key(&missing, &next)) == 0);
    CHECK(next.prefixlen == 24);
    CHECK(next.data[2] == 0);
    auto empty = make_map(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 16, BPF_F_NO_PREALLOC);
    CHECK(err(empty->sys_get_next_key(nullptr, &next)) == -ENOENT);
}

TEST_CASE("lpm: randomized against a brute-force longest match", "[lpm]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 256, BPF_F_NO_PREALLOC);
    std::mt19937 rng(7);
    std::vector<std::pair<Ipv4Key, u32>> reference;
    auto masked = [](Ipv4Key const& k, u32 len) {
        u32 addr = (u32(k.data[0]) << 24) | (u32(k.data[1]) << 16) | (u32(k.data[2]) << 8) | k.data[3];
        return len == 0 ? 0u : addr >> (32 - len);
    };
    for (int i = 0; i < 2000; ++i) {
        Ipv4Key key = prefix(rng() % 33, rng() % 4 ? 10 : rng(), rng() % 4, rng(), rng());
        u32 value = rng();
        bool remove_it = rng() % 4 == 0;
        auto it = std::find_if(reference.begin(), reference.end(), [&](auto& e) {
            return e.first.prefixlen == key.prefixlen && masked(e.first, key.prefixlen) == masked(key, key.prefixlen);
        });
        if (remove_it) {
            // Deleting needs the same bits up to the prefix; stored trailing bits are ignored.
            int rc = remove(*map, key);
            CHECK(rc == (it == reference.end() ? -ENOENT : 0));
            if (it != reference.end())
                reference.erase(it);
        } else if (reference.size() < 256 || it != reference.end()) {
            CHECK(update(*map, key, value) == 0);
            if (it != reference.end())
                *it = { key, value };
            else
                reference.push_back({ key, value });
        }
        Ipv4Key probe = prefix(32, rng() % 2 ? 10 : rng(), rng() % 4, rng(), rng());
        u32 best_len = 0, best = 0;
        bool found = false;
        for (auto& [k, v] : reference) {
            if (masked(k, k.prefixlen) == masked(probe, k.prefixlen) && (!found || k.prefixlen > best_len)) {
                found = true;
                best_len = k.prefixlen;
                best = v;
            }
        }
        u32 out = 0;
        int rc = lookup(*map, probe, out);
        CHECK(rc == (found ? 0 : -ENOENT));
        if (found && rc == 0)
            CHECK(out == best);
    }
    CHECK(keys_of<Ipv4Key>(*map).size() == reference.size());
}

TEST_CASE("bloom filter: no false negatives, Linux's validation and sizing", "[bloom]")
{
    ScopedEnvironment scope;
    CHECK(create_errno(attributes(BPF_MAP_TYPE_BLOOM_FILTER, 4, 4, 1)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 1, 0, 16)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 1, BPF_F_NO_PREALLOC)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_BLOOM_FILTER, 0, 4194305, 1)) == -E2BIG);
    auto map = make_map(BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 1000, 0, 3);
    REQUIRE(map);
    auto* bloom = static_cast<bpf::BloomFilterMap*>(map.ptr());
    CHECK(bloom->hash_function_count() == 3);
    CHECK(bloom->bit_count() == 8192); // round_up_pow2(1000 * 3 / 5 * 7 = 4200)
    std::mt19937_64 rng(3);
    std::vector<u64> inserted;
    for (int i = 0; i < 1000; ++i) {
        u64 v = rng();
        inserted.push_back(v);
        CHECK(err(map->sys_update(nullptr, &v, 0)) == 0);
    }
    u32 negatives = 0;
    for (u64 v : inserted)
        negatives += map->peek_elem(&v) != 0;
    CHECK(negatives == 0);
    u32 false_positives = 0;
    for (int i = 0; i < 1000; ++i) {
        u64 v = rng();
        false_positives += err(map->sys_lookup(nullptr, &v, 0)) == 0;
    }
    CHECK(false_positives < 300);
    u64 v = 1;
    CHECK(err(map->sys_update(nullptr, &v, BPF_EXIST)) == -EINVAL);
    CHECK(err(map->sys_delete(nullptr)) == -EOPNOTSUPP);
    CHECK(err(map->sys_get_next_key(nullptr, &v)) == -EOPNOTSUPP);
    CHECK(err(map->sys_lookup_and_delete(nullptr, &v, 0)) == -ENOTSUPP);
    CHECK(map->pop_elem(&v) == -EOPNOTSUPP);
}

TEST_CASE("stack trace: get_stackid storage, ids, reuse and syscall side", "[stacktrace]")
{
    ScopedEnvironment scope;
    CHECK(create_errno(attributes(BPF_MAP_TYPE_STACK_TRACE, 4, 12, 4)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_STACK_TRACE, 4, 8 * 128, 4)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_STACK_TRACE, 8, 8, 4)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_STACK_TRACE, 4, 8, 4, BPF_F_ZERO_SEED)) == -EINVAL);
    auto map = make_map(BPF_MAP_TYPE_STACK_TRACE, 4, 8 * 4, 4);
    REQUIRE(map);
    auto* stacks = static_cast<bpf::StackTraceMap*>(map.ptr());
    u64 a[3] = { 0x1000, 0x2000, 0x3000 };
    i64 id = stacks->store_stack(a, 3, 0);
    REQUIRE(id >= 0);
    CHECK(stacks->store_stack(a, 3, 0) == id); // same stack, same id
    u64 out[4] = { 9, 9, 9, 9 };
    u32 key = static_cast<u32>(id);
    CHECK(err(map->sys_lookup(&key, out, 0)) == 0);
    CHECK(out[2] == 0x3000);
    CHECK(out[3] == 0); // zero padded
    CHECK(err(map->sys_update(&key, out, 0)) == -EINVAL);
    u32 next = 0;
    CHECK(err(map->sys_get_next_key(nullptr, &next)) == 0);
    CHECK(next == key);
    CHECK(remove(*map, key) == 0);
    CHECK(remove(*map, key) == -ENOENT);
    CHECK(remove(*map, 4u) == -E2BIG);
    CHECK(lookup(*map, key, out) == -ENOENT);
    // Fill all four preallocated buckets, then collide.
    u32 stored = 0;
    for (u64 base = 1; stored < 64 && base < 10000; ++base) {
        u64 trace[1] = { base * 16 };
        i64 r = stacks->store_stack(trace, 1, 0);
        if (r == -EEXIST) {
            CHECK(stacks->store_stack(trace, 1, BPF_F_REUSE_STACKID) >= 0);
            break;
        }
        ++stored;
    }
    CHECK(stored <= 4);
}
