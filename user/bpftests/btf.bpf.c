/* btf.bpf.c: an object whose .BTF describes a struct map value and whose program calls a
 * global subprogram, so that PROG_LOAD carries func_info for two functions. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct btf_event {
    __u32 pid;
    __u16 kind;
    __u8 flags;
    __u8 pad;
    __u64 stamp;
    char comm[16];
};

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct btf_event); } events SEC(".maps");

__attribute__((noinline)) int btf_helper_fn(struct xdp_md *ctx)
{
    return ctx ? 3 : 4;
}

SEC("xdp")
int btf_prog(struct xdp_md *ctx)
{
    __u32 k = 1;
    struct btf_event *e = bpf_map_lookup_elem(&events, &k);
    if (e)
        e->kind = 7;
    return btf_helper_fn(ctx);
}

char LICENSE[] SEC("license") = "GPL";
