/* fs_dirs: directory operations on the writable /tmp: mkdir, rmdir, unlink, rename,
 * getdents64 (all entries exactly once across small buffers, d_type, d_reclen), getcwd and
 * chdir, faccessat/faccessat2, readlink/readlinkat (on /proc/self/exe when present), with
 * EEXIST/ENOENT/ENOTDIR/EISDIR/ENOTEMPTY/EINVAL/ERANGE/EFAULT/EBADF errors. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include "tap.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static char top[64];

static void make_file(const char *dir, const char *name, const char *content)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd >= 0) {
        write(fd, content, strlen(content));
        close(fd);
    }
}

static void test_mkdir_rmdir_unlink(void)
{
    CHECK_EQ(0, SYS2(SYS_mkdir, top, 0755), "mkdir a directory in /tmp");
    struct stat st;
    CHECK(stat(top, &st) == 0 && S_ISDIR(st.st_mode), "the new directory exists and is a directory");
    CHECK_ERR(EEXIST, SYS2(SYS_mkdir, top, 0755), "mkdir of an existing name");
    CHECK_ERR(ENOENT, SYS2(SYS_mkdir, "/tmp/fs_dirs_missing_parent/child", 0755), "mkdir in a missing parent");
    CHECK_ERR(EFAULT, SYS2(SYS_mkdir, tap_unmapped_address(), 0755), "mkdir with an unmapped path");

    char sub[96], file[96];
    snprintf(sub, sizeof sub, "%s/sub", top);
    snprintf(file, sizeof file, "%s/file", top);
    CHECK_EQ(0, SYS2(SYS_mkdir, sub, 0755), "mkdir a subdirectory");
    make_file(top, "file", "data");
    char through[128];
    snprintf(through, sizeof through, "%s/x", file);
    CHECK_ERR(ENOTDIR, SYS2(SYS_mkdir, through, 0755), "mkdir below a regular file");
    CHECK_ERR(ENOTEMPTY, SYS1(SYS_rmdir, top), "rmdir of a non-empty directory");
    CHECK_ERR(ENOTDIR, SYS1(SYS_rmdir, file), "rmdir of a regular file");
    CHECK_ERR(EISDIR, SYS1(SYS_unlink, sub), "unlink of a directory");
    CHECK_ERR(ENOENT, SYS1(SYS_unlink, "/tmp/fs_dirs_no_such_file"), "unlink of a missing file");
    char dot[128];
    snprintf(dot, sizeof dot, "%s/.", sub);
    CHECK_ERR(EINVAL, SYS1(SYS_rmdir, dot), "rmdir of a path ending in \".\"");
    CHECK_EQ(0, SYS1(SYS_rmdir, sub), "rmdir of an empty directory");
    CHECK_ERR(ENOENT, SYS4(SYS_newfstatat, AT_FDCWD, sub, &st, 0), "the removed directory is gone");
    CHECK_EQ(0, SYS1(SYS_unlink, file), "unlink a file");
    CHECK_ERR(ENOENT, SYS4(SYS_newfstatat, AT_FDCWD, file, &st, 0), "the unlinked file is gone");
}

static void test_unlink_open_file(void)
{
    char file[96];
    snprintf(file, sizeof file, "%s/open_then_unlink", top);
    int fd = open(file, O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(fd, "still here", 10);
    CHECK_EQ(0, SYS1(SYS_unlink, file), "unlink a file that is still open");
    char buf[16] = {0};
    CHECK_EQ(10, pread(fd, buf, sizeof buf, 0), "the open fd still reads the unlinked file");
    CHECK_STR("still here", buf, "with its contents");
    close(fd);
}

/* Reads the whole directory with a small buffer; returns the number of entries or -1. */
static int read_dir(const char *dir, char names[][32], unsigned char *types, int max, int *bad_reclen)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int n = 0;
    *bad_reclen = 0;
    char buf[64] __attribute__((aligned(8))); /* holds one or two entries at a time */
    for (;;) {
        long got = SYS3(SYS_getdents64, fd, buf, sizeof buf);
        if (got <= 0) {
            if (got < 0)
                n = -1;
            break;
        }
        for (long off = 0; off < got;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            if (d->d_reclen == 0 || d->d_reclen % 8 != 0) {
                *bad_reclen = 1;
                close(fd);
                return n;
            }
            if (n < max) {
                snprintf(names[n], 32, "%s", d->d_name);
                types[n] = d->d_type;
            }
            n++;
            off += d->d_reclen;
        }
    }
    close(fd);
    return n;
}

