/* map_create.bpf.c: one array map, for the freeze checks of map_create.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } frozen SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
