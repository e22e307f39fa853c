/* signals: rt_sigaction, rt_sigprocmask and rt_sigreturn: handlers run and return with
 * siginfo filled in, masks during and after handlers (sa_mask, SA_NODEFER, SA_RESETHAND),
 * blocked signals stay pending and coalesce, nested delivery, fault signals with si_addr /
 * si_code and a handler that redirects execution through the ucontext, EINTR vs SA_RESTART,
 * SIGCHLD, inheritance over fork, and the default actions (SIGSEGV, SIGILL, SIGFPE, SIGTRAP,
 * SIGKILL even when blocked, SIGTERM, SIGUSR1 terminate; SIGCHLD is ignored). */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>

#include "tap.h"

/* Probes with known instruction addresses: a fault handler resumes at the *_resume label with
 * %rax set to 0xfa17, so the probe returns 0xfa17 if the modified context was restored. */
__asm__(".text\n"
        ".globl probe_load\n probe_load:\n movq (%rdi), %rax\n"
        ".globl probe_load_resume\n probe_load_resume:\n ret\n"
        ".globl probe_store\n probe_store:\n movq $1, (%rdi)\n xorl %eax, %eax\n"
        ".globl probe_store_resume\n probe_store_resume:\n ret\n"
        ".globl probe_ud2\n probe_ud2:\n ud2\n"
        ".globl probe_ud2_resume\n probe_ud2_resume:\n ret\n"
        ".globl probe_div\n probe_div:\n xorl %ecx, %ecx\n movl $1, %eax\n cltd\n"
        ".globl probe_div_insn\n probe_div_insn:\n idivl %ecx\n"
        ".globl probe_div_resume\n probe_div_resume:\n ret\n");
long probe_load(void *addr);
long probe_store(void *addr);
long probe_ud2(void);
long probe_div(void);
extern char probe_load_resume[], probe_store_resume[], probe_ud2_resume[], probe_div_insn[], probe_div_resume[];

static volatile sig_atomic_t usr1_count, usr2_count, chld_count, usr2_inside_usr1;
static volatile siginfo_t last_info;
static volatile unsigned long mask_in_handler;

static unsigned long current_mask(void)
{
    unsigned long m = 0;
    SYS4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
    return m;
}

static unsigned long bit(int sig)
{
    return 1UL << (sig - 1);
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    (void)sig;
    usr1_count++;
    last_info = *si;
    mask_in_handler = current_mask();
}

static void on_usr2(int sig)
{
    (void)sig;
    usr2_count++;
}

static void on_usr1_nesting(int sig)
{
    (void)sig;
    int before = usr2_count;
    SYS2(SYS_kill, SYS0(SYS_getpid), SIGUSR2);
    usr2_inside_usr1 = usr2_count - before;
    usr1_count++;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags, unsigned long extra_mask_sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (extra_mask_sig)
        sigaddset(&sa.sa_mask, (int)extra_mask_sig);
    sigaction(sig, &sa, NULL);
}

static void install_simple(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static void test_handler_runs(void)
{
    install(SIGUSR1, on_usr1, 0, SIGUSR2);
    usr1_count = 0;
    CHECK_EQ(0, SYS2(SYS_kill, SYS0(SYS_getpid), SIGUSR1), "kill(self, SIGUSR1)");
    CHECK_EQ(1, usr1_count, "the handler ran before kill returned");
    CHECK_EQ(SIGUSR1, last_info.si_signo, "si_signo is SIGUSR1");
    CHECK_EQ(SI_USER, last_info.si_code, "si_code is SI_USER");
    CHECK_EQ(getpid(), last_info.si_pid, "si_pid is the sender");
    CHECK_EQ(getuid(), last_info.si_uid, "si_uid is the sender's uid");
    CHECK(mask_in_handler & bit(SIGUSR1), "the signal itself is blocked inside its handler");
    CHECK(mask_in_handler & bit(SIGUSR2), "sa_mask signals are blocked inside the handler");
    CHECK_EQ(0, current_mask() & (bit(SIGUSR1) | bit(SIGUSR2)), "the mask is restored after the handler returns");

    struct sigaction old;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGUSR1, &sa, &old);
    CHECK(old.sa_sigaction == on_usr1 && (old.sa_flags & SA_SIGINFO), "rt_sigaction returns the previous action");
    SYS2(SYS_kill, SYS0(SYS_getpid), SIGUSR1);
    CHECK_EQ(0, mask_in_handler & bit(SIGUSR1), "with SA_NODEFER the signal is not blocked in its handler");

    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    usr1_count = 0;
    SYS2(SYS_kill, SYS0(SYS_getpid), SIGUSR1);
    sigaction(SIGUSR1, NULL, &old);
    CHECK(usr1_count == 1 && old.sa_handler == SIG_DFL, "SA_RESETHAND: the handler runs once, then the action is SIG_DFL");

    install_simple(SIGUSR1, on_usr1_nesting, 0);
    install_simple(SIGUSR2, on_usr2, 0);
    usr1_count = usr2_count = 0;
    SYS2(SYS_kill, SYS0(SYS_getpid), SIGUSR1);
    CHECK(usr1_count == 1 && usr2_inside_usr1 == 1, "a signal raised inside a handler is delivered there (nested)");
}

