/* maps_types: bpf_object__open_file/load of an object declaring a map of every common type
 * (array, percpu array, hash, percpu hash, LRU hash, LRU percpu hash, queue, stack, ringbuf,
 * perf event array, prog array, array/hash of maps, LPM trie, bloom filter). Checks libbpf's view
 * and the kernel's (BPF_OBJ_GET_INFO_BY_FD) of each map, then runs an XDP program that uses
 * every map from the BPF side and checks the results from user space. */
#include "bpftest.h"

struct lpm_key {
    __u32 prefixlen;
    __u8 addr[4];
};

struct expect {
    const char *name;
    enum bpf_map_type type;
    __u32 key_size, value_size, max_entries, flags;
};

static __u64 got_rec;
static int got_n;

static int on_rec(void *ctx, void *data, size_t size)
{
    (void)ctx;
    if (size == sizeof(__u64))
        memcpy(&got_rec, data, sizeof got_rec);
    got_n++;
    return 0;
}

static void check_map(struct bpf_object *obj, const struct expect *e)
{
    struct bpf_map *map = bt_map(obj, e->name);
    CHECK_EQ(e->type, bpf_map__type(map), "%s: libbpf type", e->name);
    int fd = bpf_map__fd(map);
    CHECK(fd > 2, "%s: has a map fd above stdio (%d)", e->name, fd);

    struct bpf_map_info info;
    __u32 len = sizeof info;
    memset(&info, 0, sizeof info);
    int err = bpf_obj_get_info_by_fd(fd, &info, &len);
    CHECK_BPF_OK(err, "%s: BPF_OBJ_GET_INFO_BY_FD", e->name);
    CHECK_EQ(sizeof info, len, "%s: info_len written back", e->name);
    CHECK_EQ(e->type, info.type, "%s: kernel type", e->name);
    CHECK_EQ(e->key_size, info.key_size, "%s: key_size %u", e->name, e->key_size);
    CHECK_EQ(e->value_size, info.value_size, "%s: value_size %u", e->name, e->value_size);
    CHECK_EQ(e->max_entries, info.max_entries, "%s: max_entries %u", e->name, e->max_entries);
    CHECK_EQ(e->flags, info.map_flags, "%s: map_flags %#x", e->name, e->flags);
    CHECK_STR(e->name, info.name, "%s: kernel map name", e->name);
    CHECK(info.id > 0, "%s: has an id", e->name);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    int ncpus = bt_possible_cpus();
    struct bpf_object *obj = bt_open_load("maps_types");
    if (!obj)
        return tap_done();

    const struct expect maps[] = {
        { "arr", BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0 },
        { "percpu_arr", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0 },
        { "hash", BPF_MAP_TYPE_HASH, 4, 8, 16, 0 },
        { "hash_noprealloc", BPF_MAP_TYPE_HASH, 8, 4, 16, BPF_F_NO_PREALLOC },
        { "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16, 0 },
        { "lru_hash", BPF_MAP_TYPE_LRU_HASH, 4, 8, 16, 0 },
        { "lru_percpu", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 16, 0 },
        { "queue", BPF_MAP_TYPE_QUEUE, 0, 4, 8, 0 },
        { "stack", BPF_MAP_TYPE_STACK, 0, 4, 8, 0 },
        { "ringbuf", BPF_MAP_TYPE_RINGBUF, 0, 0, 16384, 0 },
        /* max_entries left out in the source: libbpf sizes it to the possible CPUs. */
        { "perf_events", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, (__u32)ncpus, 0 },
        { "prog_array", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0 },
        { "outer", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0 },
        { "outer_hash", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0 },
        { "inner0", BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0 },
        { "lpm", BPF_MAP_TYPE_LPM_TRIE, 8, 8, 16, BPF_F_NO_PREALLOC },
        { "bloom", BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 64, 0 },
    };
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        check_map(obj, &maps[i]);

    /* The bloom filter's hash count travels in map_extra. */
    struct bpf_map_info info = {};
    __u32 len = sizeof info;
    bpf_obj_get_info_by_fd(bpf_map__fd(bt_map(obj, "bloom")), &info, &len);
    CHECK_EQ(3, info.map_extra, "bloom: map_extra (number of hashes) is 3");

    /* User-side preparation for the program. */
    __u32 k3 = 3, k7 = 7, k1 = 1;
    __u64 v33 = 33;
    CHECK_BPF_OK(bpf_map_update_elem(bpf_map__fd(bt_map(obj, "hash")), &k3, &v33, BPF_NOEXIST),
                 "hash: user update of key 3");
    struct lpm_key p8 = { 8, { 10, 0, 0, 0 } }, p16 = { 16, { 10, 1, 0, 0 } }, p24 = { 24, { 10, 1, 3, 0 } };
    __u64 v8 = 8, v16 = 16, v24 = 24;
    int lpm_fd = bpf_map__fd(bt_map(obj, "lpm"));
    CHECK_BPF_OK(bpf_map_update_elem(lpm_fd, &p8, &v8, BPF_ANY), "lpm: insert 10.0.0.0/8");
    CHECK_BPF_OK(bpf_map_update_elem(lpm_fd, &p16, &v16, BPF_ANY), "lpm: insert 10.1.0.0/16");
    CHECK_BPF_OK(bpf_map_update_elem(lpm_fd, &p24, &v24, BPF_ANY), "lpm: insert 10.1.3.0/24");
    __u32 b42 = 42;
    CHECK_BPF_OK(bpf_map_update_elem(bpf_map__fd(bt_map(obj, "bloom")), NULL, &b42, BPF_ANY),
                 "bloom: push 42");
    int inner1_fd = bpf_map__fd(bt_map(obj, "inner1"));
    CHECK_BPF_OK(bpf_map_update_elem(bpf_map__fd(bt_map(obj, "outer")), &k1, &inner1_fd, BPF_ANY),
                 "outer: user sets slot 1 to inner1");
    CHECK_BPF_OK(bpf_map_update_elem(bpf_map__fd(bt_map(obj, "outer_hash")), &k7, &inner1_fd, BPF_ANY),
                 "outer_hash: user sets key 7 to inner1");
    __u32 inner0_id = 0;
    CHECK_BPF_OK(bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, "outer")), &(__u32){ 0 }, &inner0_id),
                 "outer: lookup of slot 0 from user space");
    struct bpf_map_info inner0_info = {};
    len = sizeof inner0_info;
    bpf_obj_get_info_by_fd(bpf_map__fd(bt_map(obj, "inner0")), &inner0_info, &len);
    CHECK_EQ(inner0_info.id, inner0_id, "outer: slot 0 (set by libbpf) reads back as inner0's map id");

    /* Run the program once. */
    unsigned char pkt[64] = { 0 };
    LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = pkt, .data_size_in = sizeof pkt, .repeat = 1);
    int err = bpf_prog_test_run_opts(bpf_program__fd(bt_prog(obj, "touch_maps")), &run);
    CHECK_BPF_OK(err, "BPF_PROG_TEST_RUN of touch_maps");
    CHECK_EQ(XDP_PASS, run.retval, "touch_maps returned XDP_PASS");

    struct bpf_map *arr = bt_map(obj, "arr");
    CHECK_EQ(11, bt_array_u64(arr, 1), "array: program wrote arr[1] = 11");
    CHECK_EQ(33, bt_array_u64(arr, 2), "hash: program read the user's hash[3] = 33");
    CHECK_EQ(16, bt_array_u64(arr, 3), "lpm: 10.1.2.3 matches 10.1.0.0/16 (not /24, not just /8)");
    CHECK_EQ(1, bt_array_u64(arr, 4), "bloom: 42 may be present");
    CHECK_EQ(2, bt_array_u64(arr, 5), "bloom: 43 is definitely absent");
    CHECK_EQ(1, bt_array_u64(arr, 6), "hash of maps: program found key 7");

    __u64 value = 0;
    __u64 percpu[ncpus];
    memset(percpu, 0, sizeof percpu);
    CHECK_BPF_OK(bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, "percpu_arr")), &k1, percpu),
                 "percpu array: lookup returns one value per possible CPU");
    __u64 sum = 0;
    for (int c = 0; c < ncpus; c++)
        sum += percpu[c];
    CHECK_EQ(1, sum, "percpu array: the increments over all CPUs sum to 1");

    CHECK_BPF_OK(bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, "hash")), &k7, &value), "hash: key 7 exists");
    CHECK_EQ(77, value, "hash: program wrote 77");
    __u64 k64 = 0x100000007ULL;
    __u32 v32 = 0;
    CHECK_BPF_OK(bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, "hash_noprealloc")), &k64, &v32),
                 "hash (no prealloc, 8-byte key): key exists");
    CHECK_EQ(0x77, v32, "hash (no prealloc): program wrote 0x77");
    memset(percpu, 0, sizeof percpu);
    CHECK_BPF_OK(bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, "percpu_hash")), &k7, percpu),
                 "percpu hash: key 7 exists");
    sum = 0;
    for (int c = 0; c < ncpus; c++)
        sum += percpu[c];
    CHECK_EQ(1, sum, "percpu hash: the values over all CPUs sum to 1");
    CHECK_BPF_OK(bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, "lru_hash")), &k7, &value), "lru hash: key 7 exists");
    CHECK_EQ(777, value, "lru hash: program wrote 777");
    memset(percpu, 0, sizeof percpu);
    CHECK_BPF_OK(bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, "lru_percpu")), &k7, percpu),
                 "lru percpu hash: key 7 exists");
    sum = 0;
    for (int c = 0; c < ncpus; c++)
        sum += percpu[c];
    CHECK_EQ(7, sum, "lru percpu hash: values sum to 7");

    int qfd = bpf_map__fd(bt_map(obj, "queue")), sfd = bpf_map__fd(bt_map(obj, "stack"));
    __u32 q = 0;
    CHECK_BPF_OK(bpf_map_lookup_and_delete_elem(qfd, NULL, &q), "queue: pop");
    CHECK_EQ(5, q, "queue: first in, first out (5)");
    CHECK_BPF_OK(bpf_map_lookup_and_delete_elem(sfd, NULL, &q), "stack: pop");
    CHECK_EQ(6, q, "stack: last in, first out (6)");

    struct bpf_map *inner0 = bt_map(obj, "inner0"), *inner1 = bt_map(obj, "inner1");
    CHECK_EQ(100, bt_array_u64(inner0, 0), "array of maps: program wrote inner0[0] through slot 0");
    CHECK_EQ(101, bt_array_u64(inner1, 1), "array of maps: program wrote inner1[1] through slot 1");

    /* The ring buffer holds the program's record: read it with ring_buffer__consume. */
    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(bt_map(obj, "ringbuf")), on_rec, NULL, NULL);
    CHECK(rb != NULL, "ringbuf: ring_buffer__new");
    if (rb) {
        CHECK_EQ(1, ring_buffer__consume(rb), "ringbuf: one record consumed");
        CHECK_EQ(1, got_n, "ringbuf: callback ran once");
        CHECK_EQ(0xfeed, got_rec, "ringbuf: record is the program's 0xfeed");
        ring_buffer__free(rb);
    }

    bpf_object__close(obj);
    return tap_done();
}
