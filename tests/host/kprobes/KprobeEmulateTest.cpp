// Emulation of probed instructions (kernel/arch/x86_64/KprobeEmulate.cpp): which encodings
// are emulated, and the registers, stack and flags the emulation produces, with the host CPU
// as the oracle for the arithmetic flags of add and sub.
#include "arch/x86_64/InsnDecoder.h"
#include "arch/x86_64/KprobeEmulate.h"
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

namespace {

using namespace x86::kprobe;
constexpr u64 probe_address = 0xffffffff80100000ULL;

kprobes::ArchProbe prepare(std::vector<u8> const& bytes)
{
    auto decoded = x86::decode_instruction(bytes.data(), bytes.size());
    REQUIRE(!decoded.is_error());
    REQUIRE(decoded.value().length == bytes.size());
    kprobes::ArchProbe arch;
    arch.length = decoded.value().length;
    REQUIRE(!classify(decoded.value(), arch).is_error());
    return arch;
}

u8 kind(std::vector<u8> const& bytes) { return prepare(bytes).emulation; }

struct Machine {
    u64 stack[16] {};
    Registers regs {};
    Machine()
    {
        u64 value = 0x1000;
        for (u64* r : { &regs.r15, &regs.r14, &regs.r13, &regs.r12, &regs.rbp, &regs.rbx, &regs.r11, &regs.r10, &regs.r9,
                 &regs.r8, &regs.rax, &regs.rcx, &regs.rdx, &regs.rsi, &regs.rdi })
            *r = value++;
        regs.rsp = reinterpret_cast<u64>(&stack[8]);
        regs.rflags = 0x202;
        regs.rip = probe_address + 1; // as the breakpoint leaves it
    }
    Registers run(std::vector<u8> const& bytes)
    {
        auto arch = prepare(bytes);
        REQUIRE(arch.emulation != ExecuteInSlot);
        emulate(arch, probe_address, regs);
        return regs;
    }
};

// Registers equal apart from the named fields, which the caller checks.
bool same_except(Registers a, Registers b, std::initializer_list<u64 Registers::*> fields)
{
    for (auto field : fields)
        a.*field = b.*field = 0;
    return memcmp(&a, &b, sizeof a) == 0;
}

u64 native_flags_sub(u64 a, u64 b)
{
    u64 flags;
    asm volatile("subq %[b], %[a]\n\tpushfq\n\tpopq %[f]" : [a] "+r"(a), [f] "=r"(flags) : [b] "r"(b) : "cc");
    return flags & 0x8D5;
}

u64 native_flags_add(u64 a, u64 b)
{
    u64 flags;
    asm volatile("addq %[b], %[a]\n\tpushfq\n\tpopq %[f]" : [a] "+r"(a), [f] "=r"(flags) : [b] "r"(b) : "cc");
    return flags & 0x8D5;
}

}

TEST_CASE("kprobe emulation: which entry instructions are emulated", "[kprobes][emulate]")
{
    CHECK(kind({ 0x55 }) == PushRegister);                   // push %rbp
    CHECK(kind({ 0x53 }) == PushRegister);                   // push %rbx
    CHECK(kind({ 0x41, 0x54 }) == PushRegister);             // push %r12
    CHECK(kind({ 0x41, 0x57 }) == PushRegister);             // push %r15
    CHECK(kind({ 0x48, 0x89, 0xe5 }) == MoveRegister);       // mov %rsp,%rbp
    CHECK(kind({ 0x48, 0x8b, 0xec }) == MoveRegister);       // mov %rsp,%rbp (8B form)
    CHECK(kind({ 0x49, 0x89, 0xd6 }) == MoveRegister);       // mov %rdx,%r14
    CHECK(kind({ 0x48, 0x83, 0xec, 0x10 }) == SubImmediate); // sub $0x10,%rsp
    CHECK(kind({ 0x48, 0x81, 0xec, 0x00, 0x01, 0, 0 }) == SubImmediate); // sub $0x100,%rsp
    CHECK(kind({ 0x48, 0x83, 0xc4, 0x08 }) == AddImmediate); // add $8,%rsp
    CHECK(kind({ 0xf3, 0x0f, 0x1e, 0xfa }) == Nop);          // endbr64
    CHECK(kind({ 0x90 }) == Nop);
    CHECK(kind({ 0x66, 0x90 }) == Nop);
    CHECK(kind({ 0xf3, 0x90 }) == Nop);                      // pause
    CHECK(kind({ 0x0f, 0x1f, 0x00 }) == Nop);                // nopl (%rax)
    CHECK(kind({ 0x0f, 0x1f, 0x44, 0x00, 0x00 }) == Nop);    // nopl 0(%rax,%rax,1)
    CHECK(kind({ 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0 }) == Nop); // cs nopw 0(%rax,%rax,1)

    // Look-alikes that are not these forms run out of line.
    CHECK(kind({ 0x41, 0x90 }) == ExecuteInSlot);             // xchg %eax,%r8d
    CHECK(kind({ 0x66, 0x55 }) == ExecuteInSlot);             // push %bp (16-bit)
    CHECK(kind({ 0x89, 0xe5 }) == ExecuteInSlot);             // mov %esp,%ebp (32-bit: zero-extends)
    CHECK(kind({ 0x48, 0x89, 0x65, 0xf8 }) == ExecuteInSlot); // mov %rsp,-8(%rbp) (memory)
    CHECK(kind({ 0x48, 0x83, 0xe4, 0xf0 }) == ExecuteInSlot); // and $-16,%rsp
    CHECK(kind({ 0x83, 0xec, 0x10 }) == ExecuteInSlot);       // sub $0x10,%esp (32-bit)
    CHECK(kind({ 0x48, 0x83, 0x6d, 0xf8, 0x01 }) == ExecuteInSlot); // subq $1,-8(%rbp)
    CHECK(kind({ 0xf3, 0x0f, 0x1e, 0xc8 }) == ExecuteInSlot); // rdsspd %eax
    CHECK(kind({ 0x48, 0x8d, 0x7d, 0xf0 }) == ExecuteInSlot); // lea -0x10(%rbp),%rdi
}

