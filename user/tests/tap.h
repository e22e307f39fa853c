/* tap.h: a tiny TAP (Test Anything Protocol) producer shared by the in-guest test programs.
 *
 * Every check prints "ok N - description" or "not ok N - description" followed, on failure,
 * by "# expected: ..." / "# actual: ..." diagnostics; tap_done() prints the plan "1..N" and
 * returns the exit status (0 iff every check passed). stdout is flushed after every line so
 * that output is never duplicated by fork() and reaches the runner even if the test dies.
 *
 * Raw syscalls (sys()) are used wherever a libc wrapper would hide the kernel's behaviour
 * (a vDSO, a fallback, or a userspace copy that would fault before the kernel sees a bad
 * pointer). */
#ifndef EXT_EBPF_TAP_H
#define EXT_EBPF_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAP_FN static __attribute__((unused))

static int tap_count;
static int tap_failures;

TAP_FN const char *tap_errname(int e)
{
    switch (e) {
    case 0: return "0 (no error)";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EMLINK: return "EMLINK";
    case EPIPE: return "EPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EOVERFLOW: return "EOVERFLOW";
    case ENOTSUP: return "EOPNOTSUPP";
    case ETIMEDOUT: return "ETIMEDOUT";
    }
    static char buf[32];
    snprintf(buf, sizeof buf, "errno %d", e);
    return buf;
}

