/* regs: user register state across kernel entries. Linux's x86_64 syscall ABI clobbers only
 * %rax (the result), %rcx and %r11; everything else — general registers, %xmm0-15, MXCSR,
 * the direction flag and the 128-byte red zone below %rsp — must survive
 *   - a plain syscall (getpid),
 *   - a syscall during which a signal handler runs and clobbers everything (kill(self)),
 *     which also checks the handler's entry state: %rsp+8 16-byte aligned, DF clear,
 *   - a syscall that blocks while another process runs (nanosleep with a spinning child
 *     that loads different values into the same registers). */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"

struct probe {
    uint64_t nr;              /*   0 */
    uint64_t args[6];         /*   8: rdi rsi rdx r10 r8 r9 */
    uint64_t callee[6];       /*  56: rbx rbp r12 r13 r14 r15 */
    uint64_t set_df;          /* 104 */
    uint32_t mxcsr_in;        /* 112 */
    uint32_t mxcsr_out;       /* 116 */
    uint64_t out_rax;         /* 120 */
    uint64_t out_args[6];     /* 128 */
    uint64_t out_callee[6];   /* 176 */
    uint64_t out_rflags;      /* 224 */
    uint64_t redzone;         /* 232: the pattern if the red zone survived, 0 otherwise */
    uint8_t xmm_in[16][16];   /* 240 */
    uint8_t xmm_out[16][16];  /* 496 */
};
_Static_assert(offsetof(struct probe, set_df) == 104, "layout");
_Static_assert(offsetof(struct probe, out_rax) == 120, "layout");
_Static_assert(offsetof(struct probe, redzone) == 232, "layout");
_Static_assert(offsetof(struct probe, xmm_in) == 240, "layout");
_Static_assert(offsetof(struct probe, xmm_out) == 496, "layout");

#define REDZONE_PATTERN 0x7265647a6f6e6521UL

/* void run_probe(struct probe *p): loads everything, fills the red zone, runs one syscall,
 * checks the red zone and stores everything back. */
void run_probe(struct probe *p);
__asm__(".text\n"
        ".globl run_probe\n"
        "run_probe:\n"
        "  push %rbp\n push %rbx\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  push %rdi\n"
        /* red zone: 16 quadwords below %rsp */
        "  movabs $0x7265647a6f6e6521, %r11\n"
        "  mov $-128, %rcx\n"
        "1: mov %r11, (%rsp,%rcx)\n add $8, %rcx\n jnz 1b\n"
        "  mov %rdi, %rax\n"
        "  movdqu 240(%rax), %xmm0\n movdqu 256(%rax), %xmm1\n movdqu 272(%rax), %xmm2\n"
        "  movdqu 288(%rax), %xmm3\n movdqu 304(%rax), %xmm4\n movdqu 320(%rax), %xmm5\n"
        "  movdqu 336(%rax), %xmm6\n movdqu 352(%rax), %xmm7\n movdqu 368(%rax), %xmm8\n"
        "  movdqu 384(%rax), %xmm9\n movdqu 400(%rax), %xmm10\n movdqu 416(%rax), %xmm11\n"
        "  movdqu 432(%rax), %xmm12\n movdqu 448(%rax), %xmm13\n movdqu 464(%rax), %xmm14\n"
        "  movdqu 480(%rax), %xmm15\n"
        "  ldmxcsr 112(%rax)\n"
        "  mov 56(%rax), %rbx\n mov 64(%rax), %rbp\n mov 72(%rax), %r12\n"
        "  mov 80(%rax), %r13\n mov 88(%rax), %r14\n mov 96(%rax), %r15\n"
        "  mov 8(%rax), %rdi\n mov 16(%rax), %rsi\n mov 24(%rax), %rdx\n"
        "  mov 32(%rax), %r10\n mov 40(%rax), %r8\n mov 48(%rax), %r9\n"
        "  cmpq $0, 104(%rax)\n je 2f\n std\n"
        "2: mov 0(%rax), %rax\n"
        "  syscall\n"
        /* %rcx and %r11 are free now: check the red zone without touching the stack */
        "  movabs $0x7265647a6f6e6521, %r11\n"
        "  mov $-128, %rcx\n"
        "3: cmp %r11, (%rsp,%rcx)\n je 4f\n xor %r11d, %r11d\n"
        "4: add $8, %rcx\n jnz 3b\n"
        "  pushfq\n pop %rcx\n"                /* rflags (this reuses the red zone: done) */
        "  cld\n"
        "  push %rax\n"
        "  mov 8(%rsp), %rax\n"                /* the probe pointer pushed at entry */
        "  mov %rcx, 224(%rax)\n mov %r11, 232(%rax)\n"
        "  pop %rcx\n mov %rcx, 120(%rax)\n"
        "  mov %rbx, 176(%rax)\n mov %rbp, 184(%rax)\n mov %r12, 192(%rax)\n"
        "  mov %r13, 200(%rax)\n mov %r14, 208(%rax)\n mov %r15, 216(%rax)\n"
        "  mov %rdi, 128(%rax)\n mov %rsi, 136(%rax)\n mov %rdx, 144(%rax)\n"
        "  mov %r10, 152(%rax)\n mov %r8, 160(%rax)\n mov %r9, 168(%rax)\n"
        "  movdqu %xmm0, 496(%rax)\n movdqu %xmm1, 512(%rax)\n movdqu %xmm2, 528(%rax)\n"
        "  movdqu %xmm3, 544(%rax)\n movdqu %xmm4, 560(%rax)\n movdqu %xmm5, 576(%rax)\n"
        "  movdqu %xmm6, 592(%rax)\n movdqu %xmm7, 608(%rax)\n movdqu %xmm8, 624(%rax)\n"
        "  movdqu %xmm9, 640(%rax)\n movdqu %xmm10, 656(%rax)\n movdqu %xmm11, 672(%rax)\n"
        "  movdqu %xmm12, 688(%rax)\n movdqu %xmm13, 704(%rax)\n movdqu %xmm14, 720(%rax)\n"
        "  movdqu %xmm15, 736(%rax)\n"
        "  stmxcsr 116(%rax)\n"
        "  pop %rdi\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbx\n pop %rbp\n"
        "  ret\n");

