// BPF programs in our interpreter calling the map helpers: lookups in place, updates, per-CPU
// values, queues, ring buffers, bpf_loop and bpf_for_each_map_elem callbacks, and tail calls
// through PROG_ARRAY (including the 33-call limit).
#include "TestEnvironment.h"
#include "bpf/helpers/HelperProto.h"
#include "bpf/isa/Assembler.h"
#include "bpf/isa/Decoder.h"
#include "bpf/isa/Interpreter.h"
#include "bpf/isa/Program.h"
#include "bpf/maps/ProgArrayMap.h"
#include "bpf/maps/RingbufMap.h"
#include <catch2/catch.hpp>

using namespace test;

namespace {

struct MapTable {
    std::vector<bpf::Map*> maps;
    static ErrorOr<u64> resolve(void* context, u8 kind, u32 imm, u32 next_imm)
    {
        auto* table = static_cast<MapTable*>(context);
        if (imm >= table->maps.size())
            return Error(EBADF);
        u64 base = reinterpret_cast<u64>(table->maps[imm]);
        if (kind == BPF_PSEUDO_MAP_FD || kind == BPF_PSEUDO_MAP_IDX)
            return base;
        return Error(EINVAL);
        (void)next_imm;
    }
};

RefPtr<bpf::Program> load(char const* source, std::vector<bpf::Map*> maps = {})
{
    static MapTable table;
    table.maps = std::move(maps);
    auto raw = bpf::isa::assemble(StringView(source));
    REQUIRE(!raw.is_error());
    auto decoded = bpf::isa::decode(raw.value().span());
    REQUIRE(!decoded.is_error());
    bpf::isa::ExecutionEnvironment env;
    env.helpers = bpf::helper_table();
    env.helper_count = bpf::helper_table_size();
    bpf::isa::PseudoResolver resolver { MapTable::resolve, &table };
    bpf::isa::Diagnostic diag;
    auto program = bpf::Program::try_create(decoded.release_value(), env, &diag, &resolver);
    REQUIRE(!program.is_error());
    return program.release_value();
}

u64 run(bpf::Program const& program, u64 r1 = 0)
{
    bpf::isa::Arguments args;
    args.r1 = r1;
    auto result = bpf::isa::run(program, args);
    REQUIRE(!result.is_error());
    return result.value();
}

}

TEST_CASE("interpreter: a program counts into a hash map through lookup/update", "[interp]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_HASH, 4, 8, 16);
    // key = r1; if the value exists increment it in place, else insert 1.
    auto program = load(R"(
        stxw [%r10-4], %r1
        lddw %r1, map_fd(0)
        mov %r2, %r10
        add %r2, -4
        call 1
        jeq %r0, 0, insert
        ldxdw %r1, [%r0]
        add %r1, 1
        stxdw [%r0], %r1
        mov %r0, %r1
        exit
    insert:
        stdw [%r10-16], 1
        lddw %r1, map_fd(0)
        mov %r2, %r10
        add %r2, -4
        mov %r3, %r10
        add %r3, -16
        mov %r4, 0
        call 2
        exit
    )",
        { map.ptr() });
    CHECK(run(*program, 5) == 0);
    CHECK(run(*program, 5) == 2);
    CHECK(run(*program, 5) == 3);
    CHECK(run(*program, 6) == 0);
    u64 value = 0;
    CHECK(lookup(*map, 5u, value) == 0);
    CHECK(value == 3);
}

TEST_CASE("interpreter: per-CPU lookup sees the current CPU's slot", "[interp][percpu]")
{
    ScopedEnvironment scope;
    scope.env.cpus = 2;
    auto map = make_map(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1);
    u64 values[2] = { 10, 20 };
    u32 key = 0;
    REQUIRE(err(map->sys_update(&key, values, 0)) == 0);
    auto program = load(R"(
        stw [%r10-4], 0
        lddw %r1, map_fd(0)
        mov %r2, %r10
        add %r2, -4
        call 1
        jeq %r0, 0, miss
        ldxdw %r0, [%r0]
        exit
    miss:
        mov %r0, -1
        exit
    )",
        { map.ptr() });
    scope.env.cpu = 0;
    CHECK(run(*program) == 10);
    scope.env.cpu = 1;
    CHECK(run(*program) == 20);
    auto percpu = load(R"(
        stw [%r10-4], 0
        lddw %r1, map_fd(0)
        mov %r2, %r10
        add %r2, -4
        mov %r3, 0
        call 195
        ldxdw %r0, [%r0]
        exit
    )",
        { map.ptr() });
    CHECK(run(*percpu) == 10);
}

