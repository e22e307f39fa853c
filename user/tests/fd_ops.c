/* fd_ops: descriptor-level calls: dup, dup2, dup3 (shared offsets, FD_CLOEXEC handling,
 * replacing an open fd), fcntl (F_GETFD/F_SETFD/F_GETFL/F_SETFL/F_DUPFD/F_DUPFD_CLOEXEC) and
 * ioctl (TCGETS and TIOCGWINSZ on /dev/console, ENOTTY on files and pipes), with EBADF/EINVAL
 * errors. */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "tap.h"

static char path[64];

static void test_dup(void)
{
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (!CHECK_LIBC_OK(fd, "create a file"))
        return;
    int d = (int)SYS1(SYS_dup, fd);
    CHECK_EQ(fd + 1, d, "dup returns the lowest free fd");
    SYS3(SYS_write, fd, "abc", 3);
    CHECK_EQ(3, SYS3(SYS_lseek, d, 0, SEEK_CUR), "a dup shares the file offset");
    SYS3(SYS_write, d, "de", 2);
    CHECK_EQ(5, SYS3(SYS_lseek, fd, 0, SEEK_CUR), "writes through the dup move the shared offset");
    CHECK_ERR(EBADF, SYS1(SYS_dup, TAP_BAD_FD), "dup of a bad fd");

    CHECK_EQ(fd, SYS2(SYS_dup2, fd, fd), "dup2(fd, fd) returns fd");
    CHECK_ERR(EBADF, SYS2(SYS_dup2, TAP_BAD_FD, fd), "dup2 from a bad fd");
    CHECK_ERR(EBADF, SYS2(SYS_dup2, fd, 1 << 20), "dup2 to an fd beyond the limit");
    int null_fd = open("/dev/null", O_RDONLY);
    CHECK_EQ(d, SYS2(SYS_dup2, null_fd, d), "dup2 onto an open fd replaces it");
    CHECK_EQ(0, SYS3(SYS_read, d, (char[4]){0}, 4), "the replaced fd now reads /dev/null");
    CHECK_EQ(5, SYS3(SYS_lseek, fd, 0, SEEK_CUR), "the original file is unaffected");

    int cloexec = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    int plain = (int)SYS2(SYS_dup2, cloexec, 40);
    CHECK_EQ(40, plain, "dup2 to a chosen number");
    CHECK_EQ(0, fcntl(40, F_GETFD), "dup2 clears FD_CLOEXEC on the new fd");
    CHECK_ERR(EINVAL, SYS3(SYS_dup3, fd, fd, 0), "dup3(fd, fd) is EINVAL");
    CHECK_EQ(41, SYS3(SYS_dup3, fd, 41, O_CLOEXEC), "dup3 with O_CLOEXEC");
    CHECK_EQ(FD_CLOEXEC, fcntl(41, F_GETFD), "dup3 O_CLOEXEC sets FD_CLOEXEC");
    CHECK_EQ(42, SYS3(SYS_dup3, fd, 42, 0), "dup3 without flags");
    CHECK_EQ(0, fcntl(42, F_GETFD), "dup3 without flags leaves FD_CLOEXEC clear");
    CHECK_ERR(EINVAL, SYS3(SYS_dup3, fd, 43, 0x4), "dup3 with an invalid flag");
    CHECK_ERR(EBADF, SYS3(SYS_dup3, TAP_BAD_FD, 43, 0), "dup3 from a bad fd");
    close(40);
    close(41);
    close(42);
    close(cloexec);
    close(null_fd);
    close(d);
    close(fd);
}