static int index_of(char names[][32], int n, const char *name)
{
    int found = -1;
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            if (found >= 0)
                return -2; /* listed twice */
            found = i;
        }
    }
    return found;
}

static void test_getdents(void)
{
    make_file(top, "alpha", "1");
    make_file(top, "beta_with_a_longer_name", "2");
    make_file(top, "gamma", "3");
    char sub[96];
    snprintf(sub, sizeof sub, "%s/delta_dir", top);
    mkdir(sub, 0755);

    char names[32][32];
    unsigned char types[32];
    int bad_reclen;
    int n = read_dir(top, names, types, 32, &bad_reclen);
    CHECK(!bad_reclen, "every d_reclen is a non-zero multiple of 8");
    CHECK_EQ(6, n, "getdents64 lists . .. and 4 entries, through a 64-byte buffer");
    const char *expect[] = {".", "..", "alpha", "beta_with_a_longer_name", "gamma", "delta_dir"};
    int all_once = 1;
    for (int i = 0; i < 6; i++) {
        if (index_of(names, n < 32 ? n : 32, expect[i]) < 0) {
            DIAG("missing or repeated: %s", expect[i]);
            all_once = 0;
        }
    }
    CHECK(all_once, "each entry appears exactly once");
    int a = index_of(names, n, "alpha"), d = index_of(names, n, "delta_dir"), dot = index_of(names, n, ".");
    CHECK(a >= 0 && types[a] == DT_REG, "a regular file has d_type DT_REG");
    CHECK(d >= 0 && types[d] == DT_DIR, "a directory has d_type DT_DIR");
    CHECK(dot >= 0 && types[dot] == DT_DIR, "\".\" has d_type DT_DIR");

    char gamma[96];
    snprintf(gamma, sizeof gamma, "%s/gamma", top);
    unlink(gamma);
    n = read_dir(top, names, types, 32, &bad_reclen);
    CHECK(n == 5 && index_of(names, n, "gamma") == -1, "an unlinked file is no longer listed");

    int fd = open(top, O_RDONLY | O_DIRECTORY);
    char tiny[8] __attribute__((aligned(8)));
    CHECK_ERR(EINVAL, SYS3(SYS_getdents64, fd, tiny, sizeof tiny), "getdents64 with a buffer too small for one entry");
    CHECK_ERR(EFAULT, SYS3(SYS_getdents64, fd, tap_unmapped_address(), 4096), "getdents64 into unmapped memory");
    close(fd);
    char buf[256];
    fd = open("/dev/null", O_RDONLY);
    CHECK_ERR(ENOTDIR, SYS3(SYS_getdents64, fd, buf, sizeof buf), "getdents64 on a non-directory");
    close(fd);
    CHECK_ERR(EBADF, SYS3(SYS_getdents64, TAP_BAD_FD, buf, sizeof buf), "getdents64 on a bad fd");
}

static void test_rename(void)
{
    char a[96], b[96], c[96], dir2[96], inside[128];
    snprintf(a, sizeof a, "%s/alpha", top);
    snprintf(b, sizeof b, "%s/renamed", top);
    snprintf(c, sizeof c, "%s/beta_with_a_longer_name", top);
    snprintf(dir2, sizeof dir2, "%s/delta_dir", top);
    snprintf(inside, sizeof inside, "%s/delta_dir/moved_in", top);
    struct stat st;
    CHECK_EQ(0, SYS2(SYS_rename, a, b), "rename a file");
    CHECK_ERR(ENOENT, SYS4(SYS_newfstatat, AT_FDCWD, a, &st, 0), "the old name is gone");
    CHECK_EQ(0, SYS4(SYS_newfstatat, AT_FDCWD, b, &st, 0), "the new name exists");
    CHECK_EQ(0, SYS2(SYS_rename, c, b), "rename over an existing file");
    char buf[8] = {0};
    int fd = open(b, O_RDONLY);
    read(fd, buf, sizeof buf - 1);
    close(fd);
    CHECK_STR("2", buf, "the target now has the source's contents");
    CHECK_EQ(0, SYS2(SYS_rename, b, inside), "move a file into a subdirectory");
    CHECK_EQ(0, SYS4(SYS_newfstatat, AT_FDCWD, inside, &st, 0), "the file is in the subdirectory");
    CHECK_ERR(ENOENT, SYS2(SYS_rename, a, b), "rename of a missing file");
    char into_self[128];
    snprintf(into_self, sizeof into_self, "%s/delta_dir/self", top);
    CHECK_ERR(EINVAL, SYS2(SYS_rename, dir2, into_self), "rename a directory into itself");
    make_file(top, "plain", "p");
    char plain[96];
    snprintf(plain, sizeof plain, "%s/plain", top);
    CHECK_ERR(EISDIR, SYS2(SYS_rename, plain, dir2), "rename a file over a directory");
    char dir3[96];
    snprintf(dir3, sizeof dir3, "%s/epsilon_dir", top);
    CHECK_EQ(0, SYS2(SYS_rename, dir2, dir3), "rename a directory");
    snprintf(inside, sizeof inside, "%s/epsilon_dir/moved_in", top);
    CHECK_EQ(0, SYS4(SYS_newfstatat, AT_FDCWD, inside, &st, 0), "its contents moved with it");
    unlink(inside);
    unlink(plain);
    rmdir(dir3);
}

