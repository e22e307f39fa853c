// GDT and TSS. Selector layout is fixed by syscall/sysret (see Asm.h): kernel code 0x08,
// kernel data 0x10, a 32-bit user code placeholder 0x18, user data 0x20, user code 0x28,
// then the 16-byte TSS descriptor at 0x30. The TSS carries rsp0 (the current thread's kernel
// stack top, updated on every context switch) and IST1, a dedicated stack for double faults.
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/Gdt.h"

namespace {

struct [[gnu::packed]] Tss {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
};

struct [[gnu::packed]] GdtPointer {
    u16 limit;
    u64 base;
};

alignas(16) u64 gdt[8];
Tss tss;
alignas(16) u8 double_fault_stack[16384];

}

void gdt_initialize()
{
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffff; // kernel code, 64-bit
    gdt[2] = 0x00cf92000000ffff; // kernel data
    gdt[3] = 0x00cffa000000ffff; // user code 32 (unused)
    gdt[4] = 0x00cff2000000ffff; // user data
    gdt[5] = 0x00affa000000ffff; // user code 64
    u64 base = reinterpret_cast<u64>(&tss);
    u64 limit = sizeof(Tss) - 1;
    gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[7] = base >> 32;
    tss.iomap_base = sizeof(Tss);
    tss.ist[0] = reinterpret_cast<u64>(double_fault_stack + sizeof(double_fault_stack));

    GdtPointer pointer { sizeof(gdt) - 1, reinterpret_cast<u64>(gdt) };
    asm volatile(
        "lgdt %0\n"
        "pushq $0x08\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "movw $0x10, %%ax\n"
        "movw %%ax, %%ds\n"
        "movw %%ax, %%es\n"
        "movw %%ax, %%ss\n"
        :
        : "m"(pointer)
        : "rax", "memory");
    asm volatile("ltr %w0" : : "r"(x86::TSS_SELECTOR));
}

void tss_set_kernel_stack(u64 stack_top) { tss.rsp[0] = stack_top; }
