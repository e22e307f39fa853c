/* map_crud: create/read/update/delete and iteration through libbpf's wrappers
 * (bpf_map_update_elem, bpf_map_lookup_elem, bpf_map_delete_elem, bpf_map_get_next_key,
 * bpf_map_lookup_and_delete_elem, bpf_map__* with size checks) on a hash and an array map,
 * with the errno of every refused operation as Linux reports it. */
#include "bpftest.h"

static void hash_checks(struct bpf_map *map)
{
    int fd = bpf_map__fd(map);
    __u32 key = 1, next = 0;
    __u64 value = 0, v;

    CHECK_ERR(ENOENT, bpf_map_lookup_elem(fd, &key, &value), "hash: lookup of a missing key: ENOENT");
    CHECK_ERR(ENOENT, bpf_map_delete_elem(fd, &key), "hash: delete of a missing key: ENOENT");
    CHECK_ERR(ENOENT, bpf_map_get_next_key(fd, NULL, &next), "hash: get_next_key on an empty map: ENOENT");
    v = 10;
    CHECK_ERR(ENOENT, bpf_map_update_elem(fd, &key, &v, BPF_EXIST), "hash: BPF_EXIST on a missing key: ENOENT");
    CHECK_EQ(0, bpf_map_update_elem(fd, &key, &v, BPF_NOEXIST), "hash: BPF_NOEXIST creates key 1");
    v = 11;
    CHECK_ERR(EEXIST, bpf_map_update_elem(fd, &key, &v, BPF_NOEXIST), "hash: BPF_NOEXIST on an existing key: EEXIST");
    CHECK_EQ(0, bpf_map_lookup_elem(fd, &key, &value), "hash: lookup key 1");
    CHECK_EQ(10, value, "hash: the refused update left 10");
    v = 12;
    CHECK_EQ(0, bpf_map_update_elem(fd, &key, &v, BPF_EXIST), "hash: BPF_EXIST replaces key 1");
    bpf_map_lookup_elem(fd, &key, &value);
    CHECK_EQ(12, value, "hash: value is now 12");
    CHECK_ERR(EINVAL, bpf_map_update_elem(fd, &key, &v, 8), "hash: unknown update flag 8: EINVAL");
    CHECK_ERR(EINVAL, bpf_map_update_elem(fd, &key, &v, BPF_F_LOCK), "hash: BPF_F_LOCK without a spin lock: EINVAL");

    /* Fill to max_entries (4): a fifth key is refused, replacing an existing one is not. */
    for (__u32 k = 2; k <= 4; k++) {
        v = k * 10;
        CHECK_EQ(0, bpf_map_update_elem(fd, &k, &v, BPF_ANY), "hash: insert key %u", k);
    }
    __u32 k5 = 5;
    v = 50;
    CHECK_ERR(E2BIG, bpf_map_update_elem(fd, &k5, &v, BPF_ANY), "hash: a fifth key in a full map: E2BIG");
    v = 13;
    CHECK_EQ(0, bpf_map_update_elem(fd, &key, &v, BPF_ANY), "hash: replacing a key in a full map works");

    /* Iteration visits each key exactly once, then ENOENT. */
    int seen[6] = { 0 }, steps = 0, err;
    __u32 cur, *prev = NULL;
    while ((err = bpf_map_get_next_key(fd, prev, &cur)) == 0 && steps < 10) {
        if (cur < 6)
            seen[cur]++;
        steps++;
        prev = &next;
        next = cur;
    }
    CHECK_EQ(-ENOENT, err, "hash: iteration ends with ENOENT");
    CHECK_EQ(4, steps, "hash: iteration visits 4 keys");
    CHECK(seen[1] == 1 && seen[2] == 1 && seen[3] == 1 && seen[4] == 1, "hash: keys 1..4 each seen once");
    /* A key that is not in the map restarts from the first key (Linux's hash behaviour). */
    __u32 first = 0, from_missing = 0;
    bpf_map_get_next_key(fd, NULL, &first);
    CHECK_EQ(0, bpf_map_get_next_key(fd, &k5, &from_missing), "hash: get_next_key from a missing key succeeds");
    CHECK_EQ(first, from_missing, "hash: ... and returns the first key");

    __u32 k3 = 3;
    CHECK_EQ(0, bpf_map_lookup_and_delete_elem(fd, &k3, &value), "hash: lookup_and_delete of key 3");
    CHECK_EQ(30, value, "hash: lookup_and_delete returned 30");
    CHECK_ERR(ENOENT, bpf_map_lookup_elem(fd, &k3, &value), "hash: key 3 is gone");
    CHECK_EQ(0, bpf_map_delete_elem(fd, &key), "hash: delete key 1");
    CHECK_ERR(ENOENT, bpf_map_delete_elem(fd, &key), "hash: deleting it again: ENOENT");
    CHECK_EQ(0, bpf_map_update_elem(fd, &k5, &v, BPF_NOEXIST), "hash: after deletes a new key fits again");

    /* libbpf's bpf_map__* wrappers check sizes in user space before calling the kernel. */
    __u64 big_key = 2;
    CHECK_ERR(EINVAL, bpf_map__lookup_elem(map, &big_key, sizeof big_key, &value, sizeof value, 0),
              "hash: bpf_map__lookup_elem with an 8-byte key for a 4-byte map: EINVAL");
    __u32 k2 = 2;
    CHECK_EQ(0, bpf_map__lookup_elem(map, &k2, sizeof k2, &value, sizeof value, 0), "hash: bpf_map__lookup_elem of key 2");
    CHECK_EQ(20, value, "hash: bpf_map__lookup_elem read 20");
    v = 21;
    CHECK_EQ(0, bpf_map__update_elem(map, &k2, sizeof k2, &v, sizeof v, BPF_EXIST), "hash: bpf_map__update_elem");
    CHECK_EQ(0, bpf_map__delete_elem(map, &k2, sizeof k2, 0), "hash: bpf_map__delete_elem");
    CHECK_ERR(ENOENT, bpf_map__lookup_elem(map, &k2, sizeof k2, &value, sizeof value, 0), "hash: key 2 is gone");
}

