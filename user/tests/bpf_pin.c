/* bpf_pin: bpffs and BPF_OBJ_PIN/BPF_OBJ_GET — /sys/fs/bpf is a bpf file system (statfs magic
 * 0xcafe4a11, what libbpf checks), pinning keeps a map alive after its fd is closed, getting a
 * pin opens a new fd (BPF_F_RDONLY gives a read-only one), the errors (EEXIST, ENOENT, EPERM
 * outside bpffs or for names with a '.', EINVAL for a non-BPF fd or bad flags, EACCES for a
 * directory), directories and unlink/rmdir/rename inside bpffs. On a host without bpffs
 * mounted on /sys/fs/bpf the test mounts one on a temporary directory. */
#include "bpf_common.h"

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define BPF_FS_MAGIC 0xcafe4a11

static char root[128];

static long obj_pin(long fd, const char *path, __u32 flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.bpf_fd = (__u32)fd;
    a.pathname = (__u64)(uintptr_t)path;
    a.file_flags = flags;
    return bpf_call(BPF_OBJ_PIN, &a);
}

static long obj_get(const char *path, __u32 flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.pathname = (__u64)(uintptr_t)path;
    a.file_flags = flags;
    return bpf_call(BPF_OBJ_GET, &a);
}

static const char *at(const char *name)
{
    static char paths[8][256];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 256, "%s/%s", root, name);
    return p;
}

