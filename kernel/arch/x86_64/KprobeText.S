/*
 * Executable text of kprobes: the out-of-line instruction slots (one page of int3, written
 * only through the direct-map alias by Kprobes.cpp: 128 slots of 32 bytes, each an
 * instruction copy followed by int3) and the kretprobe return trampoline.
 *
 * kretprobe_trampoline: a probed function "returns" here (its return address was replaced at
 * entry). It builds a struct pt_regs below a slot for the real return address, calls
 * kretprobe_trampoline_entry (which finds the task's instance, runs the handler with ax = the
 * return value and ip = the real return address, and returns that address), stores the
 * address in the slot, restores every register and returns through the slot.
 */
.section .text.kprobe_slots, "ax"
.balign 4096
.global kprobe_insn_slots
kprobe_insn_slots:
    .fill 4096, 1, 0xcc
.size kprobe_insn_slots, 4096

.text
.global kretprobe_trampoline
.type kretprobe_trampoline, @function
kretprobe_trampoline:
    subq $8, %rsp          /* the real return address */
    pushq $0               /* ss   } */
    pushq $0               /* rsp  }  filled in by kretprobe_trampoline_entry */
    pushfq                 /* rflags */
    pushq $0               /* cs   } */
    pushq $0               /* rip  }  the real return address */
    pushq $-1              /* orig_rax */
    pushq %rdi
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
    movq %rsp, %rdi
    call kretprobe_trampoline_entry
    movq %rax, 168(%rsp)
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
    addq $48, %rsp         /* orig_rax, rip, cs, rflags, rsp, ss */
    ret
.size kretprobe_trampoline, . - kretprobe_trampoline

.section .note.GNU-stack, "", @progbits
