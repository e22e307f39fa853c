// PERF_EVENT_ARRAY, PROG_ARRAY, ARRAY_OF_MAPS, HASH_OF_MAPS: fd resolution, reference
// counting, template compatibility, ids, and the perf output / read paths.
#include "TestEnvironment.h"
#include "bpf/isa/Assembler.h"
#include "bpf/isa/Decoder.h"
#include "bpf/isa/Program.h"
#include "bpf/maps/PerfEventArrayMap.h"
#include "bpf/maps/ProgArrayMap.h"
#include <catch2/catch.hpp>

using namespace test;

namespace {
RefPtr<bpf::Program> tiny_program()
{
    auto raw = bpf::isa::assemble(StringView("mov r0, 1\nexit\n"));
    REQUIRE(!raw.is_error());
    auto decoded = bpf::isa::decode(raw.value().span());
    REQUIRE(!decoded.is_error());
    bpf::isa::ExecutionEnvironment env;
    return MUST(bpf::Program::try_create(decoded.release_value(), env));
}
}

TEST_CASE("perf event array: fd slots, errors and output routing", "[fd][perf]")
{
    ScopedEnvironment scope;
    FakeResolver resolver;
    auto event0 = adopt_ref_or_enomem(new FakePerfEvent).release_value();
    auto event1 = adopt_ref_or_enomem(new FakePerfEvent).release_value();
    event1->cpu = 1;
    resolver.events[10] = event0;
    resolver.events[11] = event1;
    CHECK(create_errno(attributes(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 8, 2)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, BPF_F_RDONLY_PROG)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, BPF_F_PRESERVE_ELEMS)) == 0);
    auto map = make_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2);
    u32 key = 0, fd = 10;
    CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == 0);
    CHECK(event0->ref_count() == 3);
    key = 1, fd = 11;
    CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == 0);
    CHECK(err(map->sys_update(&key, &fd, BPF_NOEXIST, &resolver)) == -EINVAL);
    key = 2;
    CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == -E2BIG);
    key = 1, fd = 99;
    CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == -EBADF);
    u32 out;
    CHECK(err(map->sys_lookup(&key, &out, 0)) == -ENOTSUPP);
    auto* perf = static_cast<bpf::PerfEventArrayMap*>(map.ptr());
    u8 data[3] = { 1, 2, 3 };
    CHECK(perf->output(0, BPF_F_CURRENT_CPU, data, 3) == 0);
    CHECK(event0->records.size() == 1);
    CHECK(perf->output(0, 1, data, 3) == -EOPNOTSUPP); // event 1 is on CPU 1
    scope.env.cpu = 1;
    CHECK(perf->output(0, BPF_F_CURRENT_CPU, data, 2) == 0);
    CHECK(event1->records.at(0).size() == 2);
    CHECK(perf->output(0, 5, data, 3) == -E2BIG);
    CHECK(perf->output(0, 1ull << 40, data, 3) == -EINVAL);
    event1->bpf_output = false;
    CHECK(perf->output(0, 1, data, 3) == -EINVAL);
    bpf_perf_event_value value {};
    CHECK(perf->read_value(0, &value) == 0);
    CHECK(value.enabled == 6);
    key = 0;
    CHECK(remove(*map, key) == 0);
    CHECK(remove(*map, key) == -ENOENT);
    CHECK(perf->output(0, 0, data, 3) == -ENOENT);
    CHECK(event0->ref_count() == 2);
    event0->read_result = -EOPNOTSUPP;
    fd = 10;
    CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == -EOPNOTSUPP);
    map = nullptr;
    CHECK(event1->ref_count() == 2); // slots released with the map
}

TEST_CASE("perf event array: releasing a map file drops the entries stored through it", "[fd][perf]")
{
    ScopedEnvironment scope;
    FakeResolver resolver;
    auto event = adopt_ref_or_enomem(new FakePerfEvent).release_value();
    resolver.events[10] = event;
    int file_a = 0, file_b = 0;
    u8 data[1] = { 7 };
    for (u32 flags : { 0u, static_cast<u32>(BPF_F_PRESERVE_ELEMS) }) {
        auto map = make_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 3, flags);
        auto* perf = static_cast<bpf::PerfEventArrayMap*>(map.ptr());
        u32 key = 0, fd = 10;
        resolver.map_file = &file_a;
        CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == 0);
        key = 2;
        CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == 0);
        key = 1;
        resolver.map_file = &file_b;
        CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == 0);
        CHECK(event->ref_count() == 5);
        map->release_file(&file_b);
        bool preserve = flags & BPF_F_PRESERVE_ELEMS;
        CHECK(perf->output(0, 1, data, 1) == (preserve ? 0 : -ENOENT));
        CHECK(perf->output(0, 0, data, 1) == 0);
        CHECK(event->ref_count() == (preserve ? 5 : 4));
        // Slot 2 is re-stored through file b, so file a no longer owns it.
        key = 2;
        CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == 0);
        map->release_file(&file_a);
        CHECK(perf->output(0, 0, data, 1) == (preserve ? 0 : -ENOENT));
        CHECK(perf->output(0, 2, data, 1) == 0);
        CHECK(event->ref_count() == (preserve ? 5 : 3));
        // A deleted entry is forgotten: releasing its file later drops nothing else.
        CHECK(remove(*map, key) == 0);
        map->release_file(&file_b);
        CHECK(event->ref_count() == (preserve ? 4 : 2));
        map = nullptr;
        CHECK(event->ref_count() == 2);
    }
    resolver.map_file = nullptr;
}