static void test_cwd(void)
{
    char saved[256];
    long len = SYS2(SYS_getcwd, saved, sizeof saved);
    CHECK(len > 0 && (size_t)len == strlen(saved) + 1, "raw getcwd returns the length including the NUL (%ld)", len);
    CHECK_EQ(0, SYS1(SYS_chdir, top), "chdir into the test directory");
    char cwd[256] = {0};
    SYS2(SYS_getcwd, cwd, sizeof cwd);
    CHECK_STR(top, cwd, "getcwd reports the new directory");
    int fd = open("relative_file", O_CREAT | O_WRONLY, 0644);
    CHECK_LIBC_OK(fd, "a relative open uses the new cwd");
    close(fd);
    char abs_path[128];
    snprintf(abs_path, sizeof abs_path, "%s/relative_file", top);
    struct stat st;
    CHECK_EQ(0, SYS4(SYS_newfstatat, AT_FDCWD, abs_path, &st, 0), "the relative file is in that directory");
    unlink(abs_path);
    CHECK_EQ(0, SYS1(SYS_chdir, ".."), "chdir(\"..\")");
    SYS2(SYS_getcwd, cwd, sizeof cwd);
    CHECK_STR("/tmp", cwd, "\"..\" leads back to /tmp");
    CHECK_ERR(ERANGE, SYS2(SYS_getcwd, cwd, 3), "getcwd into a 3-byte buffer");
    CHECK_ERR(EFAULT, SYS2(SYS_getcwd, tap_unmapped_address(), sizeof cwd), "getcwd into unmapped memory");
    CHECK_ERR(ENOENT, SYS1(SYS_chdir, "/tmp/fs_dirs_missing_dir"), "chdir to a missing directory");
    CHECK_ERR(ENOTDIR, SYS1(SYS_chdir, "/dev/null"), "chdir to a non-directory");
    CHECK_EQ(0, SYS1(SYS_chdir, "/"), "chdir(\"/\")");
    SYS2(SYS_getcwd, cwd, sizeof cwd);
    CHECK_STR("/", cwd, "getcwd at the root is \"/\"");
    SYS1(SYS_chdir, saved);
}

