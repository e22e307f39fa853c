/* map_batch: BPF_MAP_{UPDATE,LOOKUP,LOOKUP_AND_DELETE,DELETE}_BATCH through libbpf's
 * bpf_map_*_batch() on a hash and an array map: element counts written back, ENOENT at the end
 * of a traversal, per-element flags, and the errors. */
#include "bpftest.h"

#define N 10

static int count_keys(int fd)
{
    __u32 k, next;
    int n = 0;
    void *prev = NULL;
    while (bpf_map_get_next_key(fd, prev, &next) == 0 && n < 100) {
        k = next;
        prev = &k;
        n++;
    }
    return n;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open_load("map_batch");
    if (!obj)
        return tap_done();
    int fd = bpf_map__fd(bt_map(obj, "hash"));

    __u32 keys[N], count;
    __u64 values[N];
    for (int i = 0; i < N; i++) {
        keys[i] = 100 + i;
        values[i] = 1000 + i;
    }
    count = N;
    CHECK_EQ(0, bpf_map_update_batch(fd, keys, values, &count, NULL), "hash: update_batch of %d elements", N);
    CHECK_EQ(N, count, "hash: update_batch count written back");
    CHECK_EQ(N, count_keys(fd), "hash: %d keys present", N);

    /* Batch element flags allow only BPF_F_LOCK. */
    LIBBPF_OPTS(bpf_map_batch_opts, noexist, .elem_flags = BPF_NOEXIST);
    count = N;
    CHECK_ERR(EINVAL, bpf_map_update_batch(fd, keys, values, &count, &noexist), "hash: update_batch with elem_flags BPF_NOEXIST: EINVAL");
    LIBBPF_OPTS(bpf_map_batch_opts, lock, .elem_flags = BPF_F_LOCK);
    count = 3;
    CHECK_ERR(EINVAL, bpf_map_update_batch(fd, keys, values, &count, &lock), "hash: update_batch BPF_F_LOCK without a spin lock: EINVAL");

    /* Lookup in chunks of 4 until ENOENT: every element exactly once. */
    __u32 out_keys[N + 4];
    __u64 out_values[N + 4];
    __u64 token = 0;
    int total = 0, calls = 0, err = 0, first = 1;
    do {
        count = 4;
        err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, out_keys + total, out_values + total, &count, NULL);
        first = 0;
        if (err && err != -ENOENT)
            break;
        total += count;
        calls++;
    } while (err == 0 && total <= N && calls < 20);
    CHECK_EQ(-ENOENT, err, "hash: lookup_batch traversal ends with ENOENT");
    CHECK_EQ(N, total, "hash: lookup_batch returned %d elements in all", N);
    int good = 1, seen[N] = { 0 };
    for (int i = 0; i < total && i < N; i++) {
        __u32 idx = out_keys[i] - 100;
        if (idx >= N || out_values[i] != 1000 + idx || seen[idx]++)
            good = 0;
    }
    CHECK(good, "hash: lookup_batch returned each key once with its value");

    /* Delete three keys, one of them twice: ENOENT at the duplicate, count says how far it got. */
    __u32 del[4] = { 100, 101, 102, 101 };
    count = 4;
    CHECK_ERR(ENOENT, bpf_map_delete_batch(fd, del, &count, NULL), "hash: delete_batch with a repeated key: ENOENT");
    CHECK_EQ(3, count, "hash: ... after deleting 3");
    CHECK_EQ(N - 3, count_keys(fd), "hash: %d keys left", N - 3);

    /* Lookup-and-delete everything at once. */
    token = 0;
    count = N;
    err = bpf_map_lookup_and_delete_batch(fd, NULL, &token, out_keys, out_values, &count, NULL);
    CHECK(err == 0 || err == -ENOENT, "hash: lookup_and_delete_batch (err %d)", err);
    CHECK_EQ(N - 3, count, "hash: lookup_and_delete_batch returned %d elements", N - 3);
    CHECK_EQ(0, count_keys(fd), "hash: the map is empty afterwards");
    count = N;
    CHECK_ERR(ENOENT, bpf_map_lookup_batch(fd, NULL, &token, out_keys, out_values, &count, NULL),
              "hash: lookup_batch on an empty map: ENOENT");
    CHECK_EQ(0, count, "hash: ... with count 0");

    /* Arrays: update and look up in batches; delete_batch is not supported. */
    int afd = bpf_map__fd(bt_map(obj, "arr"));
    __u32 akeys[3] = { 1, 3, 5 };
    __u64 avals[3] = { 11, 33, 55 };
    count = 3;
    CHECK_EQ(0, bpf_map_update_batch(afd, akeys, avals, &count, NULL), "array: update_batch of 3");
    __u32 tok32 = 0;
    count = 8;
    err = bpf_map_lookup_batch(afd, NULL, &tok32, out_keys, out_values, &count, NULL);
    CHECK(err == 0 || err == -ENOENT, "array: lookup_batch of all 8 (err %d)", err);
    CHECK_EQ(8, count, "array: lookup_batch returned 8 elements");
    CHECK(out_keys[3] == 3 && out_values[3] == 33 && out_values[5] == 55 && out_values[0] == 0,
          "array: keys in index order with the batch-updated values");
    /* A batch stops at the first failing element; count says how many were done. */
    count = 3;
    CHECK_ERR(E2BIG, bpf_map_update_batch(afd, (__u32[]){ 6, 7, 8 }, (__u64[]){ 66, 77, 88 }, &count, NULL),
              "array: update_batch with index 8 of 8 third: E2BIG");
    CHECK_EQ(2, count, "array: ... after 2 elements");
    CHECK_EQ(77, bt_array_u64(bt_map(obj, "arr"), 7), "array: the elements before the failure were written");
    count = 1;
    /* Linux answers with its internal ENOTSUPP (524). */
    CHECK_ERR(524, bpf_map_delete_batch(afd, akeys, &count, NULL), "array: delete_batch: ENOTSUPP (524)");

    bpf_object__close(obj);
    return tap_done();
}
