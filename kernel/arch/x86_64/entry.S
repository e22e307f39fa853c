/*
 * Kernel entry and exit paths: interrupt/exception stubs, the syscall entry, and the
 * common return path. All of them build a Linux `struct pt_regs` frame (arch/Registers.h)
 * on the current kernel stack. swapgs is done exactly when the frame's CS says we came from
 * (or return to) user mode, so %gs always holds the PerCpu block inside the kernel.
 */
#define REGS_ORIG_RAX 120
#define REGS_RIP 128
#define REGS_CS 136
#define REGS_RFLAGS 144
#define REGS_RSP 152
#define PERCPU_USER_RSP 8
#define PERCPU_KERNEL_STACK 16

.macro PUSH_GPRS_AFTER_RDI
    pushq %rsi
    pushq %rdx
    pushq %rcx
    pushq %rax
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro POP_GPRS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rax
    popq %rcx
    popq %rdx
    popq %rsi
    popq %rdi
.endm

.text

/* Entry points: normalise the frame (error code or 0 in the orig_rax slot), pass the vector. */
.macro ISR_NOERR vector
.global isr_entry_\vector
isr_entry_\vector:
    pushq $0
    pushq %rdi
    movl $\vector, %edi
    jmp interrupt_common
.endm
.macro ISR_ERR vector
.global isr_entry_\vector
isr_entry_\vector:
    pushq %rdi
    movl $\vector, %edi
    jmp interrupt_common
.endm

ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
/*
 * #BP: from kernel mode the hardware frame (rip, cs, rflags, rsp, ss) is copied 5 words lower,
 * so a kprobe that emulates a call or push can write below the interrupted stack pointer
 * without overwriting the frame (Linux's int3 "gap"). iretq uses the copy.
 */
.global isr_entry_3
isr_entry_3:
    testb $3, 8(%rsp)
    jnz 1f
    pushq 32(%rsp)
    pushq 32(%rsp)
    pushq 32(%rsp)
    pushq 32(%rsp)
    pushq 32(%rsp)
1:
    pushq $0
    pushq %rdi
    movl $3, %edi
    jmp interrupt_common
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
.irp v, 22,23,24,25,26,27,28,29,30,31
ISR_NOERR \v
.endr
.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
ISR_NOERR \v
.endr
ISR_NOERR 255

interrupt_common:
    /* The frame so far: rdi, orig_rax, rip, cs, ... ; cs sits at 8 + 8 + 8. */
    testb $3, 24(%rsp)
    jz 1f
    swapgs
1:
    PUSH_GPRS_AFTER_RDI
    cld
    movq %rsp, %rsi          /* Registers* */
    xorq %rbp, %rbp
    call interrupt_dispatch  /* (u64 vector, Registers*) */
    jmp return_from_kernel_entry

/*
 * The common exit: %rsp points at a complete Registers frame. Goes back to wherever the
 * frame came from with iretq.
 */
.global return_from_kernel_entry
return_from_kernel_entry:
    cli
    testb $3, REGS_CS(%rsp)
    jz 2f
    movq %rsp, %rdi
    call prepare_return_to_user   /* signals, reschedule; runs with interrupts masked */
    POP_GPRS
    addq $8, %rsp                 /* orig_rax */
    swapgs
    iretq
2:
    POP_GPRS
    addq $8, %rsp
    iretq

/*
 * syscall: rcx = user rip, r11 = user rflags, rax = number, args in rdi rsi rdx r10 r8 r9.
 * SFMASK has cleared IF, so nothing can interrupt us before the stack switch.
 */
.global syscall_entry
syscall_entry:
    swapgs
    movq %rsp, %gs:PERCPU_USER_RSP
    movq %gs:PERCPU_KERNEL_STACK, %rsp
    pushq $0x23                   /* user ss */
    pushq %gs:PERCPU_USER_RSP     /* user rsp */
    pushq %r11                    /* rflags */
    pushq $0x2b                   /* user cs */
    pushq %rcx                    /* rip */
    pushq %rax                    /* orig_rax = syscall number */
    pushq %rdi
    pushq %rsi
    pushq %rdx
    pushq %rcx
    pushq $-38                    /* rax = -ENOSYS until the handler sets it */
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    xorq %rbp, %rbp
    sti
    movq %rsp, %rdi
    call syscall_handler          /* returns non-zero when the full iret path is needed */
    cli
    testq %rax, %rax
    jnz 3f
    movq %rsp, %rdi
    call prepare_return_to_user
    testq %rax, %rax
    jnz 4f
    /* Fast path: sysretq. rcx/r11 come from the frame's rip/rflags. */
    POP_GPRS
    movq 8(%rsp), %rcx            /* rip */
    movq 24(%rsp), %r11           /* rflags */
    movq 32(%rsp), %rsp           /* user rsp */
    swapgs
    sysretq
3:
    jmp return_from_kernel_entry
4:
    /* prepare_return_to_user changed the frame (signal delivery): restore everything. */
    POP_GPRS
    addq $8, %rsp
    swapgs
    iretq

/*
 * void arch_switch_context(u64* save_rsp, u64 new_rsp): callee-saved registers on the old
 * stack, switch stacks, restore from the new one.
 */
.global arch_switch_context
arch_switch_context:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

/* First code a new thread runs: r12 = entry function, r13 = argument. */
.global arch_thread_trampoline
arch_thread_trampoline:
    call scheduler_finish_switch_for_new_thread
    movq %r13, %rdi
    xorq %rbp, %rbp
    call *%r12
    ud2

/* Enters user mode for a thread whose kernel stack top holds a Registers frame: rdi = frame. */
.global arch_enter_user_from_frame
arch_enter_user_from_frame:
    movq %rdi, %rsp
    jmp return_from_kernel_entry