/* Signal handler written in assembly: records its entry state, then clobbers every register
 * it can (general, vector, MXCSR, DF) before returning to the restorer. */
uint64_t stub_rsp, stub_rflags, stub_sig, stub_count;
void clobbering_handler(int sig);
__asm__(".text\n"
        ".globl clobbering_handler\n"
        "clobbering_handler:\n"
        "  mov %rsp, stub_rsp(%rip)\n"
        "  pushfq\n pop %rax\n mov %rax, stub_rflags(%rip)\n"
        "  mov %rdi, stub_sig(%rip)\n"
        "  incq stub_count(%rip)\n"
        "  movabs $0x6b6b6b6b6b6b6b6b, %rax\n"
        "  mov %rax, %rbx\n mov %rax, %rbp\n mov %rax, %r12\n mov %rax, %r13\n mov %rax, %r14\n"
        "  mov %rax, %r15\n mov %rax, %rdi\n mov %rax, %rsi\n mov %rax, %rdx\n mov %rax, %r8\n"
        "  mov %rax, %r9\n mov %rax, %r10\n mov %rax, %r11\n mov %rax, %rcx\n"
        "  pcmpeqd %xmm0, %xmm0\n pcmpeqd %xmm1, %xmm1\n pcmpeqd %xmm2, %xmm2\n pcmpeqd %xmm3, %xmm3\n"
        "  pcmpeqd %xmm4, %xmm4\n pcmpeqd %xmm5, %xmm5\n pcmpeqd %xmm6, %xmm6\n pcmpeqd %xmm7, %xmm7\n"
        "  pcmpeqd %xmm8, %xmm8\n pcmpeqd %xmm9, %xmm9\n pcmpeqd %xmm10, %xmm10\n pcmpeqd %xmm11, %xmm11\n"
        "  pcmpeqd %xmm12, %xmm12\n pcmpeqd %xmm13, %xmm13\n pcmpeqd %xmm14, %xmm14\n pcmpeqd %xmm15, %xmm15\n"
        "  push $0x3f80\n ldmxcsr (%rsp)\n add $8, %rsp\n"
        "  std\n"
        "  ret\n");

/* A process body that keeps loading other values into the same registers and yielding. */
void spin_clobber(void);
__asm__(".text\n"
        ".globl spin_clobber\n"
        "spin_clobber:\n"
        "  push $0x3f80\n"
        "1: movabs $0x6b6b6b6b6b6b6b6b, %rbx\n"
        "  mov %rbx, %rbp\n mov %rbx, %r12\n mov %rbx, %r13\n mov %rbx, %r14\n mov %rbx, %r15\n"
        "  mov %rbx, %rdi\n mov %rbx, %rsi\n mov %rbx, %rdx\n mov %rbx, %r8\n mov %rbx, %r9\n mov %rbx, %r10\n"
        "  pcmpeqd %xmm0, %xmm0\n pcmpeqd %xmm1, %xmm1\n pcmpeqd %xmm2, %xmm2\n pcmpeqd %xmm3, %xmm3\n"
        "  pcmpeqd %xmm4, %xmm4\n pcmpeqd %xmm5, %xmm5\n pcmpeqd %xmm6, %xmm6\n pcmpeqd %xmm7, %xmm7\n"
        "  pcmpeqd %xmm8, %xmm8\n pcmpeqd %xmm9, %xmm9\n pcmpeqd %xmm10, %xmm10\n pcmpeqd %xmm11, %xmm11\n"
        "  pcmpeqd %xmm12, %xmm12\n pcmpeqd %xmm13, %xmm13\n pcmpeqd %xmm14, %xmm14\n pcmpeqd %xmm15, %xmm15\n"
        "  ldmxcsr (%rsp)\n"
        "  std\n"
        "  mov $24, %eax\n"   /* sched_yield */
        "  syscall\n"
        "  jmp 1b\n");

