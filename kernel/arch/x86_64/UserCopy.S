/*
 * Faultable user-memory primitives. A fault at a labelled instruction is redirected by the
 * page fault handler to the matching fixup (the __ex_table pairs), which returns the number
 * of bytes not processed. Callers (mm/UserCopy.cpp) have already checked that the range
 * lies in the user half.
 */
.text

/* u64 arch_copy_user(void* dest, void const* src, u64 n) */
.global arch_copy_user
arch_copy_user:
    movq %rdx, %rcx
1:  rep movsb
    xorl %eax, %eax
    ret
2:  movq %rcx, %rax
    ret

/* u64 arch_clear_user(void* dest, u64 n) */
.global arch_clear_user
arch_clear_user:
    movq %rsi, %rcx
    xorl %eax, %eax
3:  rep stosb
    xorl %eax, %eax
    ret
4:  movq %rcx, %rax
    ret

.section __ex_table, "a"
.align 8
    .quad 1b, 2b
    .quad 3b, 4b
