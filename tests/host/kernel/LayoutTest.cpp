// ABI layouts the kernel defines itself, checked against Linux's UAPI headers.
#include "arch/Registers.h"
#include <asm/ptrace.h>
#include <catch2/catch.hpp>
#include <stddef.h>

#define SAME_OFFSET(field) static_assert(offsetof(Registers, field) == offsetof(struct pt_regs, field), #field)
SAME_OFFSET(r15);
SAME_OFFSET(r14);
SAME_OFFSET(r13);
SAME_OFFSET(r12);
SAME_OFFSET(rbp);
SAME_OFFSET(rbx);
SAME_OFFSET(r11);
SAME_OFFSET(r10);
SAME_OFFSET(r9);
SAME_OFFSET(r8);
SAME_OFFSET(rax);
SAME_OFFSET(rcx);
SAME_OFFSET(rdx);
SAME_OFFSET(rsi);
SAME_OFFSET(rdi);
SAME_OFFSET(orig_rax);
SAME_OFFSET(rip);
SAME_OFFSET(cs);
SAME_OFFSET(rsp);
SAME_OFFSET(ss);
static_assert(offsetof(Registers, rflags) == offsetof(struct pt_regs, eflags));
static_assert(sizeof(Registers) == sizeof(struct pt_regs));

TEST_CASE("Registers is Linux's struct pt_regs", "[layout]")
{
    CHECK(sizeof(Registers) == sizeof(struct pt_regs));
    CHECK(offsetof(Registers, rip) == 16 * 8);
}