TEST_CASE("interpreter: queue push/pop and ring buffer output from programs", "[interp][queue][ringbuf]")
{
    ScopedEnvironment scope;
    auto queue = make_map(BPF_MAP_TYPE_QUEUE, 0, 8, 4);
    auto ring = make_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
    auto program = load(R"(
        stdw [%r10-8], 7
        lddw %r1, map_fd(0)
        mov %r2, %r10
        add %r2, -8
        mov %r3, 0
        call 87
        stdw [%r10-8], 0
        lddw %r1, map_fd(0)
        mov %r2, %r10
        add %r2, -8
        call 88
        jne %r0, 0, fail
        lddw %r1, map_fd(1)
        mov %r2, 16
        mov %r3, 0
        call 131
        jeq %r0, 0, fail
        ldxdw %r1, [%r10-8]
        stxdw [%r0], %r1
        stdw [%r0+8], 99
        mov %r1, %r0
        mov %r2, 0
        call 132
        lddw %r1, map_fd(1)
        mov %r2, 0
        call 134
        exit
    fail:
        mov %r0, -1
        exit
    )",
        { queue.ptr(), ring.ptr() });
    CHECK(run(*program) == 24); // one 16-byte record + 8-byte header available
    auto& rb = static_cast<bpf::RingbufMap&>(*ring);
    u64 first;
    std::memcpy(&first, rb.data() + 8, 8);
    CHECK(first == 7);
}

TEST_CASE("interpreter: bpf_loop and bpf_for_each_map_elem callbacks", "[interp][callbacks]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 5);
    for (u32 i = 0; i < 5; ++i)
        REQUIRE(update(*map, i, static_cast<u64>(i * 10)) == 0);
    // Sum all values with for_each; the callback stops after key 3 (returns 1).
    auto sum = load(R"(
        stdw [%r10-8], 0
        lddw %r1, map_fd(0)
        lddw %r2, func(callback)
        mov %r3, %r10
        add %r3, -8
        mov %r4, 0
        call 164
        ldxdw %r1, [%r10-8]
        lsh %r0, 32
        or %r0, %r1
        exit
    callback:
        ldxdw %r5, [%r3]
        ldxdw %r1, [%r4]
        add %r1, %r5
        stxdw [%r4], %r1
        ldxw %r2, [%r2]
        mov %r0, 0
        jne %r2, 3, keep_going
        mov %r0, 1
    keep_going:
        exit
    )",
        { map.ptr() });
    u64 result = run(*sum);
    CHECK((result >> 32) == 4);            // visited keys 0..3
    CHECK((result & 0xffffffff) == 60);    // 0 + 10 + 20 + 30
    auto loop = load(R"(
        stdw [%r10-8], 0
        mov %r1, 100
        lddw %r2, func(callback)
        mov %r3, %r10
        add %r3, -8
        mov %r4, 0
        call 181
        exit
    callback:
        mov %r0, 0
        jne %r1, 41, next
        mov %r0, 1
    next:
        exit
    )");
    CHECK(run(*loop) == 42);
    auto bad_loop = load(R"(
        mov %r1, 10
        lddw %r2, func(callback)
        mov %r3, 0
        mov %r4, 1
        call 181
        exit
    callback:
        mov %r0, 0
        exit
    )");
    CHECK(static_cast<i64>(run(*bad_loop)) == -EINVAL);
}

TEST_CASE("interpreter: tail calls through PROG_ARRAY, at most 33 deep", "[interp][prog]")
{
    ScopedEnvironment scope;
    auto jump_table = make_map(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2);
    auto* programs = static_cast<bpf::ProgArrayMap*>(jump_table.ptr());
    auto counter = make_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    // Slot 0: increments counter[0] and tail-calls slot 0 again (itself).
    auto self = load(R"(
        mov %r6, %r1
        stw [%r10-4], 0
        lddw %r1, map_fd(1)
        mov %r2, %r10
        add %r2, -4
        call 1
        ldxdw %r1, [%r0]
        add %r1, 1
        stxdw [%r0], %r1
        mov %r1, %r6
        lddw %r2, map_fd(0)
        mov %r3, 0
        call 12
        mov %r0, 7
        exit
    )",
        { jump_table.ptr(), counter.ptr() });
    // Slot 1: returns 99. The entry program tail-calls slot r1.
    auto answer = load("mov %r0, 99\nexit\n");
    auto entry = load(R"(
        mov %r3, %r1
        lddw %r2, map_fd(0)
        call 12
        mov %r0, 1
        exit
    )",
        { jump_table.ptr() });
    CHECK(run(*entry, 1) == 1); // empty slot: the call falls through
    REQUIRE(!programs->set_program(0, self.ptr()).is_error());
    REQUIRE(!programs->set_program(1, answer.ptr()).is_error());
    CHECK(run(*entry, 1) == 99);
    CHECK(run(*entry, 5) == 1); // out of range falls through
    CHECK(run(*entry, 0) == 7);
    u64 count = 0;
    CHECK(lookup(*counter, 0u, count) == 0);
    CHECK(count == 33); // entry's tail call + 32 more: Linux's MAX_TAIL_CALL_CNT = 33 calls
}
