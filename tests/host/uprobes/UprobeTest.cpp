// uprobe_events command parsing (Linux 6.x's grammar and errnos, as observed on a Linux host)
// and the x86-64 analysis of probed user instructions.
#include "arch/x86_64/UprobeInsn.h"
#include "trace/uprobes/ArchUprobes.h"
#include "trace/uprobes/UprobeEventsParser.h"
#include <catch2/catch.hpp>
#include <cstring>

using uprobes::UprobeEventCommand;

namespace {

UprobeEventCommand parse(char const* line)
{
    auto result = uprobes::parse_uprobe_event_command(line);
    INFO(line);
    REQUIRE(!result.is_error());
    return result.release_value();
}

int error_of(char const* line)
{
    auto result = uprobes::parse_uprobe_event_command(line);
    return result.is_error() ? result.error().code() : 0;
}

template<usize N>
uprobes::ArchUprobe analyze(u8 const (&bytes)[N])
{
    uprobes::ArchUprobe arch;
    auto result = uprobes::arch_analyze(bytes, N, arch);
    REQUIRE(!result.is_error());
    return arch;
}

template<usize N>
int analyze_error(u8 const (&bytes)[N])
{
    uprobes::ArchUprobe arch;
    auto result = uprobes::arch_analyze(bytes, N, arch);
    return result.is_error() ? result.error().code() : 0;
}

}

TEST_CASE("uprobe_events: probe definitions", "[uprobes][events]")
{
    auto libbpf = parse("p:uprobes/libbpf_42__bin_prog_0x1877 /bin/prog:0x1877");
    CHECK(libbpf.kind == UprobeEventCommand::Kind::Add);
    CHECK(!libbpf.is_return);
    CHECK(libbpf.group.view() == "uprobes");
    CHECK(libbpf.event.view() == "libbpf_42__bin_prog_0x1877");
    CHECK(libbpf.path.view() == "/bin/prog");
    CHECK(libbpf.offset == 0x1877);

    auto ret = parse("r:uretprobes/ev /bin/prog:4521");
    CHECK(ret.is_return);
    CHECK(ret.group.view() == "uretprobes");
    CHECK(ret.offset == 4521);

    // Default names use 'p' for both kinds and cut the basename at '.', '-' or '_'.
    CHECK(parse("p /tmp/uexp/exp:0x11a9").event.view() == "p_exp_0x11a9");
    CHECK(parse("r /tmp/uexp/exp:0x11b0").event.view() == "p_exp_0x11b0");
    CHECK(parse("p /tmp/my.prog-x:0x10").event.view() == "p_my_0x10");
    CHECK(parse("p /lib/libc.so.6:010").offset == 8);
    CHECK(parse("p:grp/ /tmp/exp:0x11a9").group.view() == "grp");
    CHECK(parse("p:grp/ /tmp/exp:0x11a9").event.view() == "p_exp_0x11a9");
    CHECK(parse("pfoo /tmp/exp:0x11a9").event.view() == "p_exp_0x11a9");
    CHECK(parse("p rel/exp:0x10").path.view() == "rel/exp");
    CHECK(parse("p /a:b/exp:0x10").path.view() == "/a:b/exp");

    auto remove = parse("-:uprobes/ev");
    CHECK(remove.kind == UprobeEventCommand::Kind::Remove);
    CHECK(remove.group.view() == "uprobes");
    CHECK(remove.event.view() == "ev");
    CHECK(parse("-:ev").group.is_empty());
    auto group = parse("-:grp/");
    CHECK(group.group.view() == "grp");
    CHECK(group.event.is_empty());
}

TEST_CASE("uprobe_events: errors", "[uprobes][events]")
{
    CHECK(error_of("p") == EINVAL);
    CHECK(error_of("x /tmp/exp:0x10") == EINVAL);
    CHECK(error_of("p exp:0x11a9") == EINVAL);       // no '/'
    CHECK(error_of("p /tmp/exp") == EINVAL);         // no offset
    CHECK(error_of("p /tmp/exp:") == EINVAL);
    CHECK(error_of("p /tmp/exp:zz") == EINVAL);
    CHECK(error_of("p /tmp/exp:-1") == EINVAL);
    CHECK(error_of("p /tmp/exp:0x11a9+1") == EINVAL);
    CHECK(error_of("p /tmp/exp:0x11a9(0x20)") == EINVAL); // reference counters: not supported
    CHECK(error_of("p:a/b/c /tmp/exp:0x11a9") == EINVAL);
    CHECK(error_of("p:1ev /tmp/exp:0x11a9") == EINVAL);
    CHECK(error_of("p: /tmp/exp:0x11a9") == EINVAL);
    CHECK(error_of("p:ev /tmp/exp:0x11a9 arg1=%ax") == EINVAL); // fetch arguments: not supported
    CHECK(error_of("-:") == EINVAL);
    CHECK(error_of("-:ev extra") == EINVAL);
}

