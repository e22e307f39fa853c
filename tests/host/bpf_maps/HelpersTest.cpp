// Helper table (Linux ids, prototypes, program types, GPL rules), bprintf format rules,
// and the helpers that reach kernel services through the HelperEnvironment.
#include "TestEnvironment.h"
#include "bpf/helpers/Bprintf.h"
#include "bpf/helpers/HelperProto.h"
#include "bpf/helpers/Helpers.h"
#include "bpf/maps/StackTraceMap.h"
#include <catch2/catch.hpp>
#include <string>

using namespace test;
namespace h = bpf::helpers;

namespace {
u64 addr(void const* p) { return reinterpret_cast<u64>(p); }
i64 as_errno(u64 v) { return static_cast<i64>(v); }
std::string format(char const* fmt, std::vector<u64> args, i64* rc = nullptr)
{
    char out[256];
    i64 r = bpf::bprintf(fmt, static_cast<u32>(std::strlen(fmt) + 1), args.data(), static_cast<u32>(args.size()), out, sizeof(out));
    if (rc)
        *rc = r;
    return r < 0 ? std::string("<") + std::to_string(r) + ">" : std::string(out);
}
}

TEST_CASE("helpers: every required helper exists with its Linux id and prototype", "[helpers]")
{
    struct Expected {
        u32 id;
        char const* name;
        u32 ret;
        bool gpl;
    };
    Expected const expected[] = {
        { 1, "map_lookup_elem", bpf::RET_PTR_TO_MAP_VALUE_OR_NULL, false },
        { 2, "map_update_elem", bpf::RET_INTEGER, false },
        { 3, "map_delete_elem", bpf::RET_INTEGER, false },
        { 4, "probe_read", bpf::RET_INTEGER, true },
        { 5, "ktime_get_ns", bpf::RET_INTEGER, false },
        { 6, "trace_printk", bpf::RET_INTEGER, true },
        { 7, "get_prandom_u32", bpf::RET_INTEGER, false },
        { 8, "get_smp_processor_id", bpf::RET_INTEGER, false },
        { 12, "tail_call", bpf::RET_VOID, false },
        { 14, "get_current_pid_tgid", bpf::RET_INTEGER, false },
        { 15, "get_current_uid_gid", bpf::RET_INTEGER, false },
        { 16, "get_current_comm", bpf::RET_INTEGER, false },
        { 25, "perf_event_output", bpf::RET_INTEGER, true },
        { 27, "get_stackid", bpf::RET_INTEGER, true },
        { 35, "get_current_task", bpf::RET_INTEGER, true },
        { 42, "get_numa_node_id", bpf::RET_INTEGER, false },
        { 45, "probe_read_str", bpf::RET_INTEGER, true },
        { 55, "perf_event_read_value", bpf::RET_INTEGER, true },
        { 56, "perf_prog_read_value", bpf::RET_INTEGER, true },
        { 67, "get_stack", bpf::RET_INTEGER, true },
        { 87, "map_push_elem", bpf::RET_INTEGER, false },
        { 88, "map_pop_elem", bpf::RET_INTEGER, false },
        { 89, "map_peek_elem", bpf::RET_INTEGER, false },
        { 109, "send_signal", bpf::RET_INTEGER, false },
        { 112, "probe_read_user", bpf::RET_INTEGER, true },
        { 113, "probe_read_kernel", bpf::RET_INTEGER, true },
        { 114, "probe_read_user_str", bpf::RET_INTEGER, true },
        { 115, "probe_read_kernel_str", bpf::RET_INTEGER, true },
        { 118, "jiffies64", bpf::RET_INTEGER, false },
        { 120, "get_ns_current_pid_tgid", bpf::RET_INTEGER, false },
        { 125, "ktime_get_boot_ns", bpf::RET_INTEGER, false },
        { 130, "ringbuf_output", bpf::RET_INTEGER, false },
        { 131, "ringbuf_reserve", bpf::RET_PTR_TO_RINGBUF_MEM_OR_NULL, false },
        { 132, "ringbuf_submit", bpf::RET_VOID, false },
        { 133, "ringbuf_discard", bpf::RET_VOID, false },
        { 134, "ringbuf_query", bpf::RET_INTEGER, false },
        { 148, "copy_from_user", bpf::RET_INTEGER, false },
        { 160, "ktime_get_coarse_ns", bpf::RET_INTEGER, false },
        { 164, "for_each_map_elem", bpf::RET_INTEGER, false },
        { 165, "snprintf", bpf::RET_INTEGER, true },
        { 173, "get_func_ip", bpf::RET_INTEGER, false },
        { 174, "get_attach_cookie", bpf::RET_INTEGER, false },
        { 177, "trace_vprintk", bpf::RET_INTEGER, true },
        { 181, "loop", bpf::RET_INTEGER, false },
        { 182, "strncmp", bpf::RET_INTEGER, false },
        { 195, "map_lookup_percpu_elem", bpf::RET_PTR_TO_MAP_VALUE_OR_NULL, false },
    };
    for (auto const& e : expected) {
        INFO(e.name);
        auto const* proto = bpf::helper_proto(e.id);
        REQUIRE(proto);
        CHECK(std::string(proto->name) == e.name);
        CHECK(proto->ret_type == e.ret);
        CHECK(proto->gpl_only == e.gpl);
        CHECK((proto->function != nullptr) == (e.id != BPF_FUNC_tail_call));
        CHECK(bpf::helper_table()[e.id] == proto->function);
    }
    CHECK(bpf::helper_proto(0) == nullptr);
    CHECK(bpf::helper_proto(100000) == nullptr);
    auto const* lookup = bpf::helper_proto(BPF_FUNC_map_lookup_elem);
    CHECK(lookup->arg_type[0] == bpf::ARG_CONST_MAP_PTR);
    CHECK(lookup->arg_type[1] == bpf::ARG_PTR_TO_MAP_KEY);
    CHECK(bpf::helper_proto(BPF_FUNC_probe_read_kernel)->arg_type[0] == bpf::ARG_PTR_TO_UNINIT_MEM);
    CHECK(bpf::helper_proto(BPF_FUNC_probe_read_kernel)->arg_type[1] == bpf::ARG_CONST_SIZE_OR_ZERO);
    CHECK(bpf::helper_table_size() > 195);
}

