/* devices: the character devices every program expects: /dev/null, /dev/zero, /dev/urandom
 * and /dev/console (open, read, write, fstat type and Linux device numbers). */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "tap.h"

static void check_char_device(const char *path, unsigned major_nr, unsigned minor_nr)
{
    struct stat st;
    long r = SYS4(SYS_newfstatat, AT_FDCWD, path, &st, 0);
    if (!CHECK_SYS_OK(r, "stat %s", path))
        return;
    CHECK(S_ISCHR(st.st_mode), "%s is a character device", path);
    CHECK_EQ(major_nr, major(st.st_rdev), "%s major number", path);
    CHECK_EQ(minor_nr, minor(st.st_rdev), "%s minor number", path);
}

static void test_null(void)
{
    int fd = (int)SYS3(SYS_open, "/dev/null", O_RDWR, 0);
    if (!CHECK_SYS_OK(fd, "open /dev/null"))
        return;
    char buf[64] = "data";
    CHECK_EQ(4, SYS3(SYS_write, fd, buf, 4), "write to /dev/null consumes everything");
    CHECK_EQ(0, SYS3(SYS_read, fd, buf, sizeof buf), "read from /dev/null is end of file");
    CHECK_EQ(0, SYS3(SYS_read, fd, buf, 0), "zero-length read from /dev/null");
    close(fd);
    check_char_device("/dev/null", 1, 3);
}

static void test_zero(void)
{
    int fd = (int)SYS3(SYS_open, "/dev/zero", O_RDWR, 0);
    if (!CHECK_SYS_OK(fd, "open /dev/zero"))
        return;
    static unsigned char buf[8192 + 17];
    memset(buf, 0xAA, sizeof buf);
    CHECK_EQ(sizeof buf, SYS3(SYS_read, fd, buf, sizeof buf), "read from /dev/zero fills the buffer");
    size_t nonzero = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        nonzero += buf[i] != 0;
    CHECK_EQ(0, nonzero, "every byte read from /dev/zero is 0");
    CHECK_EQ(100, SYS3(SYS_write, fd, buf, 100), "write to /dev/zero is accepted");
    CHECK_ERR(EFAULT, SYS3(SYS_read, fd, tap_unmapped_address(), 16), "read from /dev/zero into unmapped memory");
    close(fd);
    check_char_device("/dev/zero", 1, 5);
}

static void test_urandom(void)
{
    int fd = (int)SYS3(SYS_open, "/dev/urandom", O_RDONLY, 0);
    if (!CHECK_SYS_OK(fd, "open /dev/urandom"))
        return;
    unsigned char a[256], b[256];
    CHECK_EQ(sizeof a, SYS3(SYS_read, fd, a, sizeof a), "read 256 bytes from /dev/urandom");
    CHECK_EQ(sizeof b, SYS3(SYS_read, fd, b, sizeof b), "read 256 more bytes from /dev/urandom");
    int distinct[256] = {0};
    int ndistinct = 0;
    for (size_t i = 0; i < sizeof a; i++)
        if (!distinct[a[i]]++)
            ndistinct++;
    CHECK(ndistinct > 64, "urandom bytes are varied (%d distinct values in 256)", ndistinct);
    CHECK(memcmp(a, b, sizeof a) != 0, "two urandom reads differ");
    close(fd);
    check_char_device("/dev/urandom", 1, 9);
}

static void test_console(void)
{
    int fd = (int)SYS3(SYS_open, "/dev/console", O_RDWR | O_NOCTTY, 0);
    if (!CHECK_SYS_OK(fd, "open /dev/console read-write"))
        return;
    static const char msg[] = "# devices: console write check\n";
    CHECK_EQ(sizeof msg - 1, SYS3(SYS_write, fd, msg, sizeof msg - 1), "write a line to /dev/console");
    CHECK_EQ(0, SYS3(SYS_write, fd, msg, 0), "zero-length write to /dev/console");
    CHECK_ERR(EFAULT, SYS3(SYS_write, fd, tap_unmapped_address(), 8), "write to /dev/console from unmapped memory");
    close(fd);
    check_char_device("/dev/console", 5, 1);
}

int main(void)
{
    test_null();
    test_zero();
    test_urandom();
    test_console();
    CHECK_ERR(ENOENT, SYS3(SYS_open, "/dev/no-such-device", O_RDONLY, 0), "open a missing /dev entry");
    return tap_done();
}
