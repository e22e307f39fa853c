/* bpfdemo: a live libbpf demonstration. Opens and loads bpfdemo.bpf.o with the real libbpf,
 * sends a batch of synthetic Ethernet frames through the XDP program with
 * BPF_PROG_TEST_RUN, and prints what the program recorded in its hash map, its array
 * histogram and its global variable (the .bss map).
 * usage: bpfdemo [PATH-TO-bpfdemo.bpf.o] */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct counters {
    unsigned long long packets, bytes;
};

static int send_frame(int prog_fd, unsigned short ethertype, int length, int *verdict)
{
    unsigned char frame[2048];
    memset(frame, 0xab, sizeof frame);
    frame[12] = ethertype >> 8;
    frame[13] = ethertype & 0xff;
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = (unsigned)length, .repeat = 1);
    int err = bpf_prog_test_run_opts(prog_fd, &opts);
    *verdict = (int)opts.retval;
    return err;
}

static const char *name_of(unsigned short ethertype)
{
    switch (ethertype) {
    case ETH_P_IP: return "IPv4";
    case ETH_P_IPV6: return "IPv6";
    case ETH_P_ARP: return "ARP";
    default: return "other";
    }
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/usr/share/bpfdemo/bpfdemo.bpf.o";
    struct bpf_object *obj = bpf_object__open_file(path, NULL);
    if (!obj) {
        fprintf(stderr, "bpfdemo: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (bpf_object__load(obj)) {
        fprintf(stderr, "bpfdemo: loading %s failed: %s\n", path, strerror(errno));
        return 1;
    }
    struct bpf_program *prog = bpf_object__find_program_by_name(obj, "classify");
    int prog_fd = bpf_program__fd(prog);
    struct bpf_prog_info info;
    unsigned info_len = sizeof info;
    memset(&info, 0, sizeof info);
    bpf_obj_get_info_by_fd(prog_fd, &info, &info_len);
    printf("loaded XDP program '%s' (id %u, %u instructions after verification)\n", info.name, info.id,
           info.xlated_prog_len / 8);

    static const struct { unsigned short type; int length; } traffic[] = {
        {ETH_P_IP, 60}, {ETH_P_IP, 1500}, {ETH_P_IPV6, 90}, {ETH_P_ARP, 42}, {ETH_P_IP, 576},
        {ETH_P_IPV6, 1280}, {ETH_P_IP, 64}, {0x88cc, 120}, {ETH_P_IP, 300}, {ETH_P_ARP, 42},
    };
    int passed = 0, dropped = 0;
    for (int round = 0; round < 10; round++)
        for (size_t i = 0; i < sizeof traffic / sizeof traffic[0]; i++) {
            int verdict;
            if (send_frame(prog_fd, traffic[i].type, traffic[i].length, &verdict)) {
                fprintf(stderr, "bpfdemo: BPF_PROG_TEST_RUN failed: %s\n", strerror(errno));
                return 1;
            }
            verdict == XDP_PASS ? passed++ : dropped++;
        }
    printf("sent 100 frames: %d passed, %d dropped by the program\n\n", passed, dropped);

    int by_type = bpf_map__fd(bpf_object__find_map_by_name(obj, "by_ethertype"));
    printf("%-8s %-6s %8s %10s\n", "type", "proto", "packets", "bytes");
    unsigned short key, next;
    int have = bpf_map_get_next_key(by_type, NULL, &next) == 0;
    while (have) {
        key = next;
        struct counters c;
        if (bpf_map_lookup_elem(by_type, &key, &c) == 0)
            printf("0x%04x   %-6s %8llu %10llu\n", key, name_of(key), c.packets, c.bytes);
        have = bpf_map_get_next_key(by_type, &key, &next) == 0;
    }

    int histogram = bpf_map__fd(bpf_object__find_map_by_name(obj, "size_histogram"));
    printf("\nframe sizes:\n");
    for (unsigned bucket = 0; bucket < 8; bucket++) {
        unsigned long long count = 0;
        bpf_map_lookup_elem(histogram, &bucket, &count);
        printf("  %5s%4u bytes %4llu ", bucket ? "<=" : "<=", 64u << bucket, count);
        for (unsigned long long i = 0; i < count; i += 2)
            putchar('#');
        putchar('\n');
    }
    struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
    if (bss) {
        unsigned zero = 0;
        unsigned long long globals[8] = {0};
        if (bpf_map__value_size(bss) <= sizeof globals && bpf_map_lookup_elem(bpf_map__fd(bss), &zero, globals) == 0)
            printf("\nglobal variable packets_seen (from the .bss map): %llu\n", globals[0]);
    }
    bpf_object__close(obj);
    return 0;
}
