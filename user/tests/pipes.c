/* pipes: pipe2 semantics: data order, partial reads, EOF when all writers are gone,
 * O_CLOEXEC and O_NONBLOCK (EAGAIN when empty or full), blocking reads and writes across
 * processes (a 256 KiB write larger than the pipe), EPIPE and the default SIGPIPE when the
 * reader is gone, and the EBADF/EFAULT/EINVAL errors. */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"

static void test_basic(void)
{
    int p[2] = {-1, -1};
    CHECK_EQ(0, SYS2(SYS_pipe2, p, 0), "pipe2(fds, 0)");
    CHECK(p[0] >= 0 && p[1] >= 0 && p[0] != p[1], "two distinct fds (%d, %d)", p[0], p[1]);
    CHECK_EQ(0, fcntl(p[0], F_GETFD), "no FD_CLOEXEC without O_CLOEXEC");
    CHECK_EQ(O_RDONLY, fcntl(p[0], F_GETFL) & O_ACCMODE, "the read end is O_RDONLY");
    CHECK_EQ(O_WRONLY, fcntl(p[1], F_GETFL) & O_ACCMODE, "the write end is O_WRONLY");
    CHECK_EQ(3, SYS3(SYS_write, p[1], "abc", 3), "write 3 bytes");
    CHECK_EQ(4, SYS3(SYS_write, p[1], "defg", 4), "write 4 more");
    char buf[16] = {0};
    CHECK_EQ(2, SYS3(SYS_read, p[0], buf, 2), "a short read takes 2 bytes");
    CHECK_EQ(5, SYS3(SYS_read, p[0], buf + 2, sizeof buf), "a long read returns the 5 available, not more");
    CHECK_STR("abcdefg", buf, "bytes come out in order");
    CHECK_ERR(EBADF, SYS3(SYS_write, p[0], "x", 1), "write to the read end");
    CHECK_ERR(EBADF, SYS3(SYS_read, p[1], buf, 1), "read from the write end");
    SYS3(SYS_write, p[1], "z", 1);
    CHECK_ERR(EFAULT, SYS3(SYS_read, p[0], tap_unmapped_address(), 1), "read into unmapped memory");
    CHECK_ERR(EFAULT, SYS3(SYS_write, p[1], tap_unmapped_address(), 1), "write from unmapped memory");
    close(p[1]);
    CHECK_EQ(1, SYS3(SYS_read, p[0], buf, sizeof buf), "data written before the close is still readable");
    CHECK_EQ(0, SYS3(SYS_read, p[0], buf, sizeof buf), "read returns 0 (EOF) once the writer is closed");
    close(p[0]);

    CHECK_EQ(0, SYS2(SYS_pipe2, p, O_CLOEXEC), "pipe2(O_CLOEXEC)");
    CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC, "both ends have FD_CLOEXEC");
    close(p[0]);
    close(p[1]);
    CHECK_ERR(EINVAL, SYS2(SYS_pipe2, p, 0x1), "pipe2 with an invalid flag");
    CHECK_ERR(EFAULT, SYS2(SYS_pipe2, tap_unmapped_address(), 0), "pipe2 into unmapped memory");
}

static void test_nonblock(void)
{
    int p[2];
    if (!CHECK_EQ(0, SYS2(SYS_pipe2, p, O_NONBLOCK), "pipe2(O_NONBLOCK)"))
        return;
    CHECK_EQ(O_NONBLOCK, fcntl(p[0], F_GETFL) & O_NONBLOCK, "the read end is O_NONBLOCK");
    char buf[4096];
    CHECK_ERR(EAGAIN, SYS3(SYS_read, p[0], buf, 1), "reading an empty non-blocking pipe");
    memset(buf, 'q', sizeof buf);
    long total = 0, r;
    while ((r = SYS3(SYS_write, p[1], buf, sizeof buf)) > 0 && total < (16L << 20))
        total += r;
    CHECK_ERR(EAGAIN, r, "writing a full non-blocking pipe");
    CHECK(total >= 4096, "the pipe held %ld bytes before it was full", total);
    long drained = 0;
    while ((r = SYS3(SYS_read, p[0], buf, sizeof buf)) > 0)
        drained += r;
    CHECK_EQ(total, drained, "everything written comes back out");
    CHECK_EQ(4, SYS3(SYS_write, p[1], "more", 4), "a drained pipe accepts writes again");
    close(p[0]);
    close(p[1]);
}

static void test_blocking_across_processes(void)
{
    int p[2];
    pipe2(p, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        write(p[1], "late", 4);
        _exit(0);
    }
    close(p[1]);
    char buf[8] = {0};
    CHECK_EQ(4, SYS3(SYS_read, p[0], buf, sizeof buf), "a blocking read waits for the writer");
    CHECK_STR("late", buf, "and gets its data");
    CHECK_EQ(0, SYS3(SYS_read, p[0], buf, sizeof buf), "EOF once the writing child has exited");
    close(p[0]);
    waitpid(pid, NULL, 0);

    /* One write much larger than the pipe: it must block until the reader drains it. */
    enum { BIG = 256 * 1024 };
    static unsigned char big[BIG];
    for (int i = 0; i < BIG; i++)
        big[i] = (unsigned char)(i % 251);
    pipe2(p, 0);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(p[1]);
        static unsigned char in[BIG];
        long got = 0, r;
        while (got < BIG && (r = read(p[0], in + got, BIG - got)) > 0)
            got += r;
        _exit(got == BIG && memcmp(in, big, BIG) == 0 ? 0 : 1);
    }
    close(p[0]);
    CHECK_EQ(BIG, SYS3(SYS_write, p[1], big, BIG), "a blocking 256 KiB write completes in full");
    close(p[1]);
    int status;
    waitpid(pid, &status, 0);
    CHECK_EXITED(0, status, "the reader received all 256 KiB intact");
}

static int write_to_closed_pipe(void *arg)
{
    int *p = arg;
    write(p[1], "x", 1); /* must raise SIGPIPE */
    return 0;
}

static void test_epipe(void)
{
    int p[2];
    pipe2(p, 0);
    close(p[0]);
    signal(SIGPIPE, SIG_DFL);
    CHECK_KILLED_BY(SIGPIPE, tap_in_child(write_to_closed_pipe, p),
                    "writing to a pipe without readers kills with SIGPIPE by default");
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERR(EPIPE, SYS3(SYS_write, p[1], "x", 1), "with SIGPIPE ignored the write fails with EPIPE");
    signal(SIGPIPE, SIG_DFL);
    close(p[1]);

    /* The reader going away while a writer is blocked on a full pipe also wakes it. */
    pipe2(p, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        _exit(0); /* closes the only read end */
    }
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    static char chunk[256 * 1024];
    long first = SYS3(SYS_write, p[1], chunk, sizeof chunk);
    CHECK(first == -EPIPE || (first > 0 && first < (long)sizeof chunk),
          "a writer blocked on a full pipe wakes when the last reader exits (partial count or EPIPE: %ld)", first);
    CHECK_ERR(EPIPE, SYS3(SYS_write, p[1], chunk, 1), "the next write fails with EPIPE");
    signal(SIGPIPE, SIG_DFL);
    close(p[1]);
    waitpid(pid, NULL, 0);
}

int main(void)
{
    test_basic();
    test_nonblock();
    test_blocking_across_processes();
    test_epipe();
    return tap_done();
}
