/* exec_auxv: execve of a static ELF64 and the initial process state it creates: argv/envp
 * layout and contents, stack alignment, the auxiliary vector (AT_PAGESZ, AT_RANDOM, AT_PHDR,
 * AT_PHENT, AT_PHNUM, AT_ENTRY, AT_HWCAP, AT_CLKTCK, AT_UID/EUID/GID/EGID, AT_SECURE), what
 * survives execve (pid, fds without FD_CLOEXEC, ignored signals, the signal mask) and
 * execve's errors (ENOENT, EFAULT, EACCES, ENOEXEC).
 *
 * The program re-executes itself as "exec_auxv --dump ..." and compares what the new image
 * reports on stdout with what was passed. */
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/stat.h>

#include "tap.h"

extern const Elf64_Ehdr __ehdr_start;
extern char _start[];
extern char **environ;

static int saved_argc;
static char **saved_argv, **saved_envp;

/* The auxv array sits right after envp's terminating NULL. */
static Elf64_auxv_t *find_auxv(char **envp)
{
    while (*envp)
        envp++;
    return (Elf64_auxv_t *)(envp + 1);
}

static unsigned long raw_auxv(unsigned long type, int *found)
{
    *found = 0;
    for (Elf64_auxv_t *a = find_auxv(saved_envp); a->a_type != AT_NULL; a++) {
        if (a->a_type == type) {
            *found = 1;
            return a->a_un.a_val;
        }
    }
    return 0;
}

static void cpuid1(unsigned *edx)
{
    unsigned a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    *edx = d;
}

static void test_auxv(void)
{
    int found;
    CHECK_EQ(4096, getauxval(AT_PAGESZ), "AT_PAGESZ is 4096");

    unsigned long random = raw_auxv(AT_RANDOM, &found);
    if (CHECK(found && random, "AT_RANDOM is present")) {
        const unsigned char *bytes = (const unsigned char *)random;
        int nonzero = 0;
        for (int i = 0; i < 16; i++)
            nonzero += bytes[i] != 0;
        CHECK(nonzero >= 4, "AT_RANDOM points at 16 random bytes (%d non-zero)", nonzero);
    }

    unsigned long phdr = raw_auxv(AT_PHDR, &found);
    CHECK(found, "AT_PHDR is present");
    CHECK_EQ((unsigned long)&__ehdr_start + __ehdr_start.e_phoff, phdr,
             "AT_PHDR is the address of the loaded program headers");
    CHECK_EQ(sizeof(Elf64_Phdr), getauxval(AT_PHENT), "AT_PHENT is sizeof(Elf64_Phdr)");
    CHECK_EQ(__ehdr_start.e_phnum, getauxval(AT_PHNUM), "AT_PHNUM matches the ELF header");
    if (found && phdr) {
        const Elf64_Phdr *ph = (const Elf64_Phdr *)phdr;
        int covers_text = 0;
        for (unsigned i = 0; i < getauxval(AT_PHNUM); i++) {
            if (ph[i].p_type == PT_LOAD && (unsigned long)&test_auxv >= ph[i].p_vaddr &&
                (unsigned long)&test_auxv < ph[i].p_vaddr + ph[i].p_memsz && (ph[i].p_flags & PF_X))
                covers_text = 1;
        }
        CHECK(covers_text, "the program headers at AT_PHDR describe the running text segment");
    }
    CHECK_EQ((unsigned long)_start, getauxval(AT_ENTRY), "AT_ENTRY is the address of _start");
    CHECK_EQ(__ehdr_start.e_entry, getauxval(AT_ENTRY), "AT_ENTRY equals e_entry");

    unsigned long hwcap = raw_auxv(AT_HWCAP, &found);
    unsigned edx;
    cpuid1(&edx);
    CHECK(found, "AT_HWCAP is present");
    CHECK_EQ(edx & ((1u << 0) | (1u << 25) | (1u << 26)), hwcap & ((1u << 0) | (1u << 25) | (1u << 26)),
             "AT_HWCAP has the FPU, SSE and SSE2 bits of CPUID.1:EDX");
    CHECK_EQ(100, getauxval(AT_CLKTCK), "AT_CLKTCK is 100");

    raw_auxv(AT_UID, &found);
    CHECK(found, "AT_UID is present");
    CHECK_EQ(getuid(), getauxval(AT_UID), "AT_UID equals getuid()");
    CHECK_EQ(geteuid(), getauxval(AT_EUID), "AT_EUID equals geteuid()");
    CHECK_EQ(getgid(), getauxval(AT_GID), "AT_GID equals getgid()");
    CHECK_EQ(getegid(), getauxval(AT_EGID), "AT_EGID equals getegid()");
    CHECK_EQ(0, getauxval(AT_SECURE), "AT_SECURE is 0");
}

static void test_initial_stack(void)
{
    CHECK_EQ(8, (uintptr_t)saved_argv % 16, "argv is at initial %%rsp + 8 with %%rsp 16-byte aligned");
    CHECK(saved_argv[saved_argc] == NULL, "argv[argc] is NULL");
    CHECK(saved_envp == saved_argv + saved_argc + 1, "envp follows argv's NULL terminator");
    Elf64_auxv_t *auxv = find_auxv(saved_envp);
    int n = 0, has_pagesz = 0;
    for (; auxv[n].a_type != AT_NULL && n < 256; n++)
        if (auxv[n].a_type == AT_PAGESZ && auxv[n].a_un.a_val == 4096)
            has_pagesz = 1;
    CHECK(n < 256 && has_pagesz, "auxv follows envp, holds AT_PAGESZ and ends with AT_NULL (%d entries)", n);
    CHECK((uintptr_t)saved_argv[0] > (uintptr_t)&auxv[n],
          "argument strings are stored above the auxv (the stack's information block)");
}

