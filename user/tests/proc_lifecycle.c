/* proc_lifecycle: process creation and teardown: fork and clone(SIGCHLD), exit and
 * exit_group status codes, wait4 (specific pid, any child, WNOHANG, ECHILD, EINVAL),
 * fds closed at exit, reparenting of orphans, kill (signal 0, ESRCH, EINVAL) and the
 * identity calls getpid/getppid/gettid/getuid/geteuid/getgid/getegid. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void test_ids(void)
{
    long pid = SYS0(SYS_getpid);
    CHECK(pid > 0, "getpid is positive (%ld)", pid);
    CHECK_EQ(pid, SYS0(SYS_gettid), "gettid equals getpid");
    CHECK(SYS0(SYS_getppid) > 0, "getppid is positive");
    CHECK_EQ(getauxval(AT_UID), SYS0(SYS_getuid), "getuid matches AT_UID");
    CHECK_EQ(getauxval(AT_EUID), SYS0(SYS_geteuid), "geteuid matches AT_EUID");
    CHECK_EQ(getauxval(AT_GID), SYS0(SYS_getgid), "getgid matches AT_GID");
    CHECK_EQ(getauxval(AT_EGID), SYS0(SYS_getegid), "getegid matches AT_EGID");
}

static void test_fork_and_exit(void)
{
    int p[2];
    pipe2(p, 0);
    long parent = SYS0(SYS_getpid);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        long ids[2] = {SYS0(SYS_getpid), SYS0(SYS_getppid)};
        write(p[1], ids, sizeof ids);
        _exit(42);
    }
    CHECK(pid > 0 && pid != parent, "fork returns the child's pid to the parent (%d)", pid);
    long ids[2] = {0, 0};
    read(p[0], ids, sizeof ids);
    close(p[0]);
    close(p[1]);
    CHECK_EQ(pid, ids[0], "the child's getpid is what fork returned");
    CHECK_EQ(parent, ids[1], "the child's getppid is the parent");
    int status = 0;
    CHECK_EQ(pid, SYS4(SYS_wait4, pid, &status, 0, NULL), "wait4(pid) returns the pid");
    CHECK_EXITED(42, status, "exit status 42 is reported");
    CHECK_ERR(ECHILD, SYS4(SYS_wait4, pid, &status, 0, NULL), "a reaped child cannot be waited for again");
    CHECK_ERR(ESRCH, SYS2(SYS_kill, pid, 0), "kill(reaped pid, 0) is ESRCH");

    fflush(stdout);
    pid = fork();
    if (pid == 0)
        SYS1(SYS_exit_group, 7);
    SYS4(SYS_wait4, pid, &status, 0, NULL);
    CHECK_EXITED(7, status, "exit_group(7) is reported as 7");

    fflush(stdout);
    pid = fork();
    if (pid == 0)
        SYS1(SYS_exit, 5);
    SYS4(SYS_wait4, pid, &status, 0, NULL);
    CHECK_EXITED(5, status, "exit(5) of the only thread is reported as 5");

    fflush(stdout);
    pid = fork();
    if (pid == 0)
        SYS1(SYS_exit_group, 256 + 3);
    SYS4(SYS_wait4, pid, &status, 0, NULL);
    CHECK_EXITED(3, status, "exit codes are truncated to 8 bits (259 -> 3)");
}

static void test_clone(void)
{
    fflush(stdout);
    long pid = SYS5(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        SYS1(SYS_exit_group, 33);
    CHECK(pid > 0, "clone(SIGCHLD) creates a child (%ld)", pid);
    int status = 0;
    CHECK_EQ(pid, SYS4(SYS_wait4, pid, &status, 0, NULL), "wait4 reaps the cloned child");
    CHECK_EXITED(33, status, "the cloned child's exit status");
    CHECK_ERR(EINVAL, SYS5(SYS_clone, 0x00000800 /* CLONE_SIGHAND */ | SIGCHLD, 0, 0, 0, 0),
              "clone with CLONE_SIGHAND but without CLONE_VM");
    CHECK_ERR(EINVAL, SYS5(SYS_clone, 0x00010000 /* CLONE_THREAD */ | SIGCHLD, 0, 0, 0, 0),
              "clone with CLONE_THREAD but without CLONE_SIGHAND");
}

