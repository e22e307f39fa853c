/* maps_types.bpf.c: one BTF-defined map of every common type, and an XDP program that touches
 * each of them from the BPF side (run with BPF_PROG_TEST_RUN by maps_types.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct lpm_key {
    __u32 prefixlen;
    __u8 addr[4];
};

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } percpu_arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, __u64); __type(value, __u32); } hash_noprealloc SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } percpu_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } lru_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } lru_percpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 8); __type(value, __u32); } queue SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __uint(max_entries, 8); __type(value, __u32); } stack SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 16384); } ringbuf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(__u32)); __uint(value_size, sizeof(__u32)); } perf_events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __uint(key_size, sizeof(__u32)); __uint(value_size, sizeof(__u32)); } prog_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 16); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, struct lpm_key); __type(value, __u64); } lpm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 64); __uint(map_extra, 3); __type(value, __u32); } bloom SEC(".maps");

struct inner_map { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); };
struct inner_map inner0 SEC(".maps");
struct inner_map inner1 SEC(".maps");
/* Slot 0 is filled by libbpf from the declaration (inner0); slot 1 is set from user space. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, struct inner_map);
} outer SEC(".maps") = { .values = { [0] = &inner0 } };
struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner_map);
} outer_hash SEC(".maps");

static void set_arr(__u32 key, __u64 value)
{
    bpf_map_update_elem(&arr, &key, &value, BPF_ANY);
}

SEC("xdp")
int touch_maps(struct xdp_md *ctx)
{
    __u32 k1 = 1, k7 = 7;
    __u64 v;

    set_arr(1, 11);

    __u64 *pc = bpf_map_lookup_elem(&percpu_arr, &k1);
    if (pc)
        *pc += 1;

    v = 77;
    bpf_map_update_elem(&hash, &k7, &v, BPF_ANY);
    __u64 k64 = 0x100000007ULL;
    __u32 v32 = 0x77;
    bpf_map_update_elem(&hash_noprealloc, &k64, &v32, BPF_NOEXIST);
    v = 1;
    bpf_map_update_elem(&percpu_hash, &k7, &v, BPF_ANY);
    v = 777;
    bpf_map_update_elem(&lru_hash, &k7, &v, BPF_ANY);
    v = 7;
    bpf_map_update_elem(&lru_percpu, &k7, &v, BPF_ANY);

    /* The user preloaded hash[3] = 33: read it back into arr[2]. */
    __u32 k3 = 3;
    __u64 *hv = bpf_map_lookup_elem(&hash, &k3);
    set_arr(2, hv ? *hv : 0);

    __u32 q = 5;
    bpf_map_push_elem(&queue, &q, 0);
    bpf_map_push_elem(&stack, &q, 0);
    q = 6;
    bpf_map_push_elem(&queue, &q, 0);
    bpf_map_push_elem(&stack, &q, 0);

    __u64 rec = 0xfeedULL;
    bpf_ringbuf_output(&ringbuf, &rec, sizeof rec, 0);

    /* Longest-prefix match of 10.1.2.3 against the user's prefixes. */
    struct lpm_key lk = { .prefixlen = 32, .addr = { 10, 1, 2, 3 } };
    __u64 *lv = bpf_map_lookup_elem(&lpm, &lk);
    set_arr(3, lv ? *lv : 0);

    /* Bloom filter: 42 was pushed by the user, 43 was not. */
    __u32 b = 42;
    set_arr(4, bpf_map_peek_elem(&bloom, &b) == 0 ? 1 : 2);
    b = 43;
    set_arr(5, bpf_map_peek_elem(&bloom, &b) == 0 ? 1 : 2);

    /* Map in map: write through both slots of the outer array and a hash-of-maps entry. */
    __u32 k0 = 0;
    __u64 *iv;
    void *in = bpf_map_lookup_elem(&outer, &k0);
    if (in) {
        iv = bpf_map_lookup_elem(in, &k0);
        if (iv)
            *iv = 100;
    }
    in = bpf_map_lookup_elem(&outer, &k1);
    if (in) {
        iv = bpf_map_lookup_elem(in, &k1);
        if (iv)
            *iv = 101;
    }
    in = bpf_map_lookup_elem(&outer_hash, &k7);
    set_arr(6, in ? 1 : 2);

    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