static void test_sigaction_errors(void)
{
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask;
    } act = {(void *)on_usr2, 0x04000000 /* SA_RESTORER */, NULL, 0}, old;
    CHECK_ERR(EINVAL, SYS4(SYS_rt_sigaction, SIGKILL, &act, NULL, 8), "a handler for SIGKILL");
    CHECK_ERR(EINVAL, SYS4(SYS_rt_sigaction, SIGSTOP, &act, NULL, 8), "a handler for SIGSTOP");
    CHECK_EQ(0, SYS4(SYS_rt_sigaction, SIGKILL, NULL, &old, 8), "reading SIGKILL's action is allowed");
    CHECK_ERR(EINVAL, SYS4(SYS_rt_sigaction, 0, &act, NULL, 8), "rt_sigaction of signal 0");
    CHECK_ERR(EINVAL, SYS4(SYS_rt_sigaction, 65, &act, NULL, 8), "rt_sigaction of signal 65");
    CHECK_ERR(EINVAL, SYS4(SYS_rt_sigaction, SIGUSR2, &act, NULL, 4), "rt_sigaction with sigsetsize 4");
    CHECK_ERR(EFAULT, SYS4(SYS_rt_sigaction, SIGUSR2, tap_unmapped_address(), NULL, 8), "rt_sigaction from unmapped memory");
    CHECK_ERR(EFAULT, SYS4(SYS_rt_sigaction, SIGUSR2, NULL, tap_unmapped_address(), 8), "rt_sigaction into unmapped memory");
}

static void test_procmask(void)
{
    install(SIGUSR1, on_usr1, 0, 0);
    unsigned long set = bit(SIGUSR1), old = 0xdead;
    CHECK_EQ(0, SYS4(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8), "rt_sigprocmask SIG_BLOCK SIGUSR1");
    CHECK_EQ(0, old, "the previous mask was empty");
    usr1_count = 0;
    SYS2(SYS_kill, SYS0(SYS_getpid), SIGUSR1);
    SYS2(SYS_kill, SYS0(SYS_getpid), SIGUSR1);
    CHECK_EQ(0, usr1_count, "a blocked signal is not delivered");
    CHECK_EQ(0, SYS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8), "rt_sigprocmask SIG_UNBLOCK");
    CHECK_EQ(1, usr1_count, "the pending signal is delivered once on unblock (standard signals coalesce)");

    unsigned long all = ~0UL, now = 0;
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &old, &now, 8);
    CHECK_EQ(0, now & (bit(SIGKILL) | bit(SIGSTOP)), "SIGKILL and SIGSTOP cannot be blocked");
    CHECK(now & bit(SIGUSR2), "other signals were blocked by SIG_SETMASK");
    CHECK_ERR(EINVAL, SYS4(SYS_rt_sigprocmask, 99, &set, NULL, 8), "rt_sigprocmask with an invalid how");
    CHECK_ERR(EINVAL, SYS4(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4), "rt_sigprocmask with sigsetsize 4");
    CHECK_ERR(EFAULT, SYS4(SYS_rt_sigprocmask, SIG_BLOCK, tap_unmapped_address(), NULL, 8),
              "rt_sigprocmask from unmapped memory");
}

static volatile int fault_sig, fault_code;
static void *volatile fault_addr;
static volatile unsigned long fault_rip;
static void *volatile resume_at;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    fault_sig = sig;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    fault_rip = (unsigned long)uc->uc_mcontext.gregs[REG_RIP];
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume_at;
    uc->uc_mcontext.gregs[REG_RAX] = 0xfa17;
}

