/* pinning: BPF_OBJ_PIN / BPF_OBJ_GET in the bpf filesystem at /sys/fs/bpf: libbpf's
 * LIBBPF_PIN_BY_NAME (the second load reuses the pinned map and its contents), pinning and
 * getting maps and programs with bpf_obj_pin/bpf_obj_get (same ids, usable fds), unpinning,
 * libbpf refusing to reuse an incompatible pinned map, and the errno cases (EEXIST, ENOENT,
 * pinning outside bpffs). */
#include "bpftest.h"

static char dir[128];

static __u32 obj_id(int fd)
{
    struct bpf_map_info info = {}; /* bpf_prog_info starts with type, id as well */
    __u32 len = 8;
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
        return 0;
    return info.id;
}

static struct bpf_object *open_pinned(const char *name)
{
    LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = dir);
    struct bpf_object *obj = bpf_object__open_file(bt_obj_path(name), &opts);
    if (libbpf_get_error(obj))
        return NULL;
    return obj;
}

static int run_bump(struct bpf_object *obj)
{
    unsigned char pkt[64] = { 0 };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof pkt);
    return bpf_prog_test_run_opts(bpf_program__fd(bt_prog(obj, "bump")), &opts);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    const char *why = bt_need_bpffs();
    if (why) {
        tap_skip(why, "pinning needs the bpf filesystem at /sys/fs/bpf");
        return tap_done();
    }
    snprintf(dir, sizeof dir, "/sys/fs/bpf/bpftests-pinning-%d", (int)getpid());
    CHECK_LIBC_OK(mkdir(dir, 0700), "mkdir %s in bpffs", dir);
    char path[256];
    snprintf(path, sizeof path, "%s/pinned_counter", dir);

    /* First load: libbpf creates the map and pins it under pin_root_path. */
    struct bpf_object *obj = open_pinned("pinning");
    CHECK(obj != NULL, "open with pin_root_path");
    if (!obj || bt_load(obj) != 0)
        goto out;
    struct bpf_map *pm = bt_map(obj, "pinned_counter");
    CHECK(bpf_map__is_pinned(pm), "libbpf reports the map pinned");
    CHECK_STR(path, bpf_map__pin_path(pm), "pin path is <pin_root_path>/<map name>");
    CHECK_LIBC_OK(access(path, F_OK), "the pin exists in bpffs");
    struct statfs sfs;
    CHECK(statfs(path, &sfs) == 0 && (long)sfs.f_type == BT_BPF_FS_MAGIC, "statfs of the pin reports BPF_FS_MAGIC");
    run_bump(obj);
    run_bump(obj);
    CHECK_EQ(2, bt_array_u64(pm, 0), "program bumped the pinned counter twice");
    __u32 first_id = obj_id(bpf_map__fd(pm));
    bpf_object__close(obj);

    /* The pin keeps the map alive; a second load reuses it. */
    int got = bpf_obj_get(path);
    CHECK(got > 2, "bpf_obj_get of the pinned map after the object was closed");
    CHECK_EQ(first_id, obj_id(got), "... it is the same map (same id)");
    __u32 zero = 0;
    __u64 v = 0;
    CHECK_EQ(0, bpf_map_lookup_elem(got, &zero, &v), "lookup through the fd from the pin");
    CHECK_EQ(2, v, "... value 2 survived");
    v = 40;
    bpf_map_update_elem(got, &zero, &v, BPF_ANY);
    close(got);

    obj = open_pinned("pinning");
    if (obj && bt_load(obj) == 0) {
        pm = bt_map(obj, "pinned_counter");
        CHECK_EQ(first_id, obj_id(bpf_map__fd(pm)), "second load reused the pinned map (same id)");
        run_bump(obj);
        CHECK_EQ(41, bt_array_u64(pm, 0), "second load's program sees the old contents (40 + 1)");

        /* Pinning by hand: a program and an unpinned map. */
        char ppath[256], mpath[256];
        snprintf(ppath, sizeof ppath, "%s/prog", dir);
        snprintf(mpath, sizeof mpath, "%s/plain", dir);
        int pfd = bpf_program__fd(bt_prog(obj, "bump"));
        CHECK_EQ(0, bpf_obj_pin(pfd, ppath), "bpf_obj_pin of the program");
        CHECK_ERR(EEXIST, bpf_obj_pin(pfd, ppath), "pinning at the same path again: EEXIST");
        int pgot = bpf_obj_get(ppath);
        CHECK(pgot > 2, "bpf_obj_get of the pinned program");
        CHECK_EQ(obj_id(pfd), obj_id(pgot), "... same program id");
        unsigned char pkt[64] = { 0 };
        LIBBPF_OPTS(bpf_test_run_opts, ro, .data_in = pkt, .data_size_in = sizeof pkt);
        CHECK_EQ(0, bpf_prog_test_run_opts(pgot, &ro), "the program fd from the pin runs");
        CHECK_EQ(42, bt_array_u64(pm, 0), "... and bumped the counter to 42");
        close(pgot);
        CHECK_EQ(0, bpf_map__pin(bt_map(obj, "plain"), mpath), "bpf_map__pin of the unpinned map");
        CHECK_LIBC_OK(access(mpath, F_OK), "its pin exists");
        CHECK_EQ(0, bpf_map__unpin(bt_map(obj, "plain"), NULL), "bpf_map__unpin");
        CHECK_ERR(ENOENT, bpf_obj_get(mpath), "bpf_obj_get after unpin: ENOENT");
        CHECK_LIBC_OK(unlink(ppath), "unlink of the program pin");
        CHECK_ERR(ENOENT, bpf_obj_get(ppath), "bpf_obj_get after unlink: ENOENT");
        CHECK_ERR(EPERM, bpf_obj_pin(pfd, "/tmp/bpftests-not-bpffs"), "pinning outside bpffs: EPERM");
        unlink("/tmp/bpftests-not-bpffs");
        char missing[256];
        snprintf(missing, sizeof missing, "%s/no/such/dir", dir);
        CHECK_ERR(ENOENT, bpf_obj_pin(pfd, missing), "pinning under a missing directory: ENOENT");
        bpf_object__close(obj);
    }

    /* An incompatible map pinned at the name: libbpf refuses to reuse it, the load fails. */
    CHECK_LIBC_OK(unlink(path), "unlink of the map pin");
    int wrong = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pinned_counter", 4, 4, 1, NULL);
    CHECK_EQ(0, bpf_obj_pin(wrong, path), "pin an array with 4-byte values under the map's name");
    close(wrong);
    obj = open_pinned("pinning");
    if (obj) {
        int err = bpf_object__load(obj);
        CHECK(err < 0, "load with an incompatible pinned map fails (err %d)", err);
        bpf_object__close(obj);
    }
    unlink(path);

out:
    CHECK_LIBC_OK(rmdir(dir), "rmdir %s", dir);
    return tap_done();
}
