/* fs_stat: file metadata: fstat, newfstatat (AT_FDCWD, dirfd-relative, AT_EMPTY_PATH) and
 * statx (basic stats mask, agreement with fstat) on files, directories, pipes and devices,
 * timestamps, inode identity, and the ENOENT/EBADF/EFAULT/EINVAL/ENOTDIR errors. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "tap.h"

/* struct statx as defined by Linux (musl 1.2.3 has no declaration). */
struct statx_timestamp_abi {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
struct statx_abi {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad0;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct statx_timestamp_abi stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};
#define STATX_TYPE 0x1U
#define STATX_MODE 0x2U
#define STATX_NLINK 0x4U
#define STATX_SIZE 0x200U
#define STATX_INO 0x100U
#define STATX_BASIC_STATS 0x7ffU
#define STATX_RESERVED_BIT 0x80000000U
#define AT_STATX_FORCE_SYNC 0x2000
#define AT_STATX_DONT_SYNC 0x4000

static char path[64], path2[64];

static long now_realtime(void)
{
    struct timespec ts;
    SYS2(SYS_clock_gettime, CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

static void test_fstat_file(void)
{
    long before = now_realtime();
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (!CHECK_LIBC_OK(fd, "create a file in /tmp"))
        return;
    write(fd, "0123456789", 10);
    struct stat st;
    memset(&st, 0xff, sizeof st);
    CHECK_EQ(0, SYS2(SYS_fstat, fd, &st), "fstat on a regular file");
    CHECK(S_ISREG(st.st_mode), "st_mode says regular file (mode %#o)", st.st_mode);
    CHECK_EQ(0600, st.st_mode & 0600, "the owner can read and write (created 0644)");
    CHECK_EQ(0, st.st_mode & 0111, "no execute bits (created 0644)");
    CHECK_EQ(10, st.st_size, "st_size is 10 after writing 10 bytes");
    CHECK_EQ(1, st.st_nlink, "st_nlink is 1");
    CHECK(st.st_ino != 0, "st_ino is non-zero");
    CHECK(st.st_blksize > 0, "st_blksize is positive (%ld)", (long)st.st_blksize);
    CHECK_EQ(geteuid(), st.st_uid, "st_uid is the creator's uid");
    long after = now_realtime();
    CHECK(st.st_mtime >= before - 1 && st.st_mtime <= after + 1,
          "st_mtime (%ld) is the time of the write (%ld..%ld)", (long)st.st_mtime, before, after);

    struct stat by_path;
    CHECK_EQ(0, SYS4(SYS_newfstatat, AT_FDCWD, path, &by_path, 0), "newfstatat(AT_FDCWD, path)");
    CHECK(by_path.st_ino == st.st_ino && by_path.st_dev == st.st_dev, "path and fd name the same inode");
    CHECK_EQ(10, by_path.st_size, "newfstatat sees the same size");

    int fd2 = open(path2, O_CREAT | O_RDWR | O_TRUNC, 0644);
    struct stat other;
    SYS2(SYS_fstat, fd2, &other);
    CHECK(other.st_ino != st.st_ino, "two files have different inode numbers");
    CHECK(other.st_dev == st.st_dev, "two files in /tmp are on the same device");
    close(fd2);

    struct stat empty_path;
    CHECK_EQ(0, SYS4(SYS_newfstatat, fd, "", &empty_path, AT_EMPTY_PATH), "newfstatat(fd, \"\", AT_EMPTY_PATH)");
    CHECK_EQ(st.st_ino, empty_path.st_ino, "AT_EMPTY_PATH stats the fd itself");
    CHECK_ERR(ENOENT, SYS4(SYS_newfstatat, fd, "", &empty_path, 0), "an empty path without AT_EMPTY_PATH");
    CHECK_ERR(EFAULT, SYS2(SYS_fstat, fd, tap_unmapped_address()), "fstat into unmapped memory");
    close(fd);
    CHECK_ERR(EBADF, SYS2(SYS_fstat, fd, &st), "fstat on a closed fd");
}

static void test_other_types(void)
{
    struct stat st;
    CHECK_EQ(0, SYS4(SYS_newfstatat, AT_FDCWD, "/tmp", &st, 0), "newfstatat on /tmp");
    CHECK(S_ISDIR(st.st_mode), "/tmp is a directory");
    int p[2];
    pipe2(p, 0);
    CHECK_EQ(0, SYS2(SYS_fstat, p[0], &st), "fstat on a pipe");
    CHECK(S_ISFIFO(st.st_mode), "a pipe is S_IFIFO (mode %#o)", st.st_mode);
    close(p[0]);
    close(p[1]);
    CHECK_EQ(0, SYS4(SYS_newfstatat, AT_FDCWD, "/dev/null", &st, 0), "newfstatat on /dev/null");
    CHECK(S_ISCHR(st.st_mode), "/dev/null is a character device");
}

static void test_relative_and_errors(void)
{
    int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
    struct stat st;
    CHECK_EQ(0, SYS4(SYS_newfstatat, dfd, path + 5, &st, 0), "newfstatat relative to a directory fd");
    CHECK_EQ(10, st.st_size, "the relative lookup found the file");
    CHECK_ERR(ENOENT, SYS4(SYS_newfstatat, dfd, "fs_stat_no_such_file", &st, 0), "newfstatat of a missing name");
    CHECK_ERR(EBADF, SYS4(SYS_newfstatat, TAP_BAD_FD, "x", &st, 0), "newfstatat relative to a bad fd");
    CHECK_ERR(EFAULT, SYS4(SYS_newfstatat, AT_FDCWD, (void *)1, &st, 0), "newfstatat with path pointer 1");
    CHECK_ERR(EFAULT, SYS4(SYS_newfstatat, AT_FDCWD, path, tap_unmapped_address(), 0), "newfstatat into unmapped memory");
    CHECK_ERR(EINVAL, SYS4(SYS_newfstatat, AT_FDCWD, path, &st, 0x40000000), "newfstatat with an unknown flag");
    char through_file[96];
    snprintf(through_file, sizeof through_file, "%s/x", path);
    CHECK_ERR(ENOTDIR, SYS4(SYS_newfstatat, AT_FDCWD, through_file, &st, 0), "newfstatat through a regular file");
    close(dfd);
}

static void test_statx(void)
{
    struct statx_abi sx;
    memset(&sx, 0, sizeof sx);
    long r = SYS5(SYS_statx, AT_FDCWD, path, 0, STATX_BASIC_STATS, &sx);
    if (!CHECK_EQ(0, r, "statx(AT_FDCWD, path, STATX_BASIC_STATS)"))
        return;
    unsigned need = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_SIZE | STATX_INO;
    CHECK_EQ(need, sx.stx_mask & need, "stx_mask reports type, mode, nlink, size and ino");
    struct stat st;
    SYS4(SYS_newfstatat, AT_FDCWD, path, &st, 0);
    CHECK_EQ(st.st_mode, sx.stx_mode, "stx_mode equals st_mode");
    CHECK_EQ(st.st_size, (long)sx.stx_size, "stx_size equals st_size");
    CHECK_EQ(st.st_ino, (long)sx.stx_ino, "stx_ino equals st_ino");
    CHECK_EQ(st.st_nlink, sx.stx_nlink, "stx_nlink equals st_nlink");
    CHECK_EQ(st.st_mtime, sx.stx_mtime.tv_sec, "stx_mtime equals st_mtime");

    int fd = open(path, O_RDONLY);
    memset(&sx, 0, sizeof sx);
    CHECK_EQ(0, SYS5(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx), "statx(fd, \"\", AT_EMPTY_PATH)");
    CHECK_EQ(st.st_ino, (long)sx.stx_ino, "statx with AT_EMPTY_PATH describes the fd");
    close(fd);
    memset(&sx, 0, sizeof sx);
    CHECK_EQ(0, SYS5(SYS_statx, AT_FDCWD, "/tmp", 0, STATX_BASIC_STATS, &sx), "statx of a directory");
    CHECK(S_ISDIR(sx.stx_mode), "statx says /tmp is a directory");

    CHECK_ERR(ENOENT, SYS5(SYS_statx, AT_FDCWD, "/tmp/fs_stat_missing", 0, STATX_BASIC_STATS, &sx), "statx of a missing file");
    CHECK_ERR(EINVAL, SYS5(SYS_statx, AT_FDCWD, path, AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx),
              "statx with both sync flags");
    CHECK_ERR(EINVAL, SYS5(SYS_statx, AT_FDCWD, path, 0, STATX_RESERVED_BIT, &sx), "statx with the reserved mask bit");
    CHECK_ERR(EFAULT, SYS5(SYS_statx, AT_FDCWD, path, 0, STATX_BASIC_STATS, tap_unmapped_address()), "statx into unmapped memory");
    CHECK_ERR(EBADF, SYS5(SYS_statx, TAP_BAD_FD, "x", 0, STATX_BASIC_STATS, &sx), "statx relative to a bad fd");
}

static void test_size_changes(void)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    write(fd, "abcdef", 6);
    struct stat st;
    SYS2(SYS_fstat, fd, &st);
    CHECK_EQ(16, st.st_size, "st_size follows an append");
    close(fd);
    fd = open(path, O_WRONLY | O_TRUNC);
    SYS2(SYS_fstat, fd, &st);
    CHECK_EQ(0, st.st_size, "st_size is 0 after O_TRUNC");
    close(fd);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/fs_stat_%d", getpid());
    snprintf(path2, sizeof path2, "/tmp/fs_stat2_%d", getpid());
    test_fstat_file();
    test_other_types();
    test_relative_and_errors();
    test_statx();
    test_size_changes();
    unlink(path);
    unlink(path2);
    return tap_done();
}
