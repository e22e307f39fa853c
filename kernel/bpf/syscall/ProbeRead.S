/*
 * Fault-tolerant reads of kernel memory for the BPF probe-read helpers
 * (bpf_probe_read_kernel[_str]). A fault at a labelled instruction (a page fault on an
 * unmapped kernel address or a #GP) is redirected by the trap handler to the matching fixup
 * in the exception table, exactly like arch_copy_user. Callers check that the source range
 * is in the kernel half and canonical first.
 */
.text

/* u64 bpf_probe_copy_kernel(void* dest, void const* src, u64 n): bytes NOT copied (0 = ok). */
.global bpf_probe_copy_kernel
bpf_probe_copy_kernel:
    movq %rdx, %rcx
1:  rep movsb
    xorl %eax, %eax
    ret
2:  movq %rcx, %rax
    ret

/*
 * i64 bpf_probe_copy_kernel_string(char* dest, char const* src, u64 n): copies bytes up to and
 * including the first NUL, at most n; returns the number of bytes copied (a NUL included),
 * or -1 when a read faulted.
 */
.global bpf_probe_copy_kernel_string
bpf_probe_copy_kernel_string:
    xorl %eax, %eax
    testq %rdx, %rdx
    jz 5f
3:  movb (%rsi,%rax), %cl
    movb %cl, (%rdi,%rax)
    incq %rax
    testb %cl, %cl
    jz 5f
    cmpq %rdx, %rax
    jb 3b
5:  ret
4:  movq $-1, %rax
    ret

.section __ex_table, "a"
.align 8
    .quad 1b, 2b
    .quad 3b, 4b
