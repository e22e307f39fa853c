/*
 * Boot entry: a Multiboot 1 header (with the address fields, so QEMU's -kernel loader takes
 * the flat image) and the 32-bit protected-mode entry. It builds boot page tables that map
 * the first 1 GiB three times — identity, the direct map at 0xffff800000000000 and the
 * kernel image at 0xffffffff80000000 — enables long mode, and jumps to kernel_main64 in the
 * higher half with the Multiboot info pointer (physical) in %rdi.
 */
#define KERNEL_VMA 0xffffffff80000000
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010003 /* page-align modules, memory map, address fields */

.section .multiboot, "a"
.align 4
multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long multiboot_header - KERNEL_VMA /* header_addr */
    .long __load_start_phys             /* load_addr */
    .long __load_end_phys               /* load_end_addr */
    .long __bss_end_phys                /* bss_end_addr */
    .long boot_entry32 - KERNEL_VMA     /* entry_addr */

.section .boot.bss, "aw", @nobits
.align 4096
boot_pml4: .skip 4096
boot_pdpt_low: .skip 4096
boot_pdpt_high: .skip 4096
boot_pd: .skip 4096
.align 16
boot_stack_bottom: .skip 16384
boot_stack_top:

.section .boot.data, "aw"
.align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt - KERNEL_VMA
boot_gdt_ptr64:
    .word boot_gdt_end - boot_gdt - 1
    .quad boot_gdt

.section .boot.text, "ax"
.code32
.global boot_entry32
boot_entry32:
    cli
    cmpl $0x2BADB002, %eax
    jne boot_fail
    movl %ebx, %edi                       /* multiboot info (phys), kept in edi */
    movl $(boot_stack_top - KERNEL_VMA), %esp

    /* Zero the page tables. */
    movl $(boot_pml4 - KERNEL_VMA), %eax
    movl %eax, %ebx
    movl $4096, %ecx                      /* 4 pages * 1024 dwords */
1:  movl $0, (%ebx)
    addl $4, %ebx
    loop 1b

    /* PD: 512 x 2 MiB pages covering 0..1 GiB. */
    movl $(boot_pd - KERNEL_VMA), %ebx
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax                       /* present | writable | huge */
    movl %eax, (%ebx, %ecx, 8)
    incl %ecx
    cmpl $512, %ecx
    jne 2b

    /* PDPT low [0] -> PD; PDPT high [510] -> PD. */
    movl $(boot_pd - KERNEL_VMA + 0x3), %eax
    movl %eax, (boot_pdpt_low - KERNEL_VMA)
    movl %eax, (boot_pdpt_high - KERNEL_VMA + 510 * 8)
    /* PML4 [0] and [256] -> PDPT low; [511] -> PDPT high. */
    movl $(boot_pdpt_low - KERNEL_VMA + 0x3), %eax
    movl %eax, (boot_pml4 - KERNEL_VMA)
    movl %eax, (boot_pml4 - KERNEL_VMA + 256 * 8)
    movl $(boot_pdpt_high - KERNEL_VMA + 0x3), %eax
    movl %eax, (boot_pml4 - KERNEL_VMA + 511 * 8)

    /* CR4: PAE | PGE | OSFXSR | OSXMMEXCPT */
    movl %cr4, %eax
    orl $((1 << 5) | (1 << 7) | (1 << 9) | (1 << 10)), %eax
    movl %eax, %cr4
    movl $(boot_pml4 - KERNEL_VMA), %eax
    movl %eax, %cr3
    /* EFER: LME | NXE | SCE */
    movl $0xC0000080, %ecx
    rdmsr
    orl $((1 << 8) | (1 << 11) | (1 << 0)), %eax
    wrmsr
    /* CR0: PG | PE | MP | WP, clear EM */
    movl %cr0, %eax
    andl $~(1 << 2), %eax
    orl $((1 << 31) | (1 << 0) | (1 << 1) | (1 << 16)), %eax
    movl %eax, %cr0

    lgdt (boot_gdt_ptr - KERNEL_VMA)
    ljmp $0x08, $(boot_entry64_low - KERNEL_VMA)

boot_fail:
    hlt
    jmp boot_fail

.code64
boot_entry64_low:
    movabsq $boot_entry64_high, %rax
    jmp *%rax

boot_entry64_high:
    lgdt boot_gdt_ptr64(%rip)
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabsq $boot_stack_top, %rsp
    xorq %rbp, %rbp
    movl %edi, %edi                        /* zero-extend the multiboot pointer */
    call kernel_main64
3:  cli
    hlt
    jmp 3b