static void test_fault_handlers(void)
{
    install(SIGSEGV, on_fault, 0, 0);
    install(SIGILL, on_fault, 0, 0);
    install(SIGFPE, on_fault, 0, 0);

    void *unmapped = tap_unmapped_address();
    resume_at = probe_load_resume;
    fault_sig = 0;
    long r = probe_load(unmapped);
    CHECK_EQ(0xfa17, r, "a SIGSEGV handler resumes at a new RIP with a new RAX (rt_sigreturn restores the edited context)");
    CHECK_EQ(SIGSEGV, fault_sig, "reading unmapped memory raises SIGSEGV");
    CHECK(fault_addr == unmapped, "si_addr is the faulting address (%p, expected %p)", fault_addr, unmapped);
    CHECK_EQ(SEGV_MAPERR, fault_code, "si_code is SEGV_MAPERR for an unmapped address");
    CHECK_EQ((unsigned long)probe_load, fault_rip, "the saved RIP is the faulting instruction");

    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    resume_at = probe_store_resume;
    fault_sig = 0;
    r = probe_store(ro + 8);
    CHECK_EQ(0xfa17, r, "a write fault is resumed the same way");
    CHECK(fault_sig == SIGSEGV && fault_addr == ro + 8, "writing a read-only page raises SIGSEGV at that address");
    CHECK_EQ(SEGV_ACCERR, fault_code, "si_code is SEGV_ACCERR for a protection fault");
    munmap(ro, 4096);

    resume_at = probe_ud2_resume;
    fault_sig = 0;
    r = probe_ud2();
    CHECK(r == 0xfa17 && fault_sig == SIGILL, "ud2 raises SIGILL and the handler can skip it");
    CHECK(fault_addr == (void *)probe_ud2, "SIGILL si_addr is the ud2 instruction");
    CHECK_EQ(ILL_ILLOPN, fault_code, "SIGILL si_code is ILL_ILLOPN");

    resume_at = probe_div_resume;
    fault_sig = 0;
    r = probe_div();
    CHECK(r == 0xfa17 && fault_sig == SIGFPE, "integer division by zero raises SIGFPE");
    CHECK(fault_addr == (void *)probe_div_insn, "SIGFPE si_addr is the idiv instruction");
    CHECK_EQ(FPE_INTDIV, fault_code, "SIGFPE si_code is FPE_INTDIV");

    signal(SIGSEGV, SIG_DFL);
    signal(SIGILL, SIG_DFL);
    signal(SIGFPE, SIG_DFL);
}

/* Waits (up to ~1 s) until /proc says pid is sleeping; returns 0 if /proc cannot tell. */
static int wait_until_sleeping(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    for (int i = 0; i < 100; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            break;
        long n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            break;
        buf[n] = '\0';
        char *paren = strrchr(buf, ')');
        if (paren && paren[1] == ' ' && paren[2] == 'S')
            return 1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    return 0;
}

static void on_usr1_plain(int sig)
{
    (void)sig;
}

/* Child: blocks in read() and reports how it ended: 0 = EINTR, 1 = data, 2 = other. */
static int interrupted_read_child(int fd, int restart)
{
    install_simple(SIGUSR1, on_usr1_plain, restart ? SA_RESTART : 0);
    char c;
    long r = SYS3(SYS_read, fd, &c, 1);
    if (r == -EINTR)
        return 0;
    return r == 1 ? 1 : 2;
}

static void test_eintr_and_restart(void)
{
    for (int restart = 0; restart <= 1; restart++) {
        int p[2];
        pipe2(p, 0);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0)
            _exit(interrupted_read_child(p[0], restart));
        wait_until_sleeping(pid);
        kill(pid, SIGUSR1);
        struct timespec ts = {0, 30 * 1000 * 1000};
        nanosleep(&ts, NULL);
        write(p[1], "x", 1);
        int status;
        waitpid(pid, &status, 0);
        if (restart)
            CHECK_EXITED(1, status, "with SA_RESTART a blocked read is restarted after the handler");
        else
            CHECK_EXITED(0, status, "without SA_RESTART a signal interrupts a blocked read with EINTR");
        close(p[0]);
        close(p[1]);
    }
}

static volatile pid_t chld_pid;
static volatile int chld_code, chld_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    chld_count++;
    chld_pid = si->si_pid;
    chld_code = si->si_code;
    chld_status = si->si_status;
}

static void test_sigchld(void)
{
    install(SIGCHLD, on_chld, 0, 0);
    chld_count = 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    int status;
    waitpid(pid, &status, 0);
    for (int i = 0; i < 100 && !chld_count; i++)
        sched_yield();
    CHECK_EQ(1, chld_count, "a SIGCHLD handler runs when a child exits");
    CHECK_EQ(pid, chld_pid, "SIGCHLD si_pid is the child");
    CHECK_EQ(CLD_EXITED, chld_code, "SIGCHLD si_code is CLD_EXITED");
    CHECK_EQ(3, chld_status, "SIGCHLD si_status is the exit code");
    signal(SIGCHLD, SIG_DFL);
}

