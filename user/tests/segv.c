/* segv: a process that faults is killed by SIGSEGV and its parent carries on.
 * "segv crash" dereferences NULL in a freshly executed image (no handlers, nothing else set up);
 * without arguments it runs that and other faulting children (a NULL read, a jump to NULL,
 * a write to read-only text, reads of kernel-half and non-canonical addresses) and checks
 * each one died of SIGSEGV while this process lives on. */
#include <signal.h>
#include <sys/wait.h>

#include "tap.h"

static int null_read(void *arg)
{
    (void)arg;
    return *(volatile int *)0;
}

static int null_call(void *arg)
{
    (void)arg;
    void (*volatile fn)(void) = 0;
    fn();
    return 0;
}

static int write_text(void *arg)
{
    (void)arg;
    *(volatile unsigned char *)(void *)&write_text = 0xc3;
    return 0;
}

static int read_address(void *arg)
{
    return *(volatile int *)arg;
}

static int run_crash_image(const char *self)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *args[] = {(char *)self, "crash", NULL};
        char *env[] = {NULL};
        execve(self, args, env);
        _exit(127);
    }
    int status = -1;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "crash") == 0)
        return *(volatile int *)0;

    CHECK_KILLED_BY(SIGSEGV, run_crash_image(argv[0]), "an executed image that dereferences NULL dies of SIGSEGV");
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(null_read, NULL), "a forked child reading NULL dies of SIGSEGV");
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(null_call, NULL), "a call through a NULL function pointer dies of SIGSEGV");
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(write_text, NULL), "a write to read-only program text dies of SIGSEGV");
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(read_address, (void *)0xffffffff80000000UL),
                    "a read of a kernel-half address dies of SIGSEGV");
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(read_address, (void *)0x0000800000000000UL),
                    "a read of a non-canonical address dies of SIGSEGV");
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(read_address, tap_unmapped_address()),
                    "a read of an unmapped user address dies of SIGSEGV");
    CHECK(getppid() > 0 && kill(getpid(), 0) == 0, "the parent is alive and well after all of that");
    return tap_done();
}