TEST_CASE("uprobes: instruction analysis", "[uprobes][insn]")
{
    using namespace x86::uprobe;
    // Refused as Linux refuses them (ENOTSUPP): int3, int n, lock and segment prefixes, far forms.
    CHECK(analyze_error((u8 const[]) { 0xCC }) == ENOTSUPP);
    CHECK(analyze_error((u8 const[]) { 0xCD, 0x80 }) == ENOTSUPP);
    CHECK(analyze_error((u8 const[]) { 0xF0, 0xFF, 0x07 }) == ENOTSUPP);
    CHECK(analyze_error((u8 const[]) { 0x3E, 0xFF, 0xE0 }) == ENOTSUPP);
    CHECK(analyze_error((u8 const[]) { 0xFF, 0x18 }) == ENOTSUPP);
    CHECK(analyze_error((u8 const[]) { 0x0F, 0xFF }) != 0);
    // ud2 and syscall are allowed (Linux accepts them).
    CHECK(analyze((u8 const[]) { 0x0F, 0x0B }).emulation == ExecuteInSlot);
    CHECK(analyze((u8 const[]) { 0x0F, 0x05 }).emulation == ExecuteInSlot);

    auto call = analyze((u8 const[]) { 0xE8, 0x10, 0x00, 0x00, 0x00 });
    CHECK(call.emulation == Call);
    CHECK(call.relative == 0x10);
    CHECK(call.length == 5);
    auto jcc = analyze((u8 const[]) { 0x0F, 0x84, 0xF0, 0xFF, 0xFF, 0xFF });
    CHECK(jcc.emulation == ConditionalJump);
    CHECK(jcc.condition == 4);
    CHECK(jcc.relative == -16);
    CHECK(analyze((u8 const[]) { 0xEB, 0x02 }).emulation == Jump);
    CHECK(analyze((u8 const[]) { 0xFF, 0xD0 }).emulation == CallIndirect);          // call *%rax
    CHECK(analyze((u8 const[]) { 0xFF, 0x15, 0, 0, 0, 0 }).emulation == CallIndirect); // call *x(%rip)
    CHECK(analyze((u8 const[]) { 0x41, 0xFF, 0xE3 }).emulation == JumpIndirect);   // jmp *%r11
    CHECK(analyze((u8 const[]) { 0x64, 0xFF, 0x10 }).emulation == ExecuteInSlot);  // call *%fs:(%rax)
    CHECK(analyze((u8 const[]) { 0xC3 }).emulation == ExecuteInSlot);              // ret
    CHECK(analyze((u8 const[]) { 0x55 }).emulation == ExecuteInSlot);              // push %rbp
}

TEST_CASE("uprobes: XOL slot contents", "[uprobes][insn]")
{
    // mov 0x100(%rip), %rax at 0x401000, slot at 0x10000020: the copy reaches the same target.
    auto load = analyze((u8 const[]) { 0x48, 0x8B, 0x05, 0x00, 0x01, 0x00, 0x00 });
    REQUIRE(load.rip_relative);
    u8 slot[uprobes::xol_slot_size];
    REQUIRE(!uprobes::arch_build_slot(load, 0x401000, 0x10000020, slot).is_error());
    i32 displacement;
    std::memcpy(&displacement, slot + 3, 4);
    CHECK(0x10000020 + 7 + static_cast<i64>(displacement) == 0x401000 + 7 + 0x100);
    CHECK(slot[7] == 0xCC);
    CHECK(slot[31] == 0xCC);
    // Out of reach (more than 2 GiB away): EOPNOTSUPP.
    CHECK(uprobes::arch_build_slot(load, 0x401000, 0x7f0000000000, slot).error().code() == EOPNOTSUPP);
    // Without a RIP-relative operand the copy is verbatim.
    auto push = analyze((u8 const[]) { 0x53 });
    REQUIRE(!uprobes::arch_build_slot(push, 0x401000, 0x7f0000000000, slot).is_error());
    CHECK(slot[0] == 0x53);
    CHECK(slot[1] == 0xCC);
}