TEST_CASE("helpers: program types and GPL rules are data", "[helpers]")
{
    CHECK(bpf::helper_allowed(BPF_FUNC_map_lookup_elem, BPF_PROG_TYPE_SOCKET_FILTER, false));
    CHECK(bpf::helper_allowed(BPF_FUNC_trace_printk, BPF_PROG_TYPE_KPROBE, true));
    CHECK_FALSE(bpf::helper_allowed(BPF_FUNC_trace_printk, BPF_PROG_TYPE_KPROBE, false));
    CHECK_FALSE(bpf::helper_allowed(BPF_FUNC_trace_printk, BPF_PROG_TYPE_KPROBE, true, false));
    CHECK_FALSE(bpf::helper_allowed(BPF_FUNC_probe_read_kernel, BPF_PROG_TYPE_TRACEPOINT, false));
    CHECK(bpf::helper_allowed(BPF_FUNC_get_current_pid_tgid, BPF_PROG_TYPE_TRACEPOINT, false));
    CHECK_FALSE(bpf::helper_allowed(BPF_FUNC_get_current_pid_tgid, BPF_PROG_TYPE_SOCKET_FILTER, true));
    CHECK_FALSE(bpf::helper_allowed(BPF_FUNC_get_stackid, BPF_PROG_TYPE_XDP, true));
    CHECK(bpf::helper_allowed(BPF_FUNC_get_func_ip, BPF_PROG_TYPE_KPROBE, false));
    CHECK_FALSE(bpf::helper_allowed(BPF_FUNC_get_func_ip, BPF_PROG_TYPE_TRACEPOINT, false));
    CHECK(bpf::helper_allowed(BPF_FUNC_perf_prog_read_value, BPF_PROG_TYPE_PERF_EVENT, true));
    CHECK_FALSE(bpf::helper_allowed(BPF_FUNC_perf_prog_read_value, BPF_PROG_TYPE_PERF_EVENT, false));
    CHECK_FALSE(bpf::helper_allowed(BPF_FUNC_perf_prog_read_value, BPF_PROG_TYPE_KPROBE, true));
    CHECK(bpf::helper_proto(BPF_FUNC_perf_prog_read_value)->arg_type[0] == bpf::ARG_PTR_TO_CTX);
    CHECK(bpf::helper_proto(BPF_FUNC_perf_prog_read_value)->arg_type[2] == bpf::ARG_CONST_SIZE);
    CHECK(bpf::helper_proto(BPF_FUNC_copy_from_user)->sleepable_only);
    CHECK_FALSE(bpf::helper_allowed(9999, BPF_PROG_TYPE_KPROBE, true));
}