static void init_probe(struct probe *p, long nr, long a0, long a1)
{
    memset(p, 0, sizeof *p);
    p->nr = (uint64_t)nr;
    uint64_t argv[6] = {(uint64_t)a0, (uint64_t)a1, 0x1111222233334444UL, 0x5555666677778888UL,
                        0x99990000aaaabbbbUL, 0xccccddddeeeeffffUL};
    memcpy(p->args, argv, sizeof argv);
    for (int i = 0; i < 6; i++)
        p->callee[i] = 0x0102030405060708UL * (uint64_t)(i + 1) + 0x1000000000000000UL;
    for (int r = 0; r < 16; r++)
        for (int b = 0; b < 16; b++)
            p->xmm_in[r][b] = (uint8_t)(r * 16 + b + 1);
    p->mxcsr_in = 0x7f80; /* all exceptions masked, rounding toward zero */
    p->set_df = 1;
}

static const char *const arg_names[6] = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};
static const char *const callee_names[6] = {"rbx", "rbp", "r12", "r13", "r14", "r15"};

static void check_preserved(const struct probe *p, const char *when, long expected_rax)
{
    CHECK_EQ(expected_rax, (long)p->out_rax, "%s: %%rax holds the result", when);
    int bad = 0;
    for (int i = 0; i < 6; i++) {
        if (p->out_callee[i] != p->callee[i]) {
            DIAG("%s changed: %#lx -> %#lx", callee_names[i], (unsigned long)p->callee[i],
                 (unsigned long)p->out_callee[i]);
            bad = 1;
        }
    }
    CHECK(!bad, "%s: rbx rbp r12-r15 preserved", when);
    bad = 0;
    for (int i = 0; i < 6; i++) {
        if (p->out_args[i] != p->args[i]) {
            DIAG("%s changed: %#lx -> %#lx", arg_names[i], (unsigned long)p->args[i], (unsigned long)p->out_args[i]);
            bad = 1;
        }
    }
    CHECK(!bad, "%s: argument registers rdi rsi rdx r10 r8 r9 preserved", when);
    bad = 0;
    for (int r = 0; r < 16; r++) {
        if (memcmp(p->xmm_in[r], p->xmm_out[r], 16) != 0) {
            DIAG("xmm%d changed", r);
            bad = 1;
        }
    }
    CHECK(!bad, "%s: xmm0-xmm15 preserved", when);
    CHECK_EQ(p->mxcsr_in, p->mxcsr_out, "%s: MXCSR preserved", when);
    CHECK_EQ(0x400, p->out_rflags & 0x400, "%s: the direction flag preserved", when);
    CHECK_EQ(REDZONE_PATTERN, p->redzone, "%s: the 128-byte red zone below %%rsp is intact", when);
}

int main(void)
{
    static struct probe p;

    init_probe(&p, SYS_getpid, 0x0123456789abcdefL, 0x0fedcba987654321L);
    run_probe(&p);
    check_preserved(&p, "getpid", getpid());

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = clobbering_handler;
    sigaction(SIGUSR1, &sa, NULL);
    init_probe(&p, SYS_kill, getpid(), SIGUSR1);
    stub_count = 0;
    run_probe(&p);
    CHECK_EQ(1, stub_count, "the signal handler ran during kill(self)");
    CHECK_EQ(SIGUSR1, stub_sig, "the handler got the signal number in %%rdi");
    CHECK_EQ(0, (stub_rsp + 8) % 16, "handler entry: %%rsp + 8 is 16-byte aligned (rsp %#lx)", (unsigned long)stub_rsp);
    CHECK_EQ(0, stub_rflags & 0x400, "handler entry: the direction flag is clear");
    check_preserved(&p, "signal handler", 0);

    fflush(stdout);
    pid_t spinner = fork();
    if (spinner == 0)
        spin_clobber();
    struct timespec ts = {0, 30 * 1000 * 1000};
    init_probe(&p, SYS_nanosleep, (long)&ts, 0);
    run_probe(&p);
    check_preserved(&p, "nanosleep with another process running", 0);
    kill(spinner, SIGKILL);
    waitpid(spinner, NULL, 0);
    return tap_done();
}