static void test_wait_variants(void)
{
    int status;
    int go[2];
    pipe2(go, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(go[1]);
        read(go[0], &c, 1);
        _exit(9);
    }
    close(go[0]);
    CHECK_EQ(0, SYS4(SYS_wait4, pid, &status, WNOHANG, NULL), "WNOHANG on a running child returns 0");
    CHECK_EQ(0, SYS4(SYS_wait4, -1, &status, WNOHANG, NULL), "WNOHANG for any child returns 0 while none has exited");
    close(go[1]); /* lets the child exit */
    long r = SYS4(SYS_wait4, -1, &status, 0, NULL);
    CHECK_EQ(pid, r, "wait4(-1) returns the exited child");
    CHECK_EXITED(9, status, "with its status");
    CHECK_ERR(ECHILD, SYS4(SYS_wait4, -1, &status, WNOHANG, NULL), "WNOHANG with no children is ECHILD");
    CHECK_ERR(ECHILD, SYS4(SYS_wait4, -1, &status, 0, NULL), "wait4 with no children is ECHILD");
    CHECK_ERR(ECHILD, SYS4(SYS_wait4, 1, &status, 0, NULL), "wait4 for a process that is not our child");
    CHECK_ERR(EINVAL, SYS4(SYS_wait4, -1, &status, 0x100, NULL), "wait4 with an invalid option bit");

    /* Many children: each status is collected exactly once. */
    enum { N = 8 };
    pid_t kids[N];
    for (int i = 0; i < N; i++) {
        fflush(stdout);
        kids[i] = fork();
        if (kids[i] == 0)
            _exit(100 + i);
    }
    int seen[N] = {0}, wrong = 0;
    for (int i = 0; i < N; i++) {
        pid_t w = (pid_t)SYS4(SYS_wait4, -1, &status, 0, NULL);
        int found = 0;
        for (int k = 0; k < N; k++) {
            if (kids[k] == w && WIFEXITED(status) && WEXITSTATUS(status) == 100 + k) {
                seen[k]++;
                found = 1;
            }
        }
        wrong += !found;
    }
    int once = !wrong;
    for (int k = 0; k < N; k++)
        once = once && seen[k] == 1;
    CHECK(once, "8 children are each reaped once with their own status");
    CHECK_ERR(ECHILD, SYS4(SYS_wait4, -1, &status, WNOHANG, NULL), "and then there are none left");
}

static void test_exit_closes_fds(void)
{
    int p[2];
    pipe2(p, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sleep_ms(10);
        _exit(0); /* holds the write end until here */
    }
    close(p[1]);
    char c;
    CHECK_EQ(0, SYS3(SYS_read, p[0], &c, 1), "a child's fds are closed when it exits (the pipe reaches EOF)");
    close(p[0]);
    waitpid(pid, NULL, 0);
}

static void test_orphan(void)
{
    int p[2], ready[2];
    pipe2(p, 0);
    pipe2(ready, 0);
    fflush(stdout);
    pid_t middle = fork();
    if (middle == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0) {
            long original = SYS0(SYS_getppid);
            write(ready[1], "r", 1); /* the middle process may exit now */
            long now = original;
            /* Wait (at most ~2 s) for the middle process to exit and for reparenting. */
            for (int i = 0; i < 200 && now == original; i++) {
                sleep_ms(10);
                now = SYS0(SYS_getppid);
            }
            long report[2] = {original, now};
            write(p[1], report, sizeof report);
            _exit(0);
        }
        char c;
        read(ready[0], &c, 1);
        _exit(0);
    }
    close(ready[0]);
    close(ready[1]);
    close(p[1]);
    int status;
    waitpid(middle, &status, 0);
    long report[2] = {0, 0};
    CHECK_EQ(sizeof report, read(p[0], report, sizeof report), "the orphaned grandchild reported back");
    close(p[0]);
    CHECK_EQ(middle, report[0], "the grandchild's parent was the middle process");
    CHECK(report[1] != middle && report[1] > 0, "after the middle process exits the orphan is reparented (to %ld)", report[1]);
}

static void test_kill(void)
{
    CHECK_EQ(0, SYS2(SYS_kill, SYS0(SYS_getpid), 0), "kill(self, 0) succeeds");
    CHECK_EQ(0, SYS2(SYS_kill, 0, 0), "kill(0, 0) (own process group) succeeds");
    CHECK_ERR(EINVAL, SYS2(SYS_kill, SYS0(SYS_getpid), 1000), "kill with an invalid signal number");
    CHECK_ERR(EINVAL, SYS2(SYS_kill, SYS0(SYS_getpid), -1), "kill with a negative signal number");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            sleep_ms(1000);
    }
    CHECK_EQ(0, SYS2(SYS_kill, pid, 0), "kill(child, 0) finds the child");
    CHECK_EQ(0, SYS2(SYS_kill, pid, SIGTERM), "kill(child, SIGTERM)");
    int status;
    waitpid(pid, &status, 0);
    CHECK_KILLED_BY(SIGTERM, status, "a sleeping child dies of SIGTERM");
}

int main(void)
{
    test_ids();
    test_fork_and_exit();
    test_clone();
    test_wait_variants();
    test_exit_closes_fds();
    test_orphan();
    test_kill();
    return tap_done();
}