TEST_CASE("bprintf: conversions Linux accepts", "[helpers][bprintf]")
{
    ScopedEnvironment scope;
    CHECK(format("plain", {}) == "plain");
    CHECK(format("100%%", {}) == "100%");
    CHECK(format("%d %i %u", { static_cast<u64>(-5), 7, 0xffffffffu }) == "-5 7 4294967295");
    CHECK(format("%x %X", { 255, 255 }) == "ff FF");
    CHECK(format("%ld %lu %lx", { static_cast<u64>(-1), 1ull << 40, 0xabcull }) == "-1 1099511627776 abc");
    CHECK(format("%lld %llu %llx", { static_cast<u64>(-2), 5, 0x10 }) == "-2 5 10");
    CHECK(format("%d", { 0x1ffffffffull }) == "-1"); // int conversions take the low 32 bits
    CHECK(format("%5d|%-5d|%05d|%+d", { 42, 42, 42, 42 }) == "   42|42   |00042|+42");
    CHECK(format("%c%c", { 'o', 'k' }) == "ok");
    char const* text = "kernel";
    scope.env.allow(text, 7);
    CHECK(format("[%s]", { addr(text) }) == "[kernel]");
    CHECK(format("[%8s]", { addr(text) }) == "[  kernel]");
    CHECK(format("[%s]", { 0x10 }) == "[]"); // faulting reads print nothing
    CHECK(format("%pks %pus", { addr(text), addr(text) }) == "kernel kernel");
    CHECK(format("%px", { 0xffff888012345678ull }) == "ffff888012345678");
    CHECK(format("%pK.", { 0x1234 }) == "0000000000001234.");
    u8 ip4[4] = { 192, 168, 1, 2 };
    scope.env.allow(ip4, 4);
    CHECK(format("%pI4", { addr(ip4) }) == "192.168.1.2");
    CHECK(format("%pi4", { addr(ip4) }) == "192.168.001.002");
    u8 ip6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
    ip6[15] = 1;
    scope.env.allow(ip6, 16);
    CHECK(format("%pI6", { addr(ip6) }) == "2001:0db8:0000:0000:0000:0000:0000:0001");
    CHECK(format("%pi6", { addr(ip6) }) == "20010db8000000000000000000000001");
}

TEST_CASE("bprintf: formats Linux rejects with -EINVAL", "[helpers][bprintf]")
{
    ScopedEnvironment scope;
    i64 rc = 0;
    for (char const* bad : { "%", "%5.2d", "%lc", "%llc", "%q", "%hd", "%lllx", "%pZ", "%pI5", "%sx", "%--------", "\x01", "\x80", "%lf" }) {
        INFO(bad);
        format(bad, { 1, 2, 3 }, &rc);
        CHECK(rc == -EINVAL);
    }
    format("%d %d %d %d", { 1, 2, 3 }, &rc); // more conversions than arguments
    CHECK(rc == -EINVAL);
    char unterminated[3] = { 'a', 'b', 'c' };
    u64 args[1] = {};
    CHECK(bpf::bprintf(unterminated, 3, args, 0, nullptr, 0) == -EINVAL);
    // Strings fill the 512-byte argument buffer: -ENOSPC once it overflows.
    std::string long_text(400, 'x');
    scope.env.allow(long_text.c_str(), 401);
    std::vector<u64> many(12, addr(long_text.c_str()));
    format("%s%s%s", many, &rc);
    CHECK(rc == -ENOSPC);
}

