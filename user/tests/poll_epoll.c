/* poll_epoll: readiness on pipes: poll (POLLIN/POLLOUT/POLLHUP/POLLERR/POLLNVAL, timeouts,
 * wake-up by another process), ppoll (timespec timeout, temporary signal mask -> EINTR),
 * epoll_create1, epoll_ctl (ADD/MOD/DEL, EEXIST/ENOENT/EINVAL/EBADF/EPERM), epoll_wait and
 * epoll_pwait (level-triggered events carrying data, timeouts, closed fds leave the set). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"

static long long mono_ms(void)
{
    struct timespec ts;
    SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_poll(void)
{
    int p[2];
    pipe2(p, 0);
    struct pollfd fds[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {-1, POLLIN, 0x7}};
    CHECK_EQ(1, SYS3(SYS_poll, fds, 3, 0), "poll: only the write end of an empty pipe is ready");
    CHECK_EQ(0, fds[0].revents, "the empty read end has no events");
    CHECK_EQ(POLLOUT, fds[1].revents, "the write end has POLLOUT");
    CHECK_EQ(0, fds[2].revents, "a negative fd is ignored and its revents cleared");
    write(p[1], "x", 1);
    CHECK_EQ(2, SYS3(SYS_poll, fds, 2, 0), "after a write both ends are ready");
    CHECK_EQ(POLLIN, fds[0].revents, "the read end has POLLIN");

    long long t0 = mono_ms();
    char c;
    read(p[0], &c, 1);
    CHECK_EQ(0, SYS3(SYS_poll, fds, 1, 50), "poll with a 50 ms timeout on an empty pipe times out");
    CHECK(mono_ms() - t0 >= 50, "and waited at least 50 ms (%lld)", mono_ms() - t0);

    close(p[1]);
    CHECK_EQ(1, SYS3(SYS_poll, fds, 1, 0), "closing the writer makes the read end ready");
    CHECK_EQ(POLLHUP, fds[0].revents & POLLHUP, "with POLLHUP");
    close(p[0]);

    pipe2(p, 0);
    close(p[0]);
    struct pollfd w = {p[1], POLLOUT, 0};
    CHECK_EQ(1, SYS3(SYS_poll, &w, 1, 0), "a write end without readers is ready");
    CHECK_EQ(POLLERR, w.revents & POLLERR, "with POLLERR");
    close(p[1]);

    struct pollfd closed = {TAP_BAD_FD, POLLIN, 0};
    CHECK_EQ(1, SYS3(SYS_poll, &closed, 1, 0), "poll counts a closed fd");
    CHECK_EQ(POLLNVAL, closed.revents, "as POLLNVAL");
    CHECK_ERR(EFAULT, SYS3(SYS_poll, tap_unmapped_address(), 1, 0), "poll of an unmapped array");
    CHECK_ERR(EINVAL, SYS3(SYS_poll, fds, 1 << 30, 0), "poll with more fds than RLIMIT_NOFILE");

    /* Another process makes the pipe readable while we block in poll. */
    pipe2(p, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec d = {0, 20 * 1000 * 1000};
        nanosleep(&d, NULL);
        write(p[1], "y", 1);
        _exit(0);
    }
    struct pollfd r = {p[0], POLLIN, 0};
    t0 = mono_ms();
    CHECK_EQ(1, SYS3(SYS_poll, &r, 1, 5000), "poll is woken by a write from another process");
    CHECK(mono_ms() - t0 < 4000, "well before its 5 s timeout");
    waitpid(pid, NULL, 0);
    close(p[0]);
    close(p[1]);
}

static volatile sig_atomic_t usr1_count;
static void on_usr1(int sig)
{
    (void)sig;
    usr1_count++;
}