static void test_fcntl(void)
{
    int fd = open(path, O_RDWR | O_APPEND);
    if (!CHECK_LIBC_OK(fd, "open O_RDWR|O_APPEND"))
        return;
    CHECK_EQ(0, SYS2(SYS_fcntl, fd, F_GETFD), "F_GETFD of a fresh fd is 0");
    CHECK_EQ(0, SYS3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC), "F_SETFD FD_CLOEXEC");
    CHECK_EQ(FD_CLOEXEC, SYS2(SYS_fcntl, fd, F_GETFD), "F_GETFD reports FD_CLOEXEC");
    CHECK_EQ(0, SYS3(SYS_fcntl, fd, F_SETFD, 0), "F_SETFD 0");
    CHECK_EQ(0, SYS2(SYS_fcntl, fd, F_GETFD), "F_GETFD reports it cleared");

    long fl = SYS2(SYS_fcntl, fd, F_GETFL);
    CHECK_EQ(O_RDWR, fl & O_ACCMODE, "F_GETFL access mode is O_RDWR");
    CHECK_EQ(O_APPEND, fl & O_APPEND, "F_GETFL shows O_APPEND");
    CHECK_EQ(0, SYS3(SYS_fcntl, fd, F_SETFL, O_RDONLY | O_NONBLOCK), "F_SETFL O_NONBLOCK (and drop O_APPEND)");
    fl = SYS2(SYS_fcntl, fd, F_GETFL);
    CHECK_EQ(O_RDWR, fl & O_ACCMODE, "F_SETFL cannot change the access mode");
    CHECK_EQ(O_NONBLOCK, fl & O_NONBLOCK, "F_GETFL shows O_NONBLOCK");
    CHECK_EQ(0, fl & O_APPEND, "F_GETFL shows O_APPEND cleared");
    int d = (int)SYS1(SYS_dup, fd);
    CHECK_EQ(O_NONBLOCK, SYS2(SYS_fcntl, d, F_GETFL) & O_NONBLOCK, "status flags are shared with a dup");
    CHECK_EQ(0, SYS2(SYS_fcntl, d, F_GETFD), "fd flags are not shared with a dup");
    close(d);

    int low = (int)SYS3(SYS_fcntl, fd, F_DUPFD, 0);
    CHECK(low > fd - 1 && low < 64, "F_DUPFD 0 returns the lowest free fd (%d)", low);
    close(low);
    CHECK_EQ(30, SYS3(SYS_fcntl, fd, F_DUPFD, 30), "F_DUPFD 30 returns 30 when it is free");
    CHECK_EQ(31, SYS3(SYS_fcntl, fd, F_DUPFD, 30), "F_DUPFD 30 returns 31 when 30 is taken");
    CHECK_EQ(0, SYS2(SYS_fcntl, 31, F_GETFD), "F_DUPFD leaves FD_CLOEXEC clear");
    CHECK_EQ(32, SYS3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 30), "F_DUPFD_CLOEXEC 30 returns 32");
    CHECK_EQ(FD_CLOEXEC, SYS2(SYS_fcntl, 32, F_GETFD), "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
    close(30);
    close(31);
    close(32);
    CHECK_ERR(EINVAL, SYS3(SYS_fcntl, fd, F_DUPFD, -1), "F_DUPFD with a negative minimum");
    CHECK_ERR(EINVAL, SYS3(SYS_fcntl, fd, F_DUPFD, 1 << 20), "F_DUPFD with a minimum beyond the limit");
    CHECK_ERR(EINVAL, SYS3(SYS_fcntl, fd, 9999, 0), "fcntl with an unknown command");
    CHECK_ERR(EBADF, SYS2(SYS_fcntl, TAP_BAD_FD, F_GETFD), "F_GETFD on a bad fd");
    CHECK_ERR(EBADF, SYS2(SYS_fcntl, TAP_BAD_FD, F_GETFL), "F_GETFL on a bad fd");
    close(fd);
}

static void test_ioctl(void)
{
    int con = open("/dev/console", O_RDWR | O_NOCTTY);
    if (CHECK_LIBC_OK(con, "open /dev/console")) {
        struct termios t;
        memset(&t, 0, sizeof t);
        CHECK_EQ(0, SYS3(SYS_ioctl, con, TCGETS, &t), "ioctl TCGETS on the console");
        CHECK_EQ(ICANON, t.c_lflag & ICANON, "the console is in canonical mode (ICANON)");
        CHECK_EQ(CS8, t.c_cflag & CSIZE, "the console uses 8-bit characters (CS8)");
        struct winsize ws;
        memset(&ws, 0xff, sizeof ws);
        CHECK_EQ(0, SYS3(SYS_ioctl, con, TIOCGWINSZ, &ws), "ioctl TIOCGWINSZ on the console");
        CHECK(ws.ws_row < 1000 && ws.ws_col < 1000, "window size is plausible (%u rows, %u cols)", ws.ws_row, ws.ws_col);
        CHECK_ERR(EFAULT, SYS3(SYS_ioctl, con, TCGETS, tap_unmapped_address()), "TCGETS into unmapped memory");
        CHECK_ERR(ENOTTY, SYS3(SYS_ioctl, con, 0x5490, 0), "an unknown ioctl on the console");
        close(con);
    }
    int fd = open(path, O_RDONLY);
    struct termios t;
    struct winsize ws;
    CHECK_ERR(ENOTTY, SYS3(SYS_ioctl, fd, TCGETS, &t), "TCGETS on a regular file");
    CHECK_ERR(ENOTTY, SYS3(SYS_ioctl, fd, TIOCGWINSZ, &ws), "TIOCGWINSZ on a regular file");
    close(fd);
    int p[2];
    pipe2(p, 0);
    CHECK_ERR(ENOTTY, SYS3(SYS_ioctl, p[0], TCGETS, &t), "TCGETS on a pipe");
    close(p[0]);
    close(p[1]);
    CHECK_ERR(EBADF, SYS3(SYS_ioctl, TAP_BAD_FD, TCGETS, &t), "ioctl on a bad fd");
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/fd_ops_%d", getpid());
    test_dup();
    test_fcntl();
    test_ioctl();
    unlink(path);
    return tap_done();
}
