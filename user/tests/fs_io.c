/* fs_io: file I/O on the writable /tmp: open/openat flags (O_CREAT, O_EXCL, O_TRUNC,
 * O_APPEND, O_DIRECTORY) and errors, close, read/write, readv/writev, pread64/pwrite64,
 * lseek (SEEK_SET/CUR/END, holes) with their EBADF/EFAULT/EINVAL/ESPIPE/EISDIR/ENOTDIR
 * errors, lowest-free-fd allocation and a large multi-page round trip. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "tap.h"

static char path_a[64], path_b[64], dir_path[64];

static long open_raw(const char *path, int flags, int mode)
{
    return SYS3(SYS_open, path, flags, mode);
}

static void test_basic(void)
{
    int fd = (int)open_raw(path_a, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (!CHECK_SYS_OK(fd, "open O_CREAT|O_RDWR|O_TRUNC in /tmp"))
        return;
    CHECK_EQ(11, SYS3(SYS_write, fd, "hello world", 11), "write 11 bytes");
    CHECK_EQ(11, SYS3(SYS_lseek, fd, 0, SEEK_CUR), "the offset advanced to 11");
    CHECK_EQ(0, SYS3(SYS_lseek, fd, 0, SEEK_SET), "lseek(0, SEEK_SET)");
    char buf[64] = {0};
    CHECK_EQ(5, SYS3(SYS_read, fd, buf, 5), "read 5 bytes");
    CHECK_STR("hello", buf, "read returns the written bytes");
    CHECK_EQ(6, SYS3(SYS_read, fd, buf, sizeof buf), "a large read returns only what is left");
    CHECK_EQ(0, SYS3(SYS_read, fd, buf, sizeof buf), "read at end of file returns 0");
    CHECK_EQ(0, SYS3(SYS_read, fd, buf, 0), "read of 0 bytes returns 0");
    CHECK_EQ(11, SYS3(SYS_lseek, fd, 0, SEEK_END), "lseek(0, SEEK_END) is the size");
    CHECK_EQ(8, SYS3(SYS_lseek, fd, -3, SEEK_END), "lseek(-3, SEEK_END)");
    CHECK_EQ(10, SYS3(SYS_lseek, fd, 2, SEEK_CUR), "lseek(2, SEEK_CUR)");

    /* Seek past the end and write: the gap reads as zeros. */
    CHECK_EQ(100, SYS3(SYS_lseek, fd, 100, SEEK_SET), "lseek past end of file");
    CHECK_EQ(1, SYS3(SYS_write, fd, "!", 1), "write after the hole");
    char hole[101];
    memset(hole, 'x', sizeof hole);
    CHECK_EQ(101, SYS4(SYS_pread64, fd, hole, sizeof hole, 0), "pread the whole file");
    int zeros = 1;
    for (int i = 11; i < 100; i++)
        if (hole[i])
            zeros = 0;
    CHECK(zeros && hole[100] == '!', "the hole reads as zeros and the byte after it is there");

    CHECK_ERR(EINVAL, SYS3(SYS_lseek, fd, -1, SEEK_SET), "lseek to a negative offset");
    CHECK_ERR(EINVAL, SYS3(SYS_lseek, fd, 0, 42), "lseek with a bad whence");
    SYS3(SYS_lseek, fd, 0, SEEK_SET);
    CHECK_ERR(EFAULT, SYS3(SYS_read, fd, (void *)1, 8), "read into address 1");
    CHECK_ERR(EFAULT, SYS3(SYS_read, fd, tap_unmapped_address(), 8), "read into unmapped memory");
    CHECK_ERR(EFAULT, SYS3(SYS_write, fd, tap_unmapped_address(), 8), "write from unmapped memory");
    CHECK_EQ(0, SYS1(SYS_close, fd), "close");
    CHECK_ERR(EBADF, SYS1(SYS_close, fd), "close of an already closed fd");
    CHECK_ERR(EBADF, SYS3(SYS_read, fd, buf, 1), "read from a closed fd");
    CHECK_ERR(EBADF, SYS3(SYS_write, TAP_BAD_FD, buf, 1), "write to a never opened fd");
    CHECK_ERR(EBADF, SYS3(SYS_lseek, TAP_BAD_FD, 0, SEEK_SET), "lseek on a bad fd");
    CHECK_ERR(EBADF, SYS1(SYS_close, -1), "close(-1)");
}