TEST_CASE("helpers: trace_printk, trace_vprintk and snprintf", "[helpers][bprintf]")
{
    ScopedEnvironment scope;
    char const fmt[] = "pid %d comm %s\n";
    char const comm[] = "cat";
    scope.env.allow(comm, sizeof(comm));
    i64 rc = as_errno(h::trace_printk(addr(fmt), sizeof(fmt), 42, addr(comm), 0));
    CHECK(rc == 16);
    CHECK(scope.env.trace == "pid 42 comm cat\n");
    char const four[] = "%d %d %d %d";
    CHECK(as_errno(h::trace_printk(addr(four), sizeof(four), 1, 2, 3)) == -EINVAL);
    u64 args[4] = { 1, 2, 3, 4 };
    scope.env.trace.clear();
    CHECK(as_errno(h::trace_vprintk(addr(four), sizeof(four), addr(args), 32, 0)) == 7);
    CHECK(scope.env.trace == "1 2 3 4");
    CHECK(as_errno(h::trace_vprintk(addr(four), sizeof(four), addr(args), 12, 0)) == -EINVAL);
    CHECK(as_errno(h::trace_vprintk(addr(four), sizeof(four), 0, 32, 0)) == -EINVAL);
    CHECK(as_errno(h::trace_vprintk(addr(four), sizeof(four), addr(args), 13 * 8, 0)) == -EINVAL);
    char out[8];
    CHECK(as_errno(h::snprintf(addr(out), sizeof(out), addr(four), addr(args), 32)) == 8);
    CHECK(std::string(out) == "1 2 3 4");
    CHECK(as_errno(h::snprintf(addr(out), 4, addr(four), addr(args), 32)) == 8);
    CHECK(std::string(out) == "1 2");
    CHECK(as_errno(h::snprintf(0, 0, addr(four), addr(args), 32)) == 8);
}

