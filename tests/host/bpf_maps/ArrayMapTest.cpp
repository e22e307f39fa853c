// ARRAY and PERCPU_ARRAY: every operation, flag, error path, boundary and the per-CPU layout.
#include "TestEnvironment.h"
#include "bpf/maps/ArrayMap.h"
#include <catch2/catch.hpp>

using namespace test;

TEST_CASE("array: create validation follows array_map_alloc_check", "[array]")
{
    ScopedEnvironment scope;
    CHECK(create_errno(attributes(BPF_MAP_TYPE_ARRAY, 4, 8, 1)) == 0);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_ARRAY, 4, 8, 0)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_ARRAY, 8, 8, 1)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_ARRAY, 4, 0, 1)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_NO_PREALLOC)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_RDONLY | BPF_F_WRONLY)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_PRESERVE_ELEMS)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 1)) == -EINVAL); // map_extra
    CHECK(create_errno(attributes(BPF_MAP_TYPE_ARRAY, 4, 0x80000000u, 1)) == -E2BIG);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32768, 1)) == 0);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32769, 1)) == -E2BIG);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, BPF_F_MMAPABLE)) == -EINVAL);
    auto numa = attributes(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, BPF_F_NUMA_NODE);
    CHECK(create_errno(numa) == -EINVAL);
    numa.map_type = BPF_MAP_TYPE_ARRAY;
    CHECK(create_errno(numa) == 0);
    numa.numa_node = 1;
    CHECK(create_errno(numa) == -EINVAL);
}

TEST_CASE("array: lookup, update flags, delete and get_next_key", "[array]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_ARRAY, 4, 12, 3);
    REQUIRE(map);
    struct V {
        u32 a, b, c;
    } v {}, out {};
    CHECK(lookup(*map, 0u, out) == 0);
    CHECK(out.a == 0);
    v = { 1, 2, 3 };
    CHECK(update(*map, 2u, v) == 0);
    CHECK(lookup(*map, 2u, out) == 0);
    CHECK(out.c == 3);
    CHECK(update(*map, 2u, v, BPF_EXIST) == 0);
    CHECK(update(*map, 2u, v, BPF_NOEXIST) == -EEXIST);
    CHECK(update(*map, 3u, v) == -E2BIG);
    CHECK(update(*map, 3u, v, BPF_NOEXIST) == -E2BIG);
    CHECK(update(*map, 1u, v, 3) == -EINVAL);
    CHECK(update(*map, 1u, v, BPF_F_LOCK) == -EINVAL);
    CHECK(lookup(*map, 3u, out) == -ENOENT);
    CHECK(remove(*map, 1u) == -EINVAL);
    CHECK(keys_of<u32>(*map) == std::vector<u32> { 0, 1, 2 });
    u32 next = 99, key = 7;
    CHECK(err(map->sys_get_next_key(&key, &next)) == 0);
    CHECK(next == 0);
    key = 2;
    CHECK(err(map->sys_get_next_key(&key, &next)) == -ENOENT);
    CHECK(err(map->sys_lookup_and_delete(&key, &out, 0)) == -ENOTSUPP);
    u64 bad_flags = 8;
    CHECK(err(map->sys_lookup(&key, &out, bad_flags)) == -EINVAL);
    CHECK(err(map->sys_lookup(&key, &out, BPF_F_LOCK)) == -EINVAL);
}

TEST_CASE("array: program-side lookup returns the element in place", "[array]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 4);
    u32 key = 1;
    auto* value = static_cast<u64*>(map->lookup_elem(&key));
    REQUIRE(value);
    *value = 42;
    u64 out = 0;
    CHECK(lookup(*map, 1u, out) == 0);
    CHECK(out == 42);
    key = 4;
    CHECK(map->lookup_elem(&key) == nullptr);
    u64 v = 5;
    key = 0;
    CHECK(map->update_elem(&key, &v, BPF_ANY) == 0);
    CHECK(map->update_elem(&key, &v, BPF_NOEXIST) == -EEXIST);
    CHECK(map->delete_elem(&key) == -EINVAL);
}

TEST_CASE("array: freeze and access flags", "[array]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 2);
    u64 v = 1;
    CHECK(err(map->sys_freeze()) == 0);
    CHECK(err(map->sys_freeze()) == -EPERM);
    CHECK(update(*map, 0u, v) == -EPERM);
    CHECK(lookup(*map, 0u, v) == 0);
    u32 key = 0;
    CHECK(map->update_elem(&key, &v, 0) == 0); // programs may still write
    auto rdonly = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 2, BPF_F_RDONLY);
    CHECK(update(*rdonly, 0u, v) == -EPERM);
    CHECK(lookup(*rdonly, 0u, v) == 0);
    CHECK(err(rdonly->sys_freeze()) == -EPERM);
    auto wronly = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 2, BPF_F_WRONLY);
    CHECK(lookup(*wronly, 0u, v) == -EPERM);
    CHECK(update(*wronly, 0u, v) == 0);
    u32 next;
    CHECK(err(wronly->sys_get_next_key(nullptr, &next)) == -EPERM);
    CHECK(lookup(*map, 0u, v) == 0);
    CHECK(err(map->sys_lookup(&key, &v, 0, bpf::FileAccess::WriteOnly)) == -EPERM);
}