static void test_open_flags(void)
{
    CHECK_ERR(EEXIST, open_raw(path_a, O_CREAT | O_EXCL | O_RDWR, 0644), "O_CREAT|O_EXCL on an existing file");
    int fd = (int)open_raw(path_a, O_RDONLY, 0);
    if (CHECK_SYS_OK(fd, "open read-only")) {
        CHECK_ERR(EBADF, SYS3(SYS_write, fd, "x", 1), "write to a read-only fd");
        close(fd);
    }
    fd = (int)open_raw(path_a, O_WRONLY, 0);
    if (CHECK_SYS_OK(fd, "open write-only")) {
        char c;
        CHECK_ERR(EBADF, SYS3(SYS_read, fd, &c, 1), "read from a write-only fd");
        close(fd);
    }
    fd = (int)open_raw(path_a, O_WRONLY | O_APPEND, 0);
    if (CHECK_SYS_OK(fd, "open O_APPEND")) {
        SYS3(SYS_lseek, fd, 0, SEEK_SET);
        SYS3(SYS_write, fd, "END", 3);
        struct stat st;
        fstat(fd, &st);
        CHECK_EQ(104, st.st_size, "O_APPEND writes go to the end despite lseek(0)");
        CHECK_EQ(104, SYS3(SYS_lseek, fd, 0, SEEK_CUR), "after an O_APPEND write the offset is the end");
        close(fd);
    }
    fd = (int)open_raw(path_a, O_RDWR | O_TRUNC, 0);
    if (CHECK_SYS_OK(fd, "open O_TRUNC of an existing file")) {
        CHECK_EQ(0, SYS3(SYS_lseek, fd, 0, SEEK_END), "O_TRUNC emptied the file");
        close(fd);
    }
    CHECK_ERR(ENOENT, open_raw("/tmp/fs_io_definitely_missing", O_RDONLY, 0), "open of a missing file");
    CHECK_ERR(ENOENT, open_raw("", O_RDONLY, 0), "open of the empty path");
    CHECK_ERR(ENOENT, open_raw("/no_such_dir/file", O_CREAT | O_RDWR, 0644), "O_CREAT in a missing directory");
    CHECK_ERR(EFAULT, open_raw((const char *)1, O_RDONLY, 0), "open with path pointer 1");
    CHECK_ERR(EFAULT, open_raw(tap_unmapped_address(), O_RDONLY, 0), "open with an unmapped path");
    CHECK_ERR(ENOTDIR, open_raw(path_a, O_RDONLY | O_DIRECTORY, 0), "O_DIRECTORY on a regular file");
    char below_file[96];
    snprintf(below_file, sizeof below_file, "%s/child", path_a);
    CHECK_ERR(ENOTDIR, open_raw(below_file, O_RDONLY, 0), "a path through a regular file");
    CHECK_ERR(EISDIR, open_raw("/tmp", O_WRONLY, 0), "opening a directory for writing");
    fd = (int)open_raw("/tmp", O_RDONLY | O_DIRECTORY, 0);
    if (CHECK_SYS_OK(fd, "open a directory O_RDONLY|O_DIRECTORY")) {
        char c;
        CHECK_ERR(EISDIR, SYS3(SYS_read, fd, &c, 1), "read from a directory fd");
        close(fd);
    }
}

static void test_openat(void)
{
    int dfd = (int)open_raw(dir_path, O_RDONLY | O_DIRECTORY, 0);
    if (!CHECK_SYS_OK(dfd, "open the test directory"))
        return;
    int fd = (int)SYS4(SYS_openat, dfd, "rel", O_CREAT | O_RDWR, 0644);
    if (CHECK_SYS_OK(fd, "openat relative to a directory fd")) {
        SYS3(SYS_write, fd, "at", 2);
        close(fd);
    }
    char full[96];
    snprintf(full, sizeof full, "%s/rel", dir_path);
    fd = (int)SYS4(SYS_openat, AT_FDCWD, full, O_RDONLY, 0);
    char buf[4] = {0};
    if (CHECK_SYS_OK(fd, "openat(AT_FDCWD, absolute path) finds it")) {
        SYS3(SYS_read, fd, buf, 2);
        close(fd);
    }
    CHECK_STR("at", buf, "the file created through the directory fd has the data");
    fd = (int)SYS4(SYS_openat, TAP_BAD_FD, full, O_RDONLY, 0);
    CHECK_SYS_OK(fd, "an absolute path ignores even a bad dirfd");
    if (fd >= 0)
        close(fd);
    CHECK_ERR(EBADF, SYS4(SYS_openat, TAP_BAD_FD, "rel", O_RDONLY, 0), "openat relative to a bad dirfd");
    int file_fd = (int)SYS4(SYS_openat, dfd, "rel", O_RDONLY, 0);
    CHECK_ERR(ENOTDIR, SYS4(SYS_openat, file_fd, "x", O_RDONLY, 0), "openat relative to a regular file fd");
    close(file_fd);
    unlink(full);
    close(dfd);
}