static int child_checks_inheritance(void *arg)
{
    (void)arg;
    /* SIGUSR2: blocked in the parent and pending there; neither pending state nor the
     * parent's pending signal may reach the child, but the mask and handler are inherited. */
    int blocked = (current_mask() & bit(SIGUSR2)) != 0;
    struct sigaction sa;
    sigaction(SIGUSR2, NULL, &sa);
    int handler_kept = sa.sa_handler == on_usr2;
    usr2_count = 0;
    unsigned long set = bit(SIGUSR2);
    SYS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8);
    int not_pending = usr2_count == 0;
    return (blocked ? 0 : 1) | (handler_kept ? 0 : 2) | (not_pending ? 0 : 4);
}

static void test_fork_inheritance(void)
{
    install_simple(SIGUSR2, on_usr2, 0);
    unsigned long set = bit(SIGUSR2);
    SYS4(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8);
    usr2_count = 0;
    SYS2(SYS_kill, SYS0(SYS_getpid), SIGUSR2);
    int status = tap_in_child(child_checks_inheritance, NULL);
    CHECK_EXITED(0, status, "a child inherits the mask and handlers but not pending signals");
    SYS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8);
    CHECK_EQ(1, usr2_count, "the parent still gets its pending signal");
}

static int do_null_deref(void *arg)
{
    (void)arg;
    return *(volatile int *)0;
}
static int do_ud2(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
    return 0;
}
static int do_div0(void *arg)
{
    (void)arg;
    return (int)probe_div();
}
static int do_int3(void *arg)
{
    (void)arg;
    __asm__ volatile("int3");
    return 0;
}
static int do_self_signal(void *arg)
{
    signal((int)(long)arg, SIG_DFL);
    SYS2(SYS_kill, SYS0(SYS_getpid), (long)arg);
    return 0;
}
static int do_chld_ignored(void *arg)
{
    (void)arg;
    signal(SIGCHLD, SIG_DFL);
    pid_t kid = fork();
    if (kid == 0)
        _exit(0);
    struct timespec ts = {0, 50 * 1000 * 1000};
    long r = SYS2(SYS_nanosleep, &ts, NULL);
    if (r != 0)
        return 1; /* interrupted by the default-ignored SIGCHLD */
    int status;
    return waitpid(kid, &status, 0) == kid ? 0 : 2;
}

static void test_default_actions(void)
{
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(do_null_deref, NULL), "default action of SIGSEGV (NULL dereference) kills");
    CHECK_KILLED_BY(SIGILL, tap_in_child(do_ud2, NULL), "default action of SIGILL (ud2) kills");
    CHECK_KILLED_BY(SIGFPE, tap_in_child(do_div0, NULL), "default action of SIGFPE (divide by zero) kills");
    CHECK_KILLED_BY(SIGTRAP, tap_in_child(do_int3, NULL), "default action of SIGTRAP (int3) kills");
    CHECK_KILLED_BY(SIGTERM, tap_in_child(do_self_signal, (void *)(long)SIGTERM), "default action of SIGTERM kills");
    CHECK_KILLED_BY(SIGUSR1, tap_in_child(do_self_signal, (void *)(long)SIGUSR1), "default action of SIGUSR1 kills");
    CHECK_EXITED(0, tap_in_child(do_chld_ignored, NULL),
                 "SIGCHLD is ignored by default: no EINTR, and the child stays waitable");

    /* SIGKILL kills even a process that blocks every signal; an ignored SIGTERM does nothing. */
    int p[2];
    pipe2(p, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_IGN);
        unsigned long all = ~0UL;
        SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
        write(p[1], "r", 1);
        for (;;) {
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
        }
    }
    char c;
    read(p[0], &c, 1);
    kill(pid, SIGTERM);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int status;
    CHECK_EQ(0, waitpid(pid, &status, WNOHANG), "an ignored SIGTERM leaves the process alive");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    CHECK_KILLED_BY(SIGKILL, status, "SIGKILL kills a process that blocks all signals");
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    test_handler_runs();
    test_sigaction_errors();
    test_procmask();
    test_fault_handlers();
    test_eintr_and_restart();
    test_sigchld();
    test_fork_inheritance();
    test_default_actions();
    return tap_done();
}
