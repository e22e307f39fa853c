// perf_event_attr intake: Linux's size rules (VER0 minimum, zero tail up to a page, E2BIG),
// EFAULT from the source, reserved bits, the copy checks, and which attributes this kernel
// honours or refuses. Expectations were checked against Linux 6.18 on the build host.
#include "perf/PerfAttr.h"
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

using namespace perf;

namespace {

// User memory: `readable` bytes of `bytes`; reads past them fault.
struct MemorySource final : AttrSource {
    std::vector<u8> bytes;
    usize readable;
    explicit MemorySource(usize size)
        : bytes(size, 0)
        , readable(size)
    {
    }
    perf_event_attr& attr() { return *reinterpret_cast<perf_event_attr*>(bytes.data()); }
    ErrorOr<void> read(u64 offset, void* destination, usize size) override
    {
        if (offset + size > readable)
            return Error(EFAULT);
        memcpy(destination, bytes.data() + offset, size);
        return {};
    }
};

MemorySource clock_attr(u32 size, usize buffer = 8192)
{
    MemorySource source(buffer);
    source.attr().type = PERF_TYPE_SOFTWARE;
    source.attr().config = PERF_COUNT_SW_CPU_CLOCK;
    source.attr().size = size;
    return source;
}

int error_of(ErrorOr<perf_event_attr> const& result) { return result.is_error() ? result.error().code() : 0; }

}

TEST_CASE("attr size: 0 means VER0, VER0..page accepted with a zero tail", "[perf][attr]")
{
    for (u32 size : { 0u, 64u, 65u, 72u, 120u, 128u, 136u, 200u, 4096u }) {
        auto source = clock_attr(size);
        auto result = copy_attr(source);
        INFO("size " << size);
        REQUIRE(!result.is_error());
        CHECK(result.value().size == (size ? size : 64));
        CHECK(result.value().config == PERF_COUNT_SW_CPU_CLOCK);
    }
}

TEST_CASE("attr size: below VER0, above a page or a non-zero tail is E2BIG", "[perf][attr]")
{
    for (u32 size : { 1u, 32u, 63u, 4097u, 100000u }) {
        auto source = clock_attr(size, 200000);
        CHECK(error_of(copy_attr(source)) == E2BIG);
    }
    auto source = clock_attr(300);
    source.bytes[299] = 1;
    CHECK(error_of(copy_attr(source)) == E2BIG);
    auto just_past = clock_attr(supported_attr_size + 8);
    just_past.bytes[supported_attr_size] = 0x80;
    CHECK(error_of(copy_attr(just_past)) == E2BIG);
}

TEST_CASE("attr size: a short struct reads only its own bytes", "[perf][attr]")
{
    auto source = clock_attr(64);
    // Garbage after the first 64 bytes is not part of a VER0 attr.
    memset(source.bytes.data() + 64, 0xff, 64);
    auto result = copy_attr(source);
    REQUIRE(!result.is_error());
    CHECK(result.value().config1 == 0);
    CHECK(result.value().sample_max_stack == default_max_stack);
}

TEST_CASE("attr: unreadable memory is EFAULT", "[perf][attr]")
{
    auto source = clock_attr(128);
    source.readable = 4;
    CHECK(error_of(copy_attr(source)) == EFAULT);
    source.readable = 100; // size readable, body not
    CHECK(error_of(copy_attr(source)) == EFAULT);
    auto tail = clock_attr(1024);
    tail.readable = 512; // zero-tail check faults
    CHECK(error_of(copy_attr(tail)) == EFAULT);
}

TEST_CASE("attr: reserved bits and unknown sample/read bits are EINVAL", "[perf][attr]")
{
    auto a = clock_attr(128);
    a.attr().__reserved_1 = 1;
    CHECK(error_of(copy_attr(a)) == EINVAL);
    auto b = clock_attr(128);
    b.attr().__reserved_2 = 1;
    CHECK(error_of(copy_attr(b)) == EINVAL);
    auto c = clock_attr(128);
    c.attr().__reserved_3 = 1;
    CHECK(error_of(copy_attr(c)) == EINVAL);
    auto d = clock_attr(128);
    d.attr().sample_type = PERF_SAMPLE_MAX;
    CHECK(error_of(copy_attr(d)) == EINVAL);
    auto e = clock_attr(128);
    e.attr().read_format = PERF_FORMAT_MAX;
    CHECK(error_of(copy_attr(e)) == EINVAL);
}