static void test_vectored_and_positional(void)
{
    int fd = (int)open_raw(path_b, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (!CHECK_SYS_OK(fd, "create a file for readv/writev"))
        return;
    struct iovec out[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
    CHECK_EQ(8, SYS3(SYS_writev, fd, out, 3), "writev of three buffers (one empty) writes 8 bytes");
    SYS3(SYS_lseek, fd, 0, SEEK_SET);
    char x[2] = {0}, y[4] = {0}, z[8] = {0};
    struct iovec in[3] = {{x, 1}, {y, 3}, {z, 7}};
    CHECK_EQ(8, SYS3(SYS_readv, fd, in, 3), "readv scatters 8 bytes");
    CHECK(strcmp(x, "a") == 0 && strcmp(y, "bcd") == 0 && strcmp(z, "efgh") == 0,
          "readv fills the buffers in order (\"%s\" \"%s\" \"%s\")", x, y, z);
    CHECK_ERR(EINVAL, SYS3(SYS_writev, fd, out, -1), "writev with a negative count");
    CHECK_ERR(EINVAL, SYS3(SYS_readv, fd, in, 100000), "readv with more than IOV_MAX buffers");
    CHECK_ERR(EFAULT, SYS3(SYS_writev, fd, tap_unmapped_address(), 1), "writev with an unmapped iovec array");
    struct iovec bad[1] = {{tap_unmapped_address(), 4}};
    SYS3(SYS_lseek, fd, 0, SEEK_SET);
    CHECK_ERR(EFAULT, SYS3(SYS_readv, fd, bad, 1), "readv into an unmapped buffer");
    CHECK_ERR(EBADF, SYS3(SYS_readv, TAP_BAD_FD, in, 1), "readv from a bad fd");

    SYS3(SYS_lseek, fd, 2, SEEK_SET);
    char p[4] = {0};
    CHECK_EQ(3, SYS4(SYS_pread64, fd, p, 3, 4), "pread64 3 bytes at offset 4");
    CHECK_STR("efg", p, "pread64 reads at the given offset");
    CHECK_EQ(2, SYS3(SYS_lseek, fd, 0, SEEK_CUR), "pread64 leaves the file offset alone");
    CHECK_EQ(2, SYS4(SYS_pwrite64, fd, "XY", 2, 1), "pwrite64 2 bytes at offset 1");
    CHECK_EQ(2, SYS3(SYS_lseek, fd, 0, SEEK_CUR), "pwrite64 leaves the file offset alone");
    char all[9] = {0};
    SYS4(SYS_pread64, fd, all, 8, 0);
    CHECK_STR("aXYdefgh", all, "pwrite64 wrote at the given offset");
    CHECK_EQ(0, SYS4(SYS_pread64, fd, all, 8, 1000), "pread64 beyond end of file returns 0");
    CHECK_ERR(EINVAL, SYS4(SYS_pread64, fd, all, 1, -1), "pread64 at a negative offset");
    int pipefd[2];
    pipe2(pipefd, 0);
    CHECK_ERR(ESPIPE, SYS4(SYS_pread64, pipefd[0], all, 1, 0), "pread64 on a pipe");
    CHECK_ERR(ESPIPE, SYS4(SYS_pwrite64, pipefd[1], "x", 1, 0), "pwrite64 on a pipe");
    CHECK_ERR(ESPIPE, SYS3(SYS_lseek, pipefd[0], 0, SEEK_SET), "lseek on a pipe");
    close(pipefd[0]);
    close(pipefd[1]);
    close(fd);
}

static void test_lowest_fd(void)
{
    int a = (int)open_raw("/dev/null", O_RDONLY, 0);
    int b = (int)open_raw("/dev/null", O_RDONLY, 0);
    int c = (int)open_raw("/dev/null", O_RDONLY, 0);
    CHECK(a >= 3 && b == a + 1 && c == b + 1, "consecutive opens return consecutive fds (%d %d %d)", a, b, c);
    close(b);
    int d = (int)open_raw("/dev/null", O_RDONLY, 0);
    CHECK_EQ(b, d, "open reuses the lowest free fd");
    close(a);
    close(c);
    close(d);
}

static void test_large(void)
{
    int fd = (int)open_raw(path_b, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (!CHECK_SYS_OK(fd, "create a file for a large round trip"))
        return;
    static unsigned char out[70001], in[70001];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (unsigned char)(i * 131 + i / 4096);
    CHECK_EQ(sizeof out, SYS3(SYS_write, fd, out, sizeof out), "write 70001 bytes at once");
    SYS3(SYS_lseek, fd, 0, SEEK_SET);
    size_t got = 0;
    for (;;) {
        long n = SYS3(SYS_read, fd, in + got, sizeof in - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    CHECK_EQ(sizeof in, got, "read back 70001 bytes");
    CHECK(memcmp(out, in, sizeof out) == 0, "the data is identical across page boundaries");
    close(fd);
}

int main(void)
{
    snprintf(path_a, sizeof path_a, "/tmp/fs_io_a_%d", getpid());
    snprintf(path_b, sizeof path_b, "/tmp/fs_io_b_%d", getpid());
    snprintf(dir_path, sizeof dir_path, "/tmp/fs_io_dir_%d", getpid());
    mkdir(dir_path, 0755);
    test_basic();
    test_open_flags();
    test_openat();
    test_vectored_and_positional();
    test_lowest_fd();
    test_large();
    unlink(path_a);
    unlink(path_b);
    rmdir(dir_path);
    return tap_done();
}