static void test_ppoll(void)
{
    int p[2];
    pipe2(p, 0);
    struct pollfd fd = {p[0], POLLIN, 0};
    struct timespec ts = {0, 30 * 1000 * 1000};
    long long t0 = mono_ms();
    CHECK_EQ(0, SYS5(SYS_ppoll, &fd, 1, &ts, NULL, 8), "ppoll with a 30 ms timespec times out");
    CHECK(mono_ms() - t0 >= 30, "after at least 30 ms");
    write(p[1], "x", 1);
    CHECK_EQ(1, SYS5(SYS_ppoll, &fd, 1, NULL, NULL, 8), "ppoll with no timeout returns at once when ready");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    unsigned long block = 1UL << (SIGUSR1 - 1), empty = 0;
    SYS4(SYS_rt_sigprocmask, SIG_BLOCK, &block, NULL, 8);
    usr1_count = 0;
    kill(getpid(), SIGUSR1);
    char c;
    read(p[0], &c, 1);
    struct timespec second = {1, 0};
    t0 = mono_ms();
    long r = SYS5(SYS_ppoll, &fd, 1, &second, &empty, 8);
    CHECK_ERR(EINTR, r, "ppoll's temporary mask unblocks a pending signal: EINTR");
    CHECK(usr1_count == 1 && mono_ms() - t0 < 900, "the handler ran and ppoll returned early");
    unsigned long now = 0;
    SYS4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &now, 8);
    CHECK(now & block, "the original mask is back after ppoll");
    SYS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &block, NULL, 8);
    CHECK_ERR(EINVAL, SYS5(SYS_ppoll, &fd, 1, &ts, &empty, 4), "ppoll with sigsetsize 4");
    struct timespec bad = {0, 2000000000L};
    CHECK_ERR(EINVAL, SYS5(SYS_ppoll, &fd, 1, &bad, NULL, 8), "ppoll with an invalid timespec");
    close(p[0]);
    close(p[1]);
}

static void test_epoll(void)
{
    int ep = (int)SYS1(SYS_epoll_create1, 0);
    if (!CHECK_SYS_OK(ep, "epoll_create1(0)"))
        return;
    int ep2 = (int)SYS1(SYS_epoll_create1, EPOLL_CLOEXEC);
    CHECK_EQ(FD_CLOEXEC, fcntl(ep2, F_GETFD), "epoll_create1(EPOLL_CLOEXEC) sets FD_CLOEXEC");
    close(ep2);
    CHECK_ERR(EINVAL, SYS1(SYS_epoll_create1, 1), "epoll_create1 with an invalid flag");

    int a[2], b[2];
    pipe2(a, 0);
    pipe2(b, 0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1234567890abcdefUL};
    CHECK_EQ(0, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, a[0], &ev), "EPOLL_CTL_ADD pipe A's read end");
    ev.data.u64 = 0xb;
    CHECK_EQ(0, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, b[0], &ev), "EPOLL_CTL_ADD pipe B's read end");
    CHECK_ERR(EEXIST, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, a[0], &ev), "adding the same fd twice");
    CHECK_ERR(ENOENT, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, a[1], &ev), "EPOLL_CTL_MOD of an fd not in the set");
    CHECK_ERR(ENOENT, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, a[1], &ev), "EPOLL_CTL_DEL of an fd not in the set");
    CHECK_ERR(EINVAL, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, ep, &ev), "adding an epoll fd to itself");
    CHECK_ERR(EINVAL, SYS4(SYS_epoll_ctl, ep, 99, a[0], &ev), "epoll_ctl with an invalid op");
    CHECK_ERR(EBADF, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, TAP_BAD_FD, &ev), "epoll_ctl of a bad fd");
    CHECK_ERR(EBADF, SYS4(SYS_epoll_ctl, TAP_BAD_FD, EPOLL_CTL_ADD, a[0], &ev), "epoll_ctl on a bad epoll fd");
    CHECK_ERR(EINVAL, SYS4(SYS_epoll_ctl, a[0], EPOLL_CTL_ADD, b[1], &ev), "epoll_ctl on a non-epoll fd");
    CHECK_ERR(EFAULT, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, a[1], tap_unmapped_address()), "epoll_ctl from unmapped memory");
    char path[64];
    snprintf(path, sizeof path, "/tmp/poll_epoll_%d", getpid());
    int file = open(path, O_CREAT | O_RDWR, 0644);
    CHECK_ERR(EPERM, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, file, &ev), "a regular file cannot be added (EPERM)");
    close(file);
    unlink(path);

    struct epoll_event out[4];
    memset(out, 0, sizeof out);
    CHECK_EQ(0, SYS4(SYS_epoll_wait, ep, out, 4, 0), "epoll_wait: nothing ready yet");
    write(a[1], "x", 1);
    CHECK_EQ(1, SYS4(SYS_epoll_wait, ep, out, 4, 0), "epoll_wait reports exactly the ready pipe");
    CHECK_EQ(EPOLLIN, out[0].events, "with EPOLLIN");
    CHECK_EQ(0x1234567890abcdefUL, out[0].data.u64, "and the registered 64-bit data");
    CHECK_EQ(1, SYS4(SYS_epoll_wait, ep, out, 4, 0), "level-triggered: still reported while data remains");
    memset(out, 0, sizeof out);
    CHECK_EQ(1, SYS6(SYS_epoll_pwait, ep, out, 4, 0, NULL, 8), "epoll_pwait with no mask behaves like epoll_wait");
    CHECK_EQ(0x1234567890abcdefUL, out[0].data.u64, "epoll_pwait returns the same event");

    ev.events = EPOLLIN;
    ev.data.u64 = 0xa2;
    CHECK_EQ(0, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, a[0], &ev), "EPOLL_CTL_MOD changes the data");
    SYS4(SYS_epoll_wait, ep, out, 4, 0);
    CHECK_EQ(0xa2, out[0].data.u64, "the new data is reported");
    write(b[1], "y", 1);
    CHECK_EQ(2, SYS4(SYS_epoll_wait, ep, out, 4, 0), "both pipes ready: two events");
    CHECK_EQ(1, SYS4(SYS_epoll_wait, ep, out, 1, 0), "maxevents 1 returns one event");
    CHECK_EQ(0, SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, a[0], NULL), "EPOLL_CTL_DEL pipe A");
    CHECK_EQ(1, SYS4(SYS_epoll_wait, ep, out, 4, 0), "only pipe B remains");
    CHECK_EQ(0xb, out[0].data.u64, "and it is pipe B");

    char c;
    read(b[0], &c, 1);
    long long t0 = mono_ms();
    CHECK_EQ(0, SYS4(SYS_epoll_wait, ep, out, 4, 40), "epoll_wait with a 40 ms timeout times out");
    CHECK(mono_ms() - t0 >= 40, "after at least 40 ms");
    CHECK_ERR(EINVAL, SYS4(SYS_epoll_wait, ep, out, 0, 0), "epoll_wait with maxevents 0");
    CHECK_ERR(EINVAL, SYS4(SYS_epoll_wait, a[0], out, 4, 0), "epoll_wait on a non-epoll fd");
    write(b[1], "z", 1);
    CHECK_ERR(EFAULT, SYS4(SYS_epoll_wait, ep, tap_unmapped_address(), 4, 0), "epoll_wait of a ready event into unmapped memory");
    /* Another process makes a pipe readable while we block. */
    read(b[0], &c, 1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec d = {0, 20 * 1000 * 1000};
        nanosleep(&d, NULL);
        write(b[1], "w", 1);
        _exit(0);
    }
    t0 = mono_ms();
    CHECK_EQ(1, SYS4(SYS_epoll_wait, ep, out, 4, 5000), "epoll_wait is woken by another process's write");
    CHECK(mono_ms() - t0 < 4000, "well before its 5 s timeout");
    waitpid(pid, NULL, 0);

    /* Closing the last reference to a registered fd removes it from the set. */
    close(b[0]);
    close(b[1]);
    CHECK_EQ(0, SYS4(SYS_epoll_wait, ep, out, 4, 0), "a closed fd no longer reports events");
    close(a[0]);
    close(a[1]);
    close(ep);
}