/* The re-executed image: reports what it received on stdout. */
static int dump_mode(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, i == 0 ? "(self)" : argv[i]);
    int envc = 0;
    while (envp[envc])
        envc++;
    printf("envc=%d\n", envc);
    for (int i = 0; i < envc; i++)
        printf("env[%d]=%s\n", i, envp[i]);
    printf("argv_align=%d\n", (int)((uintptr_t)argv % 16));
    printf("pagesz=%lu\n", getauxval(AT_PAGESZ));
    printf("pid=%d\n", getpid());
    /* argv[2] and argv[3]: fds opened without / with FD_CLOEXEC by the parent. */
    printf("keep_fd=%s\n", fcntl(atoi(argv[2]), F_GETFD) >= 0 ? "open" : "closed");
    printf("cloexec_fd=%s\n", fcntl(atoi(argv[3]), F_GETFD) >= 0 ? "open" : "closed");
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    printf("usr1=%s\n", sa.sa_handler == SIG_DFL ? "default" : "not default");
    sigaction(SIGUSR2, NULL, &sa);
    printf("usr2=%s\n", sa.sa_handler == SIG_IGN ? "ignored" : "not ignored");
    sigset_t mask;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    printf("term_blocked=%d\n", sigismember(&mask, SIGTERM));
    fflush(stdout);
    return 0;
}

static void on_usr1(int sig)
{
    (void)sig;
}

static void test_reexec(const char *self)
{
    int keep = open("/dev/null", O_RDONLY);
    int cloexec = open("/dev/null", O_RDONLY | O_CLOEXEC);
    char keep_s[16], cloexec_s[16];
    snprintf(keep_s, sizeof keep_s, "%d", keep);
    snprintf(cloexec_s, sizeof cloexec_s, "%d", cloexec);

    int p[2];
    if (!CHECK_LIBC_OK(pipe2(p, 0), "pipe2 for the re-exec"))
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        struct sigaction sa = {0};
        sa.sa_handler = on_usr1;
        sigaction(SIGUSR1, &sa, NULL);
        signal(SIGUSR2, SIG_IGN);
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        char *args[] = {(char *)self, "--dump", keep_s, cloexec_s, "two words", "", "last", NULL};
        char *env[] = {"EXT_A=1", "EXT_B=with space", "EXT_EMPTY=", NULL};
        execve(self, args, env);
        _exit(127);
    }
    close(p[1]);
    static char out[4096];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof out - 1 && (n = read(p[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    CHECK_EXITED(0, status, "re-executed image ran and exited 0");

    char expected[2048];
    snprintf(expected, sizeof expected,
             "argc=7\nargv[0]=(self)\nargv[1]=--dump\nargv[2]=%s\nargv[3]=%s\nargv[4]=two words\n"
             "argv[5]=\nargv[6]=last\nenvc=3\nenv[0]=EXT_A=1\nenv[1]=EXT_B=with space\n"
             "env[2]=EXT_EMPTY=\nargv_align=8\npagesz=4096\npid=%d\nkeep_fd=open\n"
             "cloexec_fd=closed\nusr1=default\nusr2=ignored\nterm_blocked=1\n",
             keep_s, cloexec_s, (int)pid);
    if (!CHECK_STR(expected, out, "argv, envp, auxv, pid, fds and signal state after execve")) {
        /* Point at the first differing line. */
        const char *a = expected, *b = out;
        while (*a && *a == *b)
            a++, b++;
        while (a > expected && a[-1] != '\n')
            a--, b--;
        DIAG("first difference: expected line \"%.*s\"", (int)strcspn(a, "\n"), a);
    }
    close(keep);
    close(cloexec);
}

static void test_errors(void)
{
    char *args[] = {"x", NULL};
    char *env[] = {NULL};
    CHECK_ERR(ENOENT, SYS3(SYS_execve, "/nonexistent/program", args, env), "execve of a missing file");
    CHECK_ERR(EFAULT, SYS3(SYS_execve, (void *)1, args, env), "execve with a bad path pointer");
    CHECK_ERR(EACCES, SYS3(SYS_execve, "/tmp", args, env), "execve of a directory");

    char path[64];
    snprintf(path, sizeof path, "/tmp/exec_auxv_junk_%d", getpid());
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    if (CHECK_LIBC_OK(fd, "create a junk executable in /tmp")) {
        static const char junk[] = "\x7f" "ELX this is not an ELF file nor a script\n";
        write(fd, junk, sizeof junk - 1);
        close(fd);
        CHECK_ERR(ENOEXEC, SYS3(SYS_execve, path, args, env), "execve of a file with a bad header");
        unlink(path);
    }
}

int main(int argc, char **argv, char **envp)
{
    if (argc >= 2 && strcmp(argv[1], "--dump") == 0)
        return dump_mode(argc, argv, envp);
    saved_argc = argc;
    saved_argv = argv;
    saved_envp = envp;
    test_initial_stack();
    test_auxv();
    test_reexec(argv[0]);
    test_errors();
    return tap_done();
}