static void array_checks(struct bpf_map *map)
{
    int fd = bpf_map__fd(map);
    __u32 key = 0, next = 99, k4 = 4, k3 = 3;
    __u64 value = 1, v = 5;

    CHECK_EQ(0, bpf_map_lookup_elem(fd, &key, &value), "array: element 0 exists from the start");
    CHECK_EQ(0, value, "array: ... and is zero");
    CHECK_ERR(ENOENT, bpf_map_lookup_elem(fd, &k4, &value), "array: lookup past max_entries: ENOENT");
    CHECK_ERR(E2BIG, bpf_map_update_elem(fd, &k4, &v, BPF_ANY), "array: update past max_entries: E2BIG");
    CHECK_ERR(EEXIST, bpf_map_update_elem(fd, &k3, &v, BPF_NOEXIST), "array: BPF_NOEXIST: EEXIST (elements always exist)");
    CHECK_EQ(0, bpf_map_update_elem(fd, &k3, &v, BPF_EXIST), "array: BPF_EXIST update of element 3");
    bpf_map_lookup_elem(fd, &k3, &value);
    CHECK_EQ(5, value, "array: element 3 is 5");
    CHECK_ERR(EINVAL, bpf_map_delete_elem(fd, &k3), "array: delete: EINVAL");
    /* Linux answers with its internal ENOTSUPP (524), not EOPNOTSUPP. */
    CHECK_ERR(524, bpf_map_lookup_and_delete_elem(fd, &k3, &value), "array: lookup_and_delete: ENOTSUPP (524)");
    CHECK_EQ(0, bpf_map_get_next_key(fd, NULL, &next), "array: get_next_key(NULL)");
    CHECK_EQ(0, next, "array: first key is 0");
    CHECK_EQ(0, bpf_map_get_next_key(fd, &key, &next), "array: get_next_key(0)");
    CHECK_EQ(1, next, "array: next key is 1");
    CHECK_ERR(ENOENT, bpf_map_get_next_key(fd, &k3, &next), "array: get_next_key(last): ENOENT");
    CHECK_EQ(0, bpf_map_get_next_key(fd, &k4, &next), "array: get_next_key(out of range) restarts");
    CHECK_EQ(0, next, "array: ... at key 0");
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open_load("map_crud");
    if (!obj)
        return tap_done();
    hash_checks(bt_map(obj, "hash"));
    array_checks(bt_map(obj, "arr"));

    /* Descriptors that are not maps. */
    __u32 key = 0;
    __u64 value;
    int fds[2];
    if (pipe(fds) == 0) {
        CHECK_ERR(EINVAL, bpf_map_lookup_elem(fds[0], &key, &value), "lookup on a pipe fd: EINVAL");
        close(fds[0]);
        close(fds[1]);
    }
    CHECK_ERR(EBADF, bpf_map_lookup_elem(TAP_BAD_FD, &key, &value), "lookup on a closed fd: EBADF");
    CHECK_ERR(EBADF, bpf_map_update_elem(-1, &key, &value, BPF_ANY), "update on fd -1: EBADF");

    bpf_object__close(obj);
    return tap_done();
}