static int find_bpffs(void)
{
    struct statfs st;
    if (statfs("/sys/fs/bpf", &st) == 0 && (unsigned long)st.f_type == BPF_FS_MAGIC) {
        strcpy(root, "/sys/fs/bpf");
        return 1;
    }
    strcpy(root, "/tmp/bpf_pin_test_fs");
    mkdir(root, 0700);
    if (mount("bpf", root, "bpf", 0, NULL) == 0 && statfs(root, &st) == 0 && (unsigned long)st.f_type == BPF_FS_MAGIC)
        return 2;
    return 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int found = find_bpffs();
    if (!found) {
        tap_skip("no bpffs on /sys/fs/bpf and it cannot be mounted here", "bpffs");
        return tap_done();
    }
    struct statfs st;
    CHECK(statfs(root, &st) == 0 && (unsigned long)st.f_type == BPF_FS_MAGIC, "statfs(%s).f_type == BPF_FS_MAGIC", root);
    if (found == 1)
        CHECK_STR("/sys/fs/bpf", root, "bpffs is mounted on /sys/fs/bpf");

    /* Clean leftovers of an interrupted run. */
    unlink(at("pinned_map"));
    unlink(at("pinned_prog"));
    unlink(at("dir/inner"));
    rmdir(at("dir"));
    rmdir(at("dir2"));

    long map = map_create_named(BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0, "pin_me");
    __u32 id = map_id_of(map);
    __u32 key = 1;
    __u64 value = 4242, out = 0;
    map_update(map, &key, &value, BPF_ANY);

    CHECK_EQ(0, obj_pin(map, at("pinned_map"), 0), "OBJ_PIN of a map");
    struct stat sb;
    CHECK(stat(at("pinned_map"), &sb) == 0 && S_ISREG(sb.st_mode), "the pin is a regular file");
    CHECK_EQ(0600 & ~umask(022), sb.st_mode & 0777, "... with mode 0600 minus the umask");
    umask(022);
    CHECK_ERR(EEXIST, obj_pin(map, at("pinned_map"), 0), "pinning the same name again: EEXIST");
    CHECK_ERR(EINVAL, obj_pin(map, at("other"), 1), "OBJ_PIN with file_flags: EINVAL");
    int devnull = open("/dev/null", O_RDONLY);
    CHECK_ERR(EINVAL, obj_pin(devnull, at("other"), 0), "OBJ_PIN of a non-BPF fd: EINVAL");
    CHECK_ERR(EINVAL, obj_pin(TAP_BAD_FD, at("other"), 0), "OBJ_PIN of a closed fd: EINVAL");
    close(devnull);
    CHECK_ERR(EPERM, obj_pin(map, "/tmp/not_on_bpffs", 0), "OBJ_PIN outside bpffs: EPERM");
    CHECK_ERR(ENOENT, obj_pin(map, at("missing_dir/x"), 0), "OBJ_PIN into a missing directory: ENOENT");
    CHECK_ERR(EPERM, obj_pin(map, at("with.dot"), 0), "OBJ_PIN of a name with a '.': EPERM");
    CHECK_ERR(EFAULT, obj_pin(map, tap_unmapped_address(), 0), "OBJ_PIN with an unmapped path: EFAULT");

    close((int)map);
    long got = obj_get(at("pinned_map"), 0);
    CHECK(got >= 0, "OBJ_GET after the map fd was closed: the pin kept the map");
    CHECK_EQ(id, map_id_of(got), "... same map id");
    CHECK(map_lookup(got, &key, &out) == 0 && out == 4242, "... same contents");
    long ro = obj_get(at("pinned_map"), BPF_F_RDONLY);
    CHECK(ro >= 0, "OBJ_GET with BPF_F_RDONLY");
    CHECK_ERR(EPERM, map_update(ro, &key, &value, BPF_ANY), "... read-only fd: update is EPERM");
    close((int)ro);
    CHECK_ERR(EINVAL, obj_get(at("pinned_map"), BPF_F_RDONLY | BPF_F_WRONLY), "OBJ_GET with RDONLY|WRONLY: EINVAL");
    CHECK_ERR(EINVAL, obj_get(at("pinned_map"), 1u << 5), "OBJ_GET with an unknown flag: EINVAL");
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.pathname = (__u64)(uintptr_t)at("pinned_map");
    a.bpf_fd = 3;
    CHECK_ERR(EINVAL, bpf_call(BPF_OBJ_GET, &a), "OBJ_GET with a bpf_fd: EINVAL");
    CHECK_ERR(ENOENT, obj_get(at("nothing_here"), 0), "OBJ_GET of a missing pin: ENOENT");
    CHECK_ERR(EACCES, obj_get(root, 0), "OBJ_GET of a directory: EACCES");
    CHECK_ERR(EPERM, obj_get(at("with.dot"), 0), "OBJ_GET of a name with a '.': EPERM");
    int opened = open(at("pinned_map"), O_RDONLY);
    CHECK(opened < 0 && errno == EIO, "open() of a pin: EIO");
    if (opened >= 0)
        close(opened);

    /* Directories. */
    CHECK_LIBC_OK(mkdir(at("dir"), 0755), "mkdir inside bpffs");
    CHECK_EQ(0, obj_pin(got, at("dir/inner"), 0), "pin inside the new directory");
    CHECK_LIBC_ERR(ENOTEMPTY, rmdir(at("dir")), "rmdir of a non-empty bpffs directory: ENOTEMPTY");
    CHECK_LIBC_OK(rename(at("dir"), at("dir2")), "rename of the directory");
    long inner = obj_get(at("dir2/inner"), 0);
    CHECK(inner >= 0 && map_id_of(inner) == id, "the pin moved with its directory");
    if (inner >= 0)
        close((int)inner);
    DIR *d = opendir(at("dir2"));
    int seen = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        seen += !strcmp(e->d_name, "inner");
    if (d)
        closedir(d);
    CHECK_EQ(1, seen, "readdir of the directory lists the pin");
    CHECK_LIBC_ERR(EISDIR, unlink(at("dir2")), "unlink of a directory: EISDIR");
    CHECK_LIBC_OK(unlink(at("dir2/inner")), "unlink of the inner pin");
    CHECK_LIBC_OK(rmdir(at("dir2")), "rmdir of the empty directory");
    int created = open(at("plain"), O_CREAT | O_RDWR, 0600);
    CHECK(created < 0, "creating a regular file in bpffs with open(O_CREAT) fails (errno %d)", created < 0 ? errno : 0);
    if (created >= 0)
        close(created);

    /* Unpinning: the map lives while an fd is open, then goes. */
    CHECK_LIBC_OK(unlink(at("pinned_map")), "unlink of the pin");
    CHECK_ERR(ENOENT, obj_get(at("pinned_map"), 0), "OBJ_GET after unlink: ENOENT");
    CHECK_EQ(id, map_id_of(got), "the open fd still names the map");
    close((int)got);
    long gone = 0;
    for (int i = 0; i < 100 && (gone = fd_by_id(BPF_MAP_GET_FD_BY_ID, id, 0)) >= 0; i++) {
        close((int)gone);
        usleep(10000);
    }
    CHECK_ERR(ENOENT, gone, "with the pin and the last fd gone, the map is gone");

    if (found == 2) {
        umount(root);
        rmdir(root);
    }
    return tap_done();
}