TEST_CASE("attr: Linux's copy checks", "[perf][attr]")
{
    auto inherit_thread = clock_attr(128);
    inherit_thread.attr().inherit_thread = 1;
    CHECK(error_of(copy_attr(inherit_thread)) == EINVAL);
    auto sigtrap = clock_attr(128);
    sigtrap.attr().sigtrap = 1;
    CHECK(error_of(copy_attr(sigtrap)) == EINVAL);
    auto regs = clock_attr(128);
    regs.attr().sample_type = PERF_SAMPLE_REGS_USER;
    CHECK(error_of(copy_attr(regs)) == EINVAL);
    regs.attr().sample_regs_user = 1;
    CHECK(error_of(copy_attr(regs)) == 0);
    auto stack = clock_attr(128);
    stack.attr().sample_type = PERF_SAMPLE_STACK_USER;
    stack.attr().sample_stack_user = 7;
    CHECK(error_of(copy_attr(stack)) == EINVAL);
    auto weight = clock_attr(128);
    weight.attr().sample_type = PERF_SAMPLE_WEIGHT | PERF_SAMPLE_WEIGHT_STRUCT;
    CHECK(error_of(copy_attr(weight)) == EINVAL);
}

TEST_CASE("attr support: honoured and harmless attributes pass", "[perf][attr]")
{
    auto source = clock_attr(128);
    auto& attr = source.attr();
    attr.disabled = attr.pinned = attr.exclusive = 1;
    attr.exclude_user = attr.exclude_kernel = attr.exclude_hv = attr.exclude_idle = 1;
    attr.exclude_host = attr.exclude_guest = attr.sample_id_all = attr.watermark = 1;
    attr.precise_ip = 3;
    attr.use_clockid = 1;
    attr.clockid = 1;
    attr.sample_type = supported_sample_type;
    attr.config1 = 5;
    attr.bp_type = 1;
    auto copied = copy_attr(source);
    REQUIRE(!copied.is_error());
    CHECK(!check_supported_attr(copied.value()).is_error());
}

TEST_CASE("attr support: refused attributes", "[perf][attr]")
{
    auto check = [](auto mutate) {
        auto source = clock_attr(128);
        mutate(source.attr());
        auto copied = copy_attr(source);
        REQUIRE(!copied.is_error());
        auto result = check_supported_attr(copied.value());
        return result.is_error() ? result.error().code() : 0;
    };
    CHECK(check([](perf_event_attr& a) { a.inherit = 1; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.mmap = 1; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.comm = 1; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.task = 1; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.enable_on_exec = 1; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.write_backward = 1; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.context_switch = 1; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.sample_type = PERF_SAMPLE_CALLCHAIN; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.sample_type = PERF_SAMPLE_AUX; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.aux_sample_size = 1; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.use_clockid = 1; a.clockid = 99; }) == EINVAL);
    CHECK(check([](perf_event_attr& a) { a.aux_output = 1; }) == EOPNOTSUPP);
    CHECK(check([](perf_event_attr& a) {
        a.sample_type = PERF_SAMPLE_BRANCH_STACK;
        a.branch_sample_type = PERF_SAMPLE_BRANCH_ANY;
    }) == EOPNOTSUPP);
}

TEST_CASE("read_format sizes", "[perf][attr]")
{
    CHECK(read_size(0) == 8);
    CHECK(read_size(PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID) == 32);
    CHECK(read_size(PERF_FORMAT_GROUP | PERF_FORMAT_ID | PERF_FORMAT_LOST | PERF_FORMAT_TOTAL_TIME_ENABLED) == 40);
}