static void test_access(void)
{
    char file[96];
    snprintf(file, sizeof file, "%s/acc", top);
    make_file(top, "acc", "x");
    CHECK_EQ(0, SYS4(SYS_faccessat, AT_FDCWD, file, F_OK, 0), "faccessat F_OK on an existing file");
    CHECK_EQ(0, SYS4(SYS_faccessat, AT_FDCWD, file, R_OK | W_OK, 0), "faccessat R_OK|W_OK on our own file");
    CHECK_ERR(ENOENT, SYS4(SYS_faccessat, AT_FDCWD, "/tmp/fs_dirs_nope", F_OK, 0), "faccessat on a missing file");
    CHECK_ERR(EINVAL, SYS4(SYS_faccessat, AT_FDCWD, file, 0x100, 0), "faccessat with an invalid mode");
    int dfd = open(top, O_RDONLY | O_DIRECTORY);
    CHECK_EQ(0, SYS4(SYS_faccessat, dfd, "acc", F_OK, 0), "faccessat relative to a directory fd");
    CHECK_ERR(EBADF, SYS4(SYS_faccessat, TAP_BAD_FD, "acc", F_OK, 0), "faccessat relative to a bad fd");
    CHECK_EQ(0, SYS4(SYS_faccessat2, dfd, "acc", R_OK, AT_EACCESS), "faccessat2 with AT_EACCESS");
    CHECK_EQ(0, SYS4(SYS_faccessat2, AT_FDCWD, file, F_OK, 0), "faccessat2 with no flags");
    CHECK_ERR(EINVAL, SYS4(SYS_faccessat2, AT_FDCWD, file, F_OK, 0x1), "faccessat2 with an invalid flag");
    CHECK_ERR(EFAULT, SYS4(SYS_faccessat2, AT_FDCWD, tap_unmapped_address(), F_OK, 0), "faccessat2 with an unmapped path");
    close(dfd);
    unlink(file);
}

static void test_readlink(const char *self)
{
    char file[96];
    snprintf(file, sizeof file, "%s/not_a_link", top);
    make_file(top, "not_a_link", "x");
    char buf[256];
    CHECK_ERR(EINVAL, SYS3(SYS_readlink, file, buf, sizeof buf), "readlink of a regular file");
    CHECK_ERR(ENOENT, SYS3(SYS_readlink, "/tmp/fs_dirs_no_link", buf, sizeof buf), "readlink of a missing path");
    int dfd = open(top, O_RDONLY | O_DIRECTORY);
    CHECK_ERR(EINVAL, SYS4(SYS_readlinkat, dfd, "not_a_link", buf, sizeof buf), "readlinkat of a regular file");
    CHECK_ERR(EBADF, SYS4(SYS_readlinkat, TAP_BAD_FD, "not_a_link", buf, sizeof buf), "readlinkat relative to a bad fd");
    close(dfd);
    unlink(file);

    struct stat exe_st, self_st;
    if (stat("/proc/self/exe", &exe_st) != 0) {
        DIAG("/proc/self/exe is not available: readlink of a real symlink is not checked");
        tap_skip("no /proc/self/exe", "readlink(/proc/self/exe) names this program");
        return;
    }
    long n = SYS3(SYS_readlink, "/proc/self/exe", buf, sizeof buf - 1);
    CHECK(n > 0 && buf[0] == '/', "readlink(/proc/self/exe) returns an absolute path (%ld bytes)", n);
    if (n > 0) {
        buf[n] = '\0';
        CHECK(stat(buf, &exe_st) == 0 && stat(self, &self_st) == 0 && exe_st.st_ino == self_st.st_ino &&
                  exe_st.st_dev == self_st.st_dev,
              "/proc/self/exe (%s) is this program", buf);
        char small[4];
        memset(small, '#', sizeof small);
        CHECK_EQ(4, SYS3(SYS_readlink, "/proc/self/exe", small, sizeof small), "readlink truncates to the buffer size");
        CHECK(memcmp(small, buf, 4) == 0, "the truncated result is the start of the link, without a NUL");
        int proc = open("/proc/self", O_RDONLY | O_DIRECTORY);
        char at[256];
        long m = SYS4(SYS_readlinkat, proc, "exe", at, sizeof at);
        CHECK(m == n && memcmp(at, buf, (size_t)n) == 0, "readlinkat(/proc/self fd, \"exe\") agrees");
        close(proc);
    }
    CHECK_ERR(EFAULT, SYS3(SYS_readlink, "/proc/self/exe", tap_unmapped_address(), 64), "readlink into unmapped memory");
    CHECK_ERR(EINVAL, SYS3(SYS_readlink, "/proc/self/exe", buf, 0), "readlink with a zero-size buffer");
}

int main(int argc, char **argv)
{
    (void)argc;
    snprintf(top, sizeof top, "/tmp/fs_dirs_%d", getpid());
    test_mkdir_rmdir_unlink();
    test_unlink_open_file();
    test_getdents();
    test_rename();
    test_cwd();
    test_access();
    test_readlink(argv[0]);
    rmdir(top);
    struct stat st;
    CHECK_ERR(ENOENT, SYS4(SYS_newfstatat, AT_FDCWD, top, &st, 0), "the test directory was removed at the end");
    return tap_done();
}