TEST_CASE("helpers: environment-backed helpers", "[helpers]")
{
    ScopedEnvironment scope;
    scope.env.cpu = 1;
    CHECK(h::get_smp_processor_id(0, 0, 0, 0, 0) == 1);
    CHECK(h::ktime_get_ns(0, 0, 0, 0, 0) == 1000);
    CHECK(h::ktime_get_boot_ns(0, 0, 0, 0, 0) == 2000);
    CHECK(h::ktime_get_coarse_ns(0, 0, 0, 0, 0) == 900);
    CHECK(h::jiffies64(0, 0, 0, 0, 0) == 77);
    CHECK(h::get_prandom_u32(0, 0, 0, 0, 0) == 0x12345678);
    CHECK(h::get_numa_node_id(0, 0, 0, 0, 0) == 0);
    CHECK(h::get_current_pid_tgid(0, 0, 0, 0, 0) == ((100ull << 32) | 101));
    CHECK(h::get_current_uid_gid(0, 0, 0, 0, 0) == ((1000ull << 32) | 1001));
    CHECK(h::get_current_task(0, 0, 0, 0, 0) == 0xffff888000001000ull);
    char comm[16];
    CHECK(h::get_current_comm(addr(comm), sizeof(comm), 0, 0, 0) == 0);
    CHECK(std::string(comm) == "tester");
    bpf_pidns_info ns {};
    CHECK(h::get_ns_current_pid_tgid(4, 0xeffffffc, addr(&ns), sizeof(ns), 0) == 0);
    CHECK(ns.pid == 7);
    CHECK(as_errno(h::get_ns_current_pid_tgid(4, 0xeffffffc, addr(&ns), 4, 0)) == -EINVAL);
    CHECK(as_errno(h::get_ns_current_pid_tgid(1ull << 33, 0xeffffffc, addr(&ns), sizeof(ns), 0)) == -EINVAL);
    CHECK(ns.pid == 0);
    u64 secret = 0x5ec2e7, copy = 1;
    CHECK(as_errno(h::probe_read_kernel(addr(&copy), 8, addr(&secret), 0, 0)) == -EFAULT);
    CHECK(copy == 0);
    scope.env.allow(&secret);
    CHECK(h::probe_read_kernel(addr(&copy), 8, addr(&secret), 0, 0) == 0);
    CHECK(copy == 0x5ec2e7);
    char const word[] = "hello";
    scope.env.allow(word, sizeof(word));
    char buffer[4];
    CHECK(h::probe_read_kernel_str(addr(buffer), 4, addr(word), 0, 0) == 4);
    CHECK(std::string(buffer) == "hel");
    CHECK(h::probe_read_user_str(addr(buffer), 0, addr(word), 0, 0) == 0);
    CHECK(as_errno(h::copy_from_user(addr(&copy), 8, 0x10, 0, 0)) == -EFAULT);
    char const a[] = "abc", b[] = "abd";
    CHECK(as_errno(h::strncmp(addr(a), 3, addr(b), 0, 0)) == -1);
    CHECK(h::strncmp(addr(a), 2, addr(b), 0, 0) == 0);
    CHECK(h::get_func_ip(10, 0, 0, 0, 0) == 11);
    CHECK(h::get_attach_cookie(10, 0, 0, 0, 0) == 12);
    bpf_perf_event_value value {};
    CHECK(h::perf_prog_read_value(5, addr(&value), sizeof(value), 0, 0) == 0);
    CHECK((value.counter == 5 && value.enabled == 10 && value.running == 5));
    CHECK(as_errno(h::perf_prog_read_value(5, addr(&value), 16, 0, 0)) == -EINVAL);
    CHECK((value.counter == 0 && value.enabled == 0 && value.running == 5)); // only `size` bytes cleared
    value = { 1, 1, 1 };
    CHECK(as_errno(h::perf_prog_read_value(0, addr(&value), sizeof(value), 0, 0)) == -EINVAL);
    CHECK((value.counter == 0 && value.enabled == 0 && value.running == 0));
    CHECK(h::send_signal(9, 0, 0, 0, 0) == 0);
    CHECK(scope.env.last_signal == 9);
}

TEST_CASE("helpers: get_stackid and get_stack", "[helpers][stacktrace]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_STACK_TRACE, 4, 8 * 3, 8);
    u64 m = addr(map.ptr());
    CHECK(as_errno(h::get_stackid(0, m, 0, 0, 0)) == -EFAULT); // no stack available
    scope.env.stack = { 0x10, 0x20, 0x30, 0x40 };
    i64 id = as_errno(h::get_stackid(0, m, 1, 0, 0)); // skip one frame
    REQUIRE(id >= 0);
    u64 out[3];
    u32 key = static_cast<u32>(id);
    CHECK(lookup(*map, key, out) == 0);
    CHECK(out[0] == 0x20);
    CHECK(out[2] == 0x40);
    CHECK(as_errno(h::get_stackid(0, m, 1 << 20, 0, 0)) == -EINVAL);
    CHECK(as_errno(h::get_stackid(0, m, 4, 0, 0)) == -EFAULT); // skipping everything
    u64 buffer[3] = {};
    CHECK(h::get_stack(0, addr(buffer), sizeof(buffer), BPF_F_USER_STACK, 0) == 24);
    CHECK(buffer[0] == 0x1010);
    CHECK(as_errno(h::get_stack(0, addr(buffer), 20, 0, 0)) == -EINVAL);
    CHECK(buffer[0] == 0);
    CHECK(as_errno(h::get_stack(0, addr(buffer), 24, BPF_F_USER_BUILD_ID, 0)) == -EINVAL);
}
