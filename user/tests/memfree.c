/* memfree: no memory leaks in the process lifecycle. Reads MemFree from /proc/meminfo, runs
 * 1000 fork + execve(/bin/true) + exit + wait4 cycles (after 20 warm-up cycles), and requires
 * MemFree to be exactly what it was. Only meaningful on the ext-ebpf kernel: elsewhere
 * (uname -r not ending in "ext-ebpf") the comparison is reported as a TAP SKIP. */
#include <fcntl.h>
#include <sys/wait.h>

#include "tap.h"
#include "meminfo.h"

#define WARMUP 20
#define CYCLES 1000

/* Returns the number of cycles whose child did not exit with status 0. */
static int run_cycles(int count, const char *program)
{
    int failures = 0;
    for (int i = 0; i < count; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            char *args[] = {(char *)program, NULL};
            char *env[] = {NULL};
            execve(program, args, env);
            _exit(127);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failures++;
    }
    return failures;
}

int main(void)
{
    const char *bin = getenv("EXT_EBPF_BIN");
    char program[512];
    snprintf(program, sizeof program, "%s/true", bin && *bin ? bin : "/bin");
    int ext_kernel = on_ext_ebpf_kernel();

    fflush(stdout);
    CHECK_EQ(0, run_cycles(WARMUP, program), "%d warm-up fork+exec(%s) cycles all exit 0", WARMUP, program);
    long before = mem_free_kb();
    CHECK(before > 0, "MemFree is readable (%ld kB)", before);
    int failures = run_cycles(CYCLES, program);
    long after = mem_free_kb();
    CHECK_EQ(0, failures, "%d fork+execve+exit+wait4 cycles all exit 0", CYCLES);
    if (!ext_kernel) {
        DIAG("skipped on non-ext-ebpf kernel");
        DIAG("MemFree before %ld kB, after %ld kB", before, after);
        tap_skip("not the ext-ebpf kernel", "MemFree unchanged after %d cycles", CYCLES);
    } else {
        CHECK_EQ(before, after, "MemFree unchanged after %d cycles (no leaked pages)", CYCLES);
    }
    return tap_done();
}