/* Raw syscall returning the kernel's value: -errno on failure, never touching errno. */
TAP_FN long sys(long nr, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define SYS0(nr) sys((nr), 0, 0, 0, 0, 0, 0)
#define SYS1(nr, a) sys((nr), (long)(a), 0, 0, 0, 0, 0)
#define SYS2(nr, a, b) sys((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(nr, a, b, c) sys((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(nr, a, b, c, d) sys((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SYS5(nr, a, b, c, d, e) sys((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define SYS6(nr, a, b, c, d, e, f) \
    sys((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

TAP_FN void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
TAP_FN void tap_diag(const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fputs("# ", stdout);
    for (const char *c = text; *c; c++) {
        if (*c == '\n')
            fputs("\\n", stdout); /* one diagnostic stays one line */
        else
            fputc(*c, stdout);
    }
    fputc('\n', stdout);
    fflush(stdout);
}
#define DIAG(...) tap_diag(__VA_ARGS__)

/* Prints one result line; returns ok so callers can add diagnostics after a failure. A newline
 * in the description is printed as "\\n" so that one result is always one line. */
TAP_FN int tap_result(int ok, const char *fmt, va_list ap)
{
    char desc[512];
    vsnprintf(desc, sizeof desc, fmt, ap);
    ++tap_count;
    if (!ok)
        ++tap_failures;
    printf("%s %d - ", ok ? "ok" : "not ok", tap_count);
    for (const char *c = desc; *c; c++) {
        if (*c == '\n')
            fputs("\\n", stdout);
        else
            fputc(*c, stdout);
    }
    fputc('\n', stdout);
    fflush(stdout);
    return ok;
}

TAP_FN int tap_ok(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
TAP_FN int tap_ok(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_result(ok, fmt, ap);
    va_end(ap);
    return ok;
}

/* A check that cannot be meaningful here: reported as passing with a TAP SKIP directive. */
TAP_FN void tap_skip(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
TAP_FN void tap_skip(const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ++tap_count;
    printf("ok %d - ", tap_count);
    vprintf(fmt, ap);
    printf(" # SKIP %s\n", reason);
    fflush(stdout);
    va_end(ap);
}

TAP_FN int tap_check_long(long expected, long actual, const char *exprs, const char *file, int line,
                          const char *fmt, ...) __attribute__((format(printf, 6, 7)));
TAP_FN int tap_check_long(long expected, long actual, const char *exprs, const char *file, int line,
                          const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int ok = tap_result(expected == actual, fmt, ap);
    va_end(ap);
    if (!ok) {
        tap_diag("%s:%d: %s", file, line, exprs);
        tap_diag("expected: %ld (%#lx)", expected, (unsigned long)expected);
        tap_diag("actual:   %ld (%#lx)", actual, (unsigned long)actual);
    }
    return ok;
}

TAP_FN int tap_check_str(const char *expected, const char *actual, const char *file, int line,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
TAP_FN int tap_check_str(const char *expected, const char *actual, const char *file, int line,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int same = expected && actual && strcmp(expected, actual) == 0;
    int ok = tap_result(same, fmt, ap);
    va_end(ap);
    if (!ok) {
        tap_diag("%s:%d", file, line);
        tap_diag("expected: \"%s\"", expected ? expected : "(null)");
        tap_diag("actual:   \"%s\"", actual ? actual : "(null)");
    }
    return ok;
}

/* Checks that a raw syscall result is the error -expected_errno. */
TAP_FN int tap_check_err(long expected_errno, long ret, const char *expr, const char *file, int line,
                         const char *fmt, ...) __attribute__((format(printf, 6, 7)));
TAP_FN int tap_check_err(long expected_errno, long ret, const char *expr, const char *file, int line,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int ok = tap_result(ret == -expected_errno, fmt, ap);
    va_end(ap);
    if (!ok) {
        tap_diag("%s:%d: %s", file, line, expr);
        tap_diag("expected: -1 %s", tap_errname((int)expected_errno));
        if (ret < 0 && ret > -4096)
            tap_diag("actual:   -1 %s", tap_errname((int)-ret));
        else
            tap_diag("actual:   %ld (success)", ret);
    }
    return ok;
}

/* Checks that a raw syscall result is not an error. */
TAP_FN int tap_check_ok(long ret, const char *expr, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
TAP_FN int tap_check_ok(long ret, const char *expr, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int ok = tap_result(!(ret < 0 && ret > -4096), fmt, ap);
    va_end(ap);
    if (!ok) {
        tap_diag("%s:%d: %s", file, line, expr);
        tap_diag("expected: success");
        tap_diag("actual:   -1 %s", tap_errname((int)-ret));
    }
    return ok;
}

/* CHECK(cond, "description %d", ...): a plain boolean check. */
#define CHECK(cond, ...) tap_check_cond(!!(cond), #cond, __FILE__, __LINE__, __VA_ARGS__)
TAP_FN int tap_check_cond(int ok, const char *expr, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
TAP_FN int tap_check_cond(int ok, const char *expr, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_result(ok, fmt, ap);
    va_end(ap);
    if (!ok)
        tap_diag("%s:%d: failed: %s", file, line, expr);
    return ok;
}

/* CHECK_EQ(expected, actual, "description"): integer equality, both values shown on failure. */
#define CHECK_EQ(expected, actual, ...) \
    tap_check_long((long)(expected), (long)(actual), #actual " == " #expected, __FILE__, __LINE__, __VA_ARGS__)
/* CHECK_STR(expected, actual, "description"): string equality. */
#define CHECK_STR(expected, actual, ...) tap_check_str((expected), (actual), __FILE__, __LINE__, __VA_ARGS__)
/* CHECK_ERR(EBADF, raw_ret, "description"): a raw syscall (sys/SYSn) failed with EBADF. */
#define CHECK_ERR(err, ret, ...) tap_check_err((err), (long)(ret), #ret, __FILE__, __LINE__, __VA_ARGS__)
/* CHECK_SYS_OK(raw_ret, "description"): a raw syscall succeeded. */
#define CHECK_SYS_OK(ret, ...) tap_check_ok((long)(ret), #ret, __FILE__, __LINE__, __VA_ARGS__)
/* CHECK_LIBC_OK(libc_ret, ...): a libc call returning -1/errno succeeded. */
#define CHECK_LIBC_OK(ret, ...) \
    tap_check_ok((long)(ret) == -1 ? -(long)errno : 0, #ret, __FILE__, __LINE__, __VA_ARGS__)
/* CHECK_LIBC_ERR(EBADF, libc_ret, ...): a libc call returned -1 with errno EBADF. */
#define CHECK_LIBC_ERR(err, ret, ...) \
    tap_check_err((err), (long)(ret) == -1 ? -(long)errno : (long)(ret), #ret, __FILE__, __LINE__, __VA_ARGS__)

/* Prints the plan and returns the process exit status. */
TAP_FN int tap_done(void)
{
    printf("1..%d\n", tap_count);
    fflush(stdout);
    return tap_failures ? 1 : 0;
}

/* Helpers most tests need. */

/* An address that is guaranteed unmapped: a page mapped and then unmapped. */
TAP_FN void *tap_unmapped_address(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return (void *)1;
    munmap(p, 4096);
    return p;
}

/* A file descriptor number that is certainly not open. */
#define TAP_BAD_FD 1023

/* Runs fn in a child process (fork + _exit(fn())) and returns the wait status, or -1. */
TAP_FN int tap_in_child(int (*fn)(void *), void *arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(fn(arg));
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

/* Describes a wait status for diagnostics. */
TAP_FN const char *tap_describe_status(int status)
{
    static char buf[64];
    if (status == -1)
        snprintf(buf, sizeof buf, "(wait failed)");
    else if (WIFEXITED(status))
        snprintf(buf, sizeof buf, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, sizeof buf, "raw status %#x", status);
    return buf;
}

/* CHECK_KILLED_BY(SIGSEGV, status, ...): a wait status says "terminated by that signal". */
#define CHECK_KILLED_BY(sig, status, ...)                                                         \
    do {                                                                                          \
        int st_ = (status);                                                                       \
        if (!tap_ok(st_ != -1 && WIFSIGNALED(st_) && WTERMSIG(st_) == (sig), __VA_ARGS__)) {      \
            tap_diag("expected: killed by signal %d", (sig));                                     \
            tap_diag("actual:   %s", tap_describe_status(st_));                                   \
        }                                                                                         \
    } while (0)

/* CHECK_EXITED(code, status, ...): a wait status says "exited normally with code". */
#define CHECK_EXITED(code, status, ...)                                                           \
    do {                                                                                          \
        int st_ = (status);                                                                       \
        if (!tap_ok(st_ != -1 && WIFEXITED(st_) && WEXITSTATUS(st_) == (code), __VA_ARGS__)) {    \
            tap_diag("expected: exited with status %d", (code));                                  \
            tap_diag("actual:   %s", tap_describe_status(st_));                                   \
        }                                                                                         \
    } while (0)

#endif
