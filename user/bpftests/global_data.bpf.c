/* global_data.bpf.c: global variables in .rodata (const volatile, set before load), .data
 * (initialised) and .bss (zeroed), which libbpf turns into single-element array maps. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct ro_vars {
    __u64 mult;
    __u64 add;
};
struct data_vars {
    __u64 counter;
    __u64 user_written;
};
struct bss_vars {
    __u64 runs;
    __u64 input;
    __u64 output;
};

const volatile struct ro_vars ro = { .mult = 1, .add = 1000 };
struct data_vars data = { .counter = 100 };
struct bss_vars bss;

SEC("xdp")
int bump(struct xdp_md *ctx)
{
    data.counter += ro.mult;
    bss.runs++;
    bss.output = bss.input * ro.mult + ro.add;
    data.user_written++;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
