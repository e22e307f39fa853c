/* bpf_attr_abi.bpf.c: one array map; bpf_attr_abi.c opens it with libbpf and then probes the
 * raw bpf() ABI next to it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } abi_arr SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