TEST_CASE("array: mmapable arrays and freeze interplay", "[array]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1000, BPF_F_MMAPABLE);
    REQUIRE(map);
    CHECK(err(map->mmap_begin(0, 2, true, true)) == 0);
    CHECK(err(map->mmap_begin(0, 3, false, true)) == -EINVAL); // 8000 bytes = 2 pages
    CHECK(err(map->mmap_begin(0, 1, false, false)) == -EINVAL);
    CHECK(err(map->sys_freeze()) == -EBUSY);
    map->mmap_end(true);
    u32 key = 600;
    *static_cast<u64*>(map->lookup_elem(&key)) = 9;
    CHECK(*reinterpret_cast<u64*>(map->mmap_page(1) + (600 * 8 - 4096)) == 9);
    CHECK(err(map->sys_freeze()) == 0);
    CHECK(err(map->mmap_begin(0, 1, true, true)) == -EPERM);
    CHECK(err(map->mmap_begin(0, 1, false, true)) == 0);
    auto plain = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 2);
    CHECK(err(plain->mmap_begin(0, 1, false, true)) == -EINVAL);
    auto percpu = make_map(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2);
    CHECK(err(percpu->mmap_begin(0, 1, false, true)) == -ENOTSUPP);
    auto rdonly_prog = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 2, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG);
    CHECK(err(rdonly_prog->mmap_begin(0, 1, true, true)) == -EACCES);
}

TEST_CASE("percpu array: syscall layout is round_up(value, 8) per possible CPU", "[array][percpu]")
{
    ScopedEnvironment scope;
    scope.env.cpus = 3;
    auto map = make_map(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2);
    REQUIRE(map);
    CHECK(map->syscall_value_size() == 24);
    u64 values[3] = { 0x1111, 0x2222, 0x3333 };
    u32 key = 1;
    CHECK(err(map->sys_update(&key, values, 0)) == 0);
    scope.env.cpu = 2;
    CHECK(*static_cast<u32*>(map->lookup_elem(&key)) == 0x3333);
    CHECK(*static_cast<u32*>(map->lookup_percpu_elem(&key, 0)) == 0x1111);
    CHECK(map->lookup_percpu_elem(&key, 3) == nullptr);
    u32 v = 0x4444;
    CHECK(map->update_elem(&key, &v, 0) == 0);
    u64 out[3] = {};
    CHECK(err(map->sys_lookup(&key, out, 0)) == 0);
    CHECK(out[0] == 0x1111);
    CHECK(out[2] == 0x4444);
    CHECK(err(map->sys_update(&key, values, BPF_NOEXIST)) == -EEXIST);
    CHECK(err(map->sys_update(&key, values, BPF_F_LOCK)) == -EINVAL);
    key = 2;
    CHECK(err(map->sys_update(&key, values, 0)) == -E2BIG);
    CHECK(err(map->sys_lookup(&key, out, 0)) == -ENOENT);
}

TEST_CASE("array: batch lookup and update use the generic batch semantics", "[array][batch]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 5);
    u32 keys[5] = { 0, 1, 2, 3, 4 };
    u64 values[5] = { 10, 11, 12, 13, 14 };
    bpf::MemoryBatchIo io;
    io.keys = keys;
    io.values = values;
    io.count = 5;
    CHECK(err(map->sys_batch(bpf::BatchCommand::Update, io)) == 0);
    CHECK(io.out_count == 5);
    u32 out_keys[5] = {};
    u64 out_values[5] = {};
    u32 out_batch = 0;
    bpf::MemoryBatchIo read;
    read.keys = out_keys;
    read.values = out_values;
    read.out_batch = &out_batch;
    read.count = 3;
    CHECK(err(map->sys_batch(bpf::BatchCommand::Lookup, read)) == 0);
    CHECK(read.out_count == 3);
    CHECK(out_batch == 2);
    CHECK(out_values[2] == 12);
    read.in_batch = &out_batch;
    read.count = 3;
    u32 second_out = 0;
    read.out_batch = &second_out;
    CHECK(err(map->sys_batch(bpf::BatchCommand::Lookup, read)) == -ENOENT);
    CHECK(read.out_count == 2);
    CHECK(out_keys[0] == 3);
    CHECK(out_values[1] == 14);
    CHECK(err(map->sys_batch(bpf::BatchCommand::Delete, read)) == -ENOTSUPP);
    CHECK(err(map->sys_batch(bpf::BatchCommand::LookupAndDelete, read)) == -ENOTSUPP);
    read.elem_flags = 2;
    CHECK(err(map->sys_batch(bpf::BatchCommand::Lookup, read)) == -EINVAL);
    u32 bad_key = 9;
    bpf::MemoryBatchIo bad;
    bad.keys = &bad_key;
    bad.values = values;
    bad.count = 1;
    CHECK(err(map->sys_batch(bpf::BatchCommand::Update, bad)) == -E2BIG);
    CHECK(bad.out_count == 0);
}
