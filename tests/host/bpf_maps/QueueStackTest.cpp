// QUEUE and STACK: push/pop/peek order, full and empty maps, BPF_EXIST overwrite, errors.
#include "TestEnvironment.h"
#include <catch2/catch.hpp>

using namespace test;

TEST_CASE("queue/stack: create validation", "[queue]")
{
    ScopedEnvironment scope;
    CHECK(create_errno(attributes(BPF_MAP_TYPE_QUEUE, 0, 4, 1)) == 0);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_QUEUE, 4, 4, 1)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_STACK, 0, 0, 1)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_STACK, 0, 4, 0)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_STACK, 0, 4, 1, BPF_F_NO_PREALLOC)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_QUEUE, 0, 4194305, 1)) == -E2BIG);
}

TEST_CASE("queue: FIFO order, full, empty and overwrite with BPF_EXIST", "[queue]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_QUEUE, 0, 4, 3);
    u32 v;
    CHECK(err(map->sys_lookup(nullptr, &v, 0)) == -ENOENT); // peek on empty
    for (u32 i = 1; i <= 3; ++i)
        CHECK(err(map->sys_update(nullptr, &i, 0)) == 0);
    u32 four = 4;
    CHECK(err(map->sys_update(nullptr, &four, 0)) == -E2BIG);
    CHECK(err(map->sys_update(nullptr, &four, BPF_NOEXIST)) == -EINVAL);
    CHECK(err(map->sys_update(nullptr, &four, 4)) == -EINVAL);
    CHECK(err(map->sys_update(nullptr, &four, BPF_EXIST)) == 0); // drops 1
    CHECK(err(map->sys_lookup(nullptr, &v, 0)) == 0);
    CHECK(v == 2);
    std::vector<u32> popped;
    while (map->pop_elem(&v) == 0)
        popped.push_back(v);
    CHECK(popped == std::vector<u32> { 2, 3, 4 });
    v = 77;
    CHECK(map->peek_elem(&v) == -ENOENT);
    CHECK(v == 0); // Linux zeroes the value on -ENOENT
    CHECK(err(map->sys_lookup_and_delete(nullptr, &v, 0)) == -ENOENT);
    CHECK(err(map->sys_lookup_and_delete(nullptr, &v, BPF_F_LOCK)) == -EINVAL);
    CHECK(err(map->sys_delete(nullptr)) == -EINVAL);
    CHECK(err(map->sys_get_next_key(nullptr, &v)) == -EINVAL);
    CHECK(map->push_elem(&four, BPF_ANY) == 0);
    CHECK(err(map->sys_freeze()) == 0);
    CHECK(err(map->sys_lookup_and_delete(nullptr, &v, 0)) == -EPERM);
    CHECK(map->pop_elem(&v) == 0);
    CHECK(v == 4);
}

TEST_CASE("stack: LIFO order and overwrite of the oldest element", "[stack]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_STACK, 0, 8, 2);
    u64 a = 1, b = 2, c = 3, v = 0;
    CHECK(map->push_elem(&a, 0) == 0);
    CHECK(map->push_elem(&b, 0) == 0);
    CHECK(map->push_elem(&c, 0) == -E2BIG);
    CHECK(map->push_elem(&c, BPF_EXIST) == 0); // the oldest (1) goes
    CHECK(map->peek_elem(&v) == 0);
    CHECK(v == 3);
    CHECK(map->pop_elem(&v) == 0);
    CHECK(v == 3);
    CHECK(map->pop_elem(&v) == 0);
    CHECK(v == 2);
    CHECK(map->pop_elem(&v) == -ENOENT);
    CHECK(map->lookup_elem(nullptr) == nullptr);
    CHECK(map->update_elem(nullptr, &a, 0) == -EINVAL);
}