TEST_CASE("kprobe emulation: push, mov, nop on the saved registers", "[kprobes][emulate]")
{
    SECTION("push %rbp")
    {
        Machine m;
        Registers before = m.regs;
        Registers after = m.run({ 0x55 });
        CHECK(after.rsp == before.rsp - 8);
        CHECK(m.stack[7] == before.rbp);
        CHECK(after.rip == probe_address + 1);
        CHECK(same_except(before, after, { &Registers::rsp, &Registers::rip }));
    }
    SECTION("push %r12")
    {
        Machine m;
        Registers before = m.regs;
        Registers after = m.run({ 0x41, 0x54 });
        CHECK(after.rsp == before.rsp - 8);
        CHECK(m.stack[7] == before.r12);
        CHECK(after.rip == probe_address + 2);
        CHECK(same_except(before, after, { &Registers::rsp, &Registers::rip }));
    }
    SECTION("push %rsp stores the value before the push")
    {
        Machine m;
        Registers before = m.regs;
        m.run({ 0x54 });
        CHECK(m.stack[7] == before.rsp);
    }
    SECTION("mov %rsp,%rbp and mov %rdx,%r14")
    {
        Machine m;
        Registers before = m.regs;
        Registers after = m.run({ 0x48, 0x89, 0xe5 });
        CHECK(after.rbp == before.rsp);
        CHECK(after.rip == probe_address + 3);
        CHECK(same_except(before, after, { &Registers::rbp, &Registers::rip }));
        Machine n;
        Registers r = n.run({ 0x49, 0x89, 0xd6 });
        CHECK(r.r14 == n.regs.rdx);
        Machine o;
        r = o.run({ 0x4c, 0x8b, 0xe7 }); // mov %rdi,%r12
        CHECK(r.r12 == o.regs.rdi);
    }
    SECTION("nops and endbr64 only move ip")
    {
        for (auto const& bytes : std::vector<std::vector<u8>> { { 0x90 }, { 0xf3, 0x0f, 0x1e, 0xfa }, { 0x0f, 0x1f, 0x44, 0x00, 0x00 } }) {
            Machine m;
            Registers before = m.regs;
            Registers after = m.run(bytes);
            CHECK(after.rip == probe_address + bytes.size());
            CHECK(same_except(before, after, { &Registers::rip }));
        }
    }
}

TEST_CASE("kprobe emulation: add and sub of an immediate set the CPU's flags", "[kprobes][emulate]")
{
    u64 const values[] = { 0, 1, 0x10, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
        0xffffc90000003ff8ULL, 0xffffffff80123456ULL, 0x0fULL, 0x8000000000000007ULL };
    i32 const immediates[] = { 0x10, 0x08, 0x7f, -0x80, 0x100, -1, 0x7fffffff, 0x38, 1 };
    for (u64 a : values)
        for (i32 imm : immediates) {
            u64 b = static_cast<u64>(static_cast<i64>(imm));
            std::vector<u8> sub8 = { 0x48, 0x83, 0xec, static_cast<u8>(imm) };
            std::vector<u8> add32 = { 0x48, 0x81, 0xc3, 0, 0, 0, 0 }; // add $imm32,%rbx
            memcpy(add32.data() + 3, &imm, 4);
            if (imm >= -128 && imm <= 127) {
                Machine m;
                m.regs.rsp = a;
                m.regs.rflags = 0x202 | 0x8D5; // every status flag set before
                Registers after = m.run(sub8);
                CHECK(after.rsp == a - b);
                CHECK((after.rflags & 0x8D5) == native_flags_sub(a, b));
                CHECK((after.rflags & ~0x8D5ULL) == 0x202);
            }
            Machine m;
            m.regs.rbx = a;
            Registers after = m.run(add32);
            CHECK(after.rbx == a + b);
            CHECK((after.rflags & 0x8D5) == native_flags_add(a, b));
            CHECK(after.rip == probe_address + 7);
        }
}
