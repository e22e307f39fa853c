/* map_create: BPF_MAP_CREATE through libbpf's bpf_map_create() (names, flags, the invalid
 * parameter combinations Linux refuses and their errno), and BPF_MAP_FREEZE through
 * bpf_map_freeze() on a map of a loaded object. */
#include "bpftest.h"

static int create(enum bpf_map_type type, const char *name, __u32 key, __u32 value, __u32 max, __u32 flags)
{
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
    return bpf_map_create(type, name, key, value, max, &opts);
}

static void check_info(int fd, const char *name, __u32 type, __u32 flags)
{
    struct bpf_map_info info = {};
    __u32 len = sizeof info;
    CHECK_EQ(0, bpf_obj_get_info_by_fd(fd, &info, &len), "%s: info by fd", name);
    CHECK_STR(name, info.name, "%s: the kernel kept the name", name);
    CHECK_EQ(type, info.type, "%s: type %u", name, type);
    CHECK_EQ(flags, info.map_flags, "%s: flags %#x", name, flags);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);

    int fd = create(BPF_MAP_TYPE_HASH, "crt_hash", 4, 8, 8, 0);
    CHECK(fd > 2, "hash map created (fd %d)", fd);
    if (fd > 0) {
        check_info(fd, "crt_hash", BPF_MAP_TYPE_HASH, 0);
        close(fd);
    }
    fd = create(BPF_MAP_TYPE_ARRAY, "a.b_c.0123456", 4, 4, 1, BPF_F_MMAPABLE);
    CHECK(fd > 2, "array with a 13-character name with dots and BPF_F_MMAPABLE created");
    if (fd > 0) {
        check_info(fd, "a.b_c.0123456", BPF_MAP_TYPE_ARRAY, BPF_F_MMAPABLE);
        close(fd);
    }
    fd = create(BPF_MAP_TYPE_ARRAY, "ro_prog", 4, 4, 1, BPF_F_RDONLY_PROG);
    CHECK(fd > 2, "array with BPF_F_RDONLY_PROG created");
    if (fd > 0) {
        check_info(fd, "ro_prog", BPF_MAP_TYPE_ARRAY, BPF_F_RDONLY_PROG);
        close(fd);
    }
    fd = create(BPF_MAP_TYPE_ARRAY, "rdonly", 4, 4, 1, BPF_F_RDONLY);
    CHECK(fd > 2, "array with BPF_F_RDONLY (read-only for syscalls) created");
    if (fd > 0) {
        __u32 k = 0, v = 1;
        CHECK_ERR(EPERM, bpf_map_update_elem(fd, &k, &v, BPF_ANY), "BPF_F_RDONLY map: update: EPERM");
        CHECK_EQ(0, bpf_map_lookup_elem(fd, &k, &v), "BPF_F_RDONLY map: lookup works");
        close(fd);
    }

    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_ARRAY, "bad_key", 8, 4, 1, 0), "array with an 8-byte key: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_ARRAY, "zero_val", 4, 0, 1, 0), "array with value_size 0: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_ARRAY, "zero_max", 4, 4, 0, 0), "array with max_entries 0: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_HASH, "zero_key", 0, 4, 4, 0), "hash with key_size 0: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_HASH, "bad-name", 4, 4, 4, 0), "a '-' in the map name: EINVAL");
    CHECK_ERR(EINVAL, create((enum bpf_map_type)1000, "no_type", 4, 4, 4, 0), "unknown map type 1000: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_ARRAY, "bad_flag", 4, 4, 1, 1u << 30), "unknown map flag: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_HASH, "mmap_hash", 4, 4, 4, BPF_F_MMAPABLE), "BPF_F_MMAPABLE on a hash: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_ARRAY, "both_ro", 4, 4, 1, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG),
              "BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_QUEUE, "q_key", 4, 4, 4, 0), "queue with a key: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_RINGBUF, "rb_small", 0, 0, 1000, 0), "ringbuf of 1000 bytes (not a power-of-2 page multiple): EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_RINGBUF, "rb_key", 4, 0, 4096, 0), "ringbuf with a key: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_LPM_TRIE, "lpm_pre", 8, 8, 4, 0), "LPM trie without BPF_F_NO_PREALLOC: EINVAL");
    CHECK_ERR(EINVAL, create(BPF_MAP_TYPE_BLOOM_FILTER, "bloom_key", 4, 4, 4, 0), "bloom filter with a key: EINVAL");

    /* Freezing: no more syscall-side writes; reads still work; a second freeze is refused with
     * EPERM (the frozen map is no longer writable for syscalls, checked before "already frozen"). */
    struct bpf_object *obj = bt_open_load("map_create");
    if (obj) {
        int mfd = bpf_map__fd(bt_map(obj, "frozen"));
        __u32 k = 1;
        __u64 v = 42, r = 0;
        CHECK_EQ(0, bpf_map_update_elem(mfd, &k, &v, BPF_ANY), "freeze: update before freezing");
        CHECK_EQ(0, bpf_map_freeze(mfd), "freeze: BPF_MAP_FREEZE");
        v = 43;
        CHECK_ERR(EPERM, bpf_map_update_elem(mfd, &k, &v, BPF_ANY), "freeze: update after freezing: EPERM");
        CHECK_EQ(0, bpf_map_lookup_elem(mfd, &k, &r), "freeze: lookup still works");
        CHECK_EQ(42, r, "freeze: value unchanged");
        CHECK_ERR(EPERM, bpf_map_freeze(mfd), "freeze: freezing twice: EPERM");
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
        CHECK(p == MAP_FAILED, "freeze: a writable mmap of a map without BPF_F_MMAPABLE fails");
        if (p != MAP_FAILED)
            munmap(p, 4096);
        bpf_object__close(obj);
    }
    int hfd = create(BPF_MAP_TYPE_HASH, "frz_hash", 4, 4, 4, 0);
    if (hfd > 0) {
        __u32 k = 1, v = 1;
        CHECK_EQ(0, bpf_map_freeze(hfd), "freeze: a hash map can be frozen");
        CHECK_ERR(EPERM, bpf_map_update_elem(hfd, &k, &v, BPF_ANY), "freeze: update of the frozen hash: EPERM");
        CHECK_ERR(EPERM, bpf_map_delete_elem(hfd, &k), "freeze: delete in the frozen hash: EPERM");
        close(hfd);
    }
    CHECK_ERR(EBADF, bpf_map_freeze(TAP_BAD_FD), "freeze: closed fd: EBADF");
    return tap_done();
}