static void test_epoll_pwait_mask(void)
{
    int ep = (int)SYS1(SYS_epoll_create1, 0);
    int p[2];
    pipe2(p, 0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1};
    SYS4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    unsigned long block = 1UL << (SIGUSR1 - 1), empty = 0;
    SYS4(SYS_rt_sigprocmask, SIG_BLOCK, &block, NULL, 8);
    usr1_count = 0;
    kill(getpid(), SIGUSR1);
    struct epoll_event out[1];
    long long t0 = mono_ms();
    long r = SYS6(SYS_epoll_pwait, ep, out, 1, 1000, &empty, 8);
    CHECK_ERR(EINTR, r, "epoll_pwait's temporary mask unblocks a pending signal: EINTR");
    CHECK(usr1_count == 1 && mono_ms() - t0 < 900, "the handler ran and epoll_pwait returned early");
    SYS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &block, NULL, 8);
    CHECK_ERR(EINVAL, SYS6(SYS_epoll_pwait, ep, out, 1, 0, &empty, 4), "epoll_pwait with sigsetsize 4");
    close(p[0]);
    close(p[1]);
    close(ep);
}

int main(void)
{
    test_poll();
    test_ppoll();
    test_epoll();
    test_epoll_pwait_mask();
    return tap_done();
}