TEST_CASE("prog array: program slots, ids and the tail-call hook", "[fd][prog]")
{
    ScopedEnvironment scope;
    FakeResolver resolver;
    auto program = tiny_program();
    resolver.programs[20] = program;
    resolver.program_ids[program.ptr()] = 77;
    auto map = make_map(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4);
    REQUIRE(map);
    CHECK(bpf::tail_call_lookup != nullptr);
    u32 key = 2, fd = 20, id = 0;
    CHECK(lookup(*map, key, id) == -ENOENT);
    CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == 0);
    CHECK(lookup(*map, key, id) == 0);
    CHECK(id == 77);
    CHECK(bpf::tail_call_lookup(reinterpret_cast<u64>(map.ptr()), 2) == program.ptr());
    CHECK(bpf::tail_call_lookup(reinterpret_cast<u64>(map.ptr()), 3) == nullptr);
    CHECK(bpf::tail_call_lookup(reinterpret_cast<u64>(map.ptr()), 1000) == nullptr);
    fd = 21;
    CHECK(err(map->sys_update(&key, &fd, 0, &resolver)) == -EBADF);
    CHECK(program->ref_count() == 3);
    CHECK(remove(*map, key) == 0);
    CHECK(program->ref_count() == 2);
    CHECK(bpf::tail_call_lookup(reinterpret_cast<u64>(map.ptr()), 2) == nullptr);
    CHECK(remove(*map, 9u) == -E2BIG);
    u32 next;
    CHECK(err(map->sys_get_next_key(nullptr, &next)) == 0);
    CHECK(next == 0);
}

TEST_CASE("array/hash of maps: template, compatibility, ids and references", "[fd][inner]")
{
    ScopedEnvironment scope;
    FakeResolver resolver;
    auto inner_a = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 4);
    auto inner_b = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 8);
    auto inner_flex = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP);
    auto inner_flex2 = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 16, BPF_F_INNER_MAP);
    inner_a->set_id(5);
    inner_flex2->set_id(6);
    resolver.maps[1] = inner_a;
    resolver.maps[2] = inner_b;
    resolver.maps[3] = inner_flex;
    resolver.maps[4] = inner_flex2;
    auto outer_attrs = attributes(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4);
    outer_attrs.inner_map_fd = 1;
    auto outer = MUST(bpf::create_map(outer_attrs, &resolver));
    resolver.maps[9] = outer;
    outer_attrs.inner_map_fd = 9;
    CHECK(create_errno(outer_attrs, &resolver) == -EINVAL); // no nesting beyond one level
    outer_attrs.inner_map_fd = 42;
    CHECK(create_errno(outer_attrs, &resolver) == -EBADF);
    u32 key = 0, fd = 2, id = 0;
    CHECK(err(outer->sys_update(&key, &fd, 0, &resolver)) == -EINVAL); // max_entries differ
    fd = 1;
    CHECK(err(outer->sys_update(&key, &fd, 0, &resolver)) == 0);
    CHECK(lookup(*outer, key, id) == 0);
    CHECK(id == 5);
    CHECK(outer->lookup_elem(&key) == inner_a.ptr());
    // BPF_F_INNER_MAP templates accept any max_entries.
    auto flex_attrs = attributes(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, BPF_F_ZERO_SEED);
    flex_attrs.inner_map_fd = 3;
    auto flex = MUST(bpf::create_map(flex_attrs, &resolver));
    fd = 4;
    CHECK(err(flex->sys_update(&key, &fd, BPF_NOEXIST, &resolver)) == 0);
    CHECK(err(flex->sys_update(&key, &fd, BPF_NOEXIST, &resolver)) == -EEXIST);
    CHECK(inner_flex2->ref_count() == 3);
    CHECK(lookup(*flex, key, id) == 0);
    CHECK(id == 6);
    CHECK(flex->lookup_elem(&key) == inner_flex2.ptr());
    fd = 1;
    CHECK(err(flex->sys_update(&key, &fd, 0, &resolver)) == -EINVAL);
    CHECK(err(flex->sys_lookup_and_delete(&key, &id, 0)) == -ENOTSUPP);
    CHECK(remove(*flex, key) == 0);
    CHECK(inner_flex2->ref_count() == 2);
    CHECK(flex->update_elem(&key, &fd, 0) == -EOPNOTSUPP);
}
