/* map_kinds: user-space semantics of the special map kinds through libbpf: queue and stack
 * (push/pop/peek with NULL keys, full and empty errors, BPF_EXIST overwriting the oldest), LRU
 * hash (inserting past max_entries evicts instead of failing), LPM trie (longest prefix match,
 * exact-prefix delete, iteration) and bloom filter (push/peek, no delete). */
#include "bpftest.h"

struct lpm_key {
    __u32 prefixlen;
    __u8 addr[4];
};

static void queue_stack(int fd, const char *name, int fifo)
{
    __u32 v, out = 0;
    CHECK_ERR(ENOENT, bpf_map_lookup_elem(fd, NULL, &out), "%s: peek on empty: ENOENT", name);
    CHECK_ERR(ENOENT, bpf_map_lookup_and_delete_elem(fd, NULL, &out), "%s: pop on empty: ENOENT", name);
    for (v = 1; v <= 4; v++)
        CHECK_EQ(0, bpf_map_update_elem(fd, NULL, &v, BPF_ANY), "%s: push %u", name, v);
    v = 5;
    CHECK_ERR(E2BIG, bpf_map_update_elem(fd, NULL, &v, BPF_ANY), "%s: push on full: E2BIG", name);
    CHECK_ERR(EINVAL, bpf_map_update_elem(fd, NULL, &v, BPF_NOEXIST), "%s: push with BPF_NOEXIST: EINVAL", name);
    CHECK_EQ(0, bpf_map_lookup_elem(fd, NULL, &out), "%s: peek", name);
    CHECK_EQ(fifo ? 1 : 4, out, "%s: peek sees the %s element", name, fifo ? "oldest" : "newest");
    CHECK_EQ(0, bpf_map_update_elem(fd, NULL, &v, BPF_EXIST), "%s: push 5 with BPF_EXIST on full", name);
    __u32 got[4] = { 0 };
    for (int i = 0; i < 4; i++)
        bpf_map_lookup_and_delete_elem(fd, NULL, &got[i]);
    if (fifo)
        CHECK(got[0] == 2 && got[1] == 3 && got[2] == 4 && got[3] == 5,
              "%s: BPF_EXIST dropped the oldest; pops 2 3 4 5 (got %u %u %u %u)", name, got[0], got[1], got[2], got[3]);
    else
        CHECK(got[0] == 5 && got[1] == 4 && got[2] == 3 && got[3] == 2,
              "%s: BPF_EXIST dropped the oldest; pops 5 4 3 2 (got %u %u %u %u)", name, got[0], got[1], got[2], got[3]);
    CHECK_ERR(ENOENT, bpf_map_lookup_and_delete_elem(fd, NULL, &out), "%s: empty again: ENOENT", name);
    CHECK_ERR(EINVAL, bpf_map_delete_elem(fd, NULL), "%s: delete: EINVAL", name);
    __u32 next;
    CHECK_ERR(EINVAL, bpf_map_get_next_key(fd, NULL, &next), "%s: get_next_key: EINVAL", name);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open_load("map_kinds");
    if (!obj)
        return tap_done();

    queue_stack(bpf_map__fd(bt_map(obj, "queue")), "queue", 1);
    queue_stack(bpf_map__fd(bt_map(obj, "stack")), "stack", 0);

    /* LRU: 200 distinct keys into 64 slots all succeed; at most 64 stay; the last one is there. */
    int lfd = bpf_map__fd(bt_map(obj, "lru"));
    int refused = 0;
    for (__u32 k = 0; k < 200; k++) {
        __u32 v = k * 2;
        if (bpf_map_update_elem(lfd, &k, &v, BPF_ANY) != 0)
            refused++;
    }
    CHECK_EQ(0, refused, "lru: 200 inserts into 64 entries all succeed (eviction, not E2BIG)");
    int present = 0;
    for (__u32 k = 0; k < 200; k++) {
        __u32 v;
        if (bpf_map_lookup_elem(lfd, &k, &v) == 0 && v == k * 2)
            present++;
    }
    CHECK(present > 0 && present <= 64, "lru: between 1 and 64 keys remain (%d)", present);
    __u32 last = 199, lv = 0;
    CHECK_EQ(0, bpf_map_lookup_elem(lfd, &last, &lv), "lru: the most recent key survived");
    __u32 k0 = 0;
    CHECK_ERR(ENOENT, bpf_map_lookup_elem(lfd, &k0, &lv), "lru: the oldest key was evicted");

    /* LPM trie. */
    int pfd = bpf_map__fd(bt_map(obj, "lpm"));
    struct lpm_key p0 = { 0, { 0, 0, 0, 0 } }, p8 = { 8, { 192, 0, 0, 0 } }, p24 = { 24, { 192, 168, 1, 0 } },
                   p32 = { 32, { 192, 168, 1, 7 } };
    __u32 v0 = 100, v8 = 108, v24 = 124, v32 = 132, out;
    CHECK_EQ(0, bpf_map_update_elem(pfd, &p8, &v8, BPF_ANY), "lpm: add 192.0.0.0/8");
    CHECK_EQ(0, bpf_map_update_elem(pfd, &p24, &v24, BPF_ANY), "lpm: add 192.168.1.0/24");
    CHECK_EQ(0, bpf_map_update_elem(pfd, &p32, &v32, BPF_ANY), "lpm: add 192.168.1.7/32");
    struct lpm_key q = { 32, { 192, 168, 1, 7 } };
    CHECK_EQ(0, bpf_map_lookup_elem(pfd, &q, &out), "lpm: lookup 192.168.1.7");
    CHECK_EQ(132, out, "lpm: 192.168.1.7 matches the /32");
    q.addr[3] = 8;
    bpf_map_lookup_elem(pfd, &q, &out);
    CHECK_EQ(124, out, "lpm: 192.168.1.8 matches the /24");
    q.addr[2] = 2;
    bpf_map_lookup_elem(pfd, &q, &out);
    CHECK_EQ(108, out, "lpm: 192.168.2.8 matches the /8");
    struct lpm_key other = { 32, { 10, 0, 0, 1 } };
    CHECK_ERR(ENOENT, bpf_map_lookup_elem(pfd, &other, &out), "lpm: 10.0.0.1 matches nothing: ENOENT");
    CHECK_EQ(0, bpf_map_update_elem(pfd, &p0, &v0, BPF_ANY), "lpm: add the default route 0.0.0.0/0");
    CHECK_EQ(0, bpf_map_lookup_elem(pfd, &other, &out), "lpm: 10.0.0.1 now matches");
    CHECK_EQ(100, out, "lpm: ... the /0");
    struct lpm_key p16 = { 16, { 192, 168, 0, 0 } };
    CHECK_ERR(ENOENT, bpf_map_delete_elem(pfd, &p16), "lpm: delete of a prefix never added: ENOENT");
    CHECK_EQ(0, bpf_map_delete_elem(pfd, &p24), "lpm: delete 192.168.1.0/24");
    q = (struct lpm_key){ 32, { 192, 168, 1, 8 } };
    bpf_map_lookup_elem(pfd, &q, &out);
    CHECK_EQ(108, out, "lpm: 192.168.1.8 falls back to the /8");
    struct lpm_key bad = { 33, { 1, 2, 3, 4 } };
    CHECK_ERR(EINVAL, bpf_map_update_elem(pfd, &bad, &v0, BPF_ANY), "lpm: prefix length 33: EINVAL");
    int n = 0;
    struct lpm_key cur, prev;
    void *pp = NULL;
    while (bpf_map_get_next_key(pfd, pp, &cur) == 0 && n < 10) {
        prev = cur;
        pp = &prev;
        n++;
    }
    CHECK_EQ(3, n, "lpm: iteration visits the 3 remaining prefixes");

    /* Bloom filter. */
    int bfd = bpf_map__fd(bt_map(obj, "bloom"));
    int pushed = 1, found = 1;
    for (__u64 x = 1; x <= 20; x++)
        pushed &= bpf_map_update_elem(bfd, NULL, &(__u64){ x * 7919 }, BPF_ANY) == 0;
    CHECK(pushed, "bloom: 20 pushes");
    for (__u64 x = 1; x <= 20; x++)
        found &= bpf_map_lookup_elem(bfd, NULL, &(__u64){ x * 7919 }) == 0;
    CHECK(found, "bloom: every pushed value peeks as present");
    int absent = 0;
    for (__u64 x = 1000; x < 1100; x++)
        absent += bpf_map_lookup_elem(bfd, NULL, &(__u64){ x * 104729 + 1 }) == -ENOENT;
    CHECK(absent >= 80, "bloom: most never-pushed values peek as absent (%d/100)", absent);
    CHECK_ERR(EOPNOTSUPP, bpf_map_delete_elem(bfd, NULL), "bloom: delete: EOPNOTSUPP");
    CHECK_ERR(EINVAL, bpf_map_update_elem(bfd, NULL, &(__u64){ 1 }, BPF_EXIST), "bloom: push with BPF_EXIST: EINVAL");

    bpf_object__close(obj);
    return tap_done();
}
