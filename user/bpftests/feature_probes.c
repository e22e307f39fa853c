/* feature_probes: libbpf's probing API (libbpf_probe_bpf_prog_type, _map_type, _helper), which
 * loads tiny programs and creates tiny maps the way libbpf's own feature detection does: every
 * program and map type the other tests use is reported supported, and so are the helpers they
 * call; an unknown helper id is not (libbpf reads "invalid func" in the verifier log). A helper
 * the program type may not call is refused by PROG_LOAD with EINVAL and the log line "program
 * of this type cannot use helper ..." (libbpf 1.1.2 does not know that text, so its probe
 * calls such helpers supported; only the load itself is checked). */
#include "bpftest.h"

static const char *prog_name(enum bpf_prog_type t)
{
    const char *s = libbpf_bpf_prog_type_str(t);
    return s ? s : "?";
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    const enum bpf_prog_type progs[] = {
        BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_XDP,
        BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_RAW_TRACEPOINT,
    };
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++)
        CHECK_EQ(1, libbpf_probe_bpf_prog_type(progs[i], NULL), "program type %s is supported", prog_name(progs[i]));

    const enum bpf_map_type maps[] = {
        BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
        BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH,
        BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_QUEUE,
        BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_BLOOM_FILTER,
    };
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        const char *name = libbpf_bpf_map_type_str(maps[i]);
        CHECK_EQ(1, libbpf_probe_bpf_map_type(maps[i], NULL), "map type %s is supported", name ? name : "?");
    }

    struct {
        enum bpf_prog_type type;
        enum bpf_func_id helper;
        int expected;
    } helpers[] = {
        { BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_map_lookup_elem, 1 },
        { BPF_PROG_TYPE_XDP, BPF_FUNC_loop, 1 },
        { BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_adjust_head, 1 },
        { BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_perf_event_output, 1 },
        { BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_ringbuf_output, 1 },
        { BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_current_pid_tgid, 1 },
        { BPF_PROG_TYPE_KPROBE, BPF_FUNC_probe_read_kernel, 1 },
        { BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_trace_printk, 1 },
        { BPF_PROG_TYPE_SOCKET_FILTER, (enum bpf_func_id)100000, 0 },
        { BPF_PROG_TYPE_TRACEPOINT, (enum bpf_func_id)100000, 0 },
    };
    for (size_t i = 0; i < sizeof helpers / sizeof helpers[0]; i++)
        CHECK_EQ(helpers[i].expected, libbpf_probe_bpf_helper(helpers[i].type, helpers[i].helper, NULL),
                 "helper %d %s for %s", (int)helpers[i].helper, helpers[i].expected ? "supported" : "not supported",
                 prog_name(helpers[i].type));

    /* A known helper the program type may not call. */
    struct bpf_insn call44[] = {
        { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_xdp_adjust_head },
        { .code = BPF_JMP | BPF_EXIT },
    };
    char log[4096] = "";
    LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = log, .log_size = sizeof log, .log_level = 1);
    CHECK_ERR(EINVAL, bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", call44, 2, &lo),
              "a tracepoint calling bpf_xdp_adjust_head: EINVAL");
    CHECK(strstr(log, "program of this type cannot use helper bpf_xdp_adjust_head#44") != NULL,
          "... the log says \"program of this type cannot use helper bpf_xdp_adjust_head#44\"");
    return tap_done();
}
