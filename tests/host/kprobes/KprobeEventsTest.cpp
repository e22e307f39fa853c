// kprobe_events command parsing (Linux's grammar and errnos) and the blacklist rules.
#include "trace/kprobes/Blacklist.h"
#include "trace/kprobes/KprobeEventsParser.h"
#include <catch2/catch.hpp>

using kprobes::KprobeEventCommand;
using kprobes::parse_kprobe_event_command;

namespace {

KprobeEventCommand parse(char const* line)
{
    auto result = parse_kprobe_event_command(line);
    INFO(line);
    REQUIRE(!result.is_error());
    return result.release_value();
}

int error_of(char const* line)
{
    auto result = parse_kprobe_event_command(line);
    return result.is_error() ? result.error().code() : 0;
}

}

TEST_CASE("kprobe_events: probe definitions", "[kprobes][events]")
{
    auto libbpf = parse("p:kprobes/libbpf_42_vfs_read_0x0_0 vfs_read+0x0");
    CHECK(libbpf.kind == KprobeEventCommand::Kind::Add);
    CHECK(!libbpf.is_return);
    CHECK(libbpf.group.view() == "kprobes");
    CHECK(libbpf.event.view() == "libbpf_42_vfs_read_0x0_0");
    CHECK(libbpf.symbol.view() == "vfs_read");
    CHECK(libbpf.offset == 0);

    auto ret = parse("r:kretprobes/ev __x64_sys_getpid+0x0");
    CHECK(ret.is_return);
    CHECK(ret.group.view() == "kretprobes");
    CHECK(ret.maxactive == 0);

    auto maxactive = parse("r16:grp/ev do_exit");
    CHECK(maxactive.maxactive == 16);

    auto offset = parse("p:myev do_sys_openat2+16");
    CHECK(offset.group.view() == "kprobes"); // the default group
    CHECK(offset.offset == 16);

    auto address = parse("p:grp/at 0xffffffff80100000");
    CHECK(address.symbol.is_empty());
    CHECK(address.offset == 0xffffffff80100000ULL);

    CHECK(parse("p vfs_write").event.view() == "p_vfs_write_0"); // generated as Linux does
    CHECK(parse("r vfs_write").event.view() == "r_vfs_write_0");
    CHECK(parse("p:grp/ vfs_write+8").event.view() == "p_vfs_write_8");
    CHECK(parse("p 0x1000").event.view() == "p_0x1000");
}

TEST_CASE("kprobe_events: removal", "[kprobes][events]")
{
    auto remove = parse("-:kprobes/ev");
    CHECK(remove.kind == KprobeEventCommand::Kind::Remove);
    CHECK(remove.group.view() == "kprobes");
    CHECK(remove.event.view() == "ev");
    auto any_group = parse("-:ev");
    CHECK(any_group.group.is_empty());
    CHECK(error_of("-:") == EINVAL);
    CHECK(error_of("-:grp/") == EINVAL);
    CHECK(error_of("-:ev extra") == EINVAL);
}

TEST_CASE("kprobe_events: Linux's errors", "[kprobes][events]")
{
    CHECK(error_of("x:ev vfs_read") == EINVAL);      // unknown command
    CHECK(error_of("p:ev") == EINVAL);               // no target
    CHECK(error_of("p:1ev vfs_read") == EINVAL);     // bad event name
    CHECK(error_of("p:g-r/ev vfs_read") == EINVAL);  // bad group name
    CHECK(error_of("r:ev vfs_read+4") == EINVAL);    // kretprobe not at the entry
    CHECK(error_of("p5:ev vfs_read") == EINVAL);     // MAXACTIVE on a kprobe
    CHECK(error_of("r0:ev vfs_read") == EINVAL);
    CHECK(error_of("r4097:ev vfs_read") == E2BIG);   // above KRETPROBE_MAXACTIVE_MAX
    CHECK(error_of("p:ev vfs_read+zz") == EINVAL);
    CHECK(error_of("p:ev 0xfoo") == EINVAL);
    CHECK(error_of("p:ev vfs_read %di") == EINVAL);  // fetch arguments are not supported
    CHECK(error_of("p:ev mod:vfs_read") == EINVAL);  // no modules
    CHECK(error_of("p:a234567890123456789012345678901234567890123456789012345678901234 vfs_read") == EINVAL);
}

TEST_CASE("kprobe blacklist", "[kprobes][blacklist]")
{
    using kprobes::is_blacklisted_function;
    CHECK(is_blacklisted_function("isr_entry_3"));
    CHECK(is_blacklisted_function("interrupt_dispatch"));
    CHECK(is_blacklisted_function("kprobe_breakpoint_handler"));
    CHECK(is_blacklisted_function("kretprobe_trampoline"));
    CHECK(is_blacklisted_function("arch_irq_save"));
    CHECK(is_blacklisted_function("_ZN7kprobes16run_pre_handlersERNS_10ProbePointER9Registers"));
    CHECK(is_blacklisted_function("_ZN7kprobes12_GLOBAL__N_113entry_handlerERNS_6KprobeER9Registers"));
    CHECK(is_blacklisted_function("_ZN3x866kprobe7emulateERN7kprobes10ProbePointER9Registers"));
    // Shared with uprobes but on the kprobe breakpoint path: emulation operands, the event
    // base class and the record filler.
    CHECK(is_blacklisted_function("_ZN3x869emulation14saved_registerER9Registersh"));
    CHECK(is_blacklisted_function("_ZN5trace12DynamicEvent10tracepointEv"));
    CHECK(is_blacklisted_function("_ZN5trace12_GLOBAL__N_117fill_probe_recordERKNS_20TracepointDefinitionEPKmPh"));
    CHECK(!is_blacklisted_function("_ZN5trace13DynamicEvents5writeE10StringViewPFN4klib7ErrorOrIvEERS0_S1_E"));
    CHECK(is_blacklisted_function("_Z16handle_exceptionjR9Registers"));
    CHECK(is_blacklisted_function("_Z8this_cpuv"));
    CHECK(!is_blacklisted_function("vfs_read"));
    CHECK(!is_blacklisted_function("__x64_sys_getpid"));
    CHECK(!is_blacklisted_function("schedule"));
    CHECK(!is_blacklisted_function("_ZN9Scheduler8scheduleEv"));
}
