/* printk: bpf_printk from a program run with BPF_PROG_TEST_RUN: the object loads (its .rodata
 * holds the format strings: created BPF_F_RDONLY_PROG, filled, frozen), and the lines appear in
 * <tracefs>/trace as "bpf_trace_printk: <message>" for both bpf_trace_printk (up to 3
 * arguments) and bpf_trace_vprintk (more). Reading the trace is skipped, with the reason, where
 * the kernel has no <tracefs>/trace. */
#include "bpftest.h"

/* Reads <tracefs>/trace (without consuming it) and looks for a line containing `text`; returns
 * 1 if found, 0 if not, -1 if the file cannot be read. */
static int trace_has(const char *tracefs, const char *text, char *found, size_t found_size)
{
    char path[300];
    snprintf(path, sizeof path, "%s/trace", tracefs);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    int hit = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, text)) {
            snprintf(found, found_size, "%s", line);
            hit = 1;
        }
    fclose(f);
    return hit;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open("printk");
    if (!obj)
        return tap_done();
    __u32 marker = (__u32)getpid() * 7919u;
    bt_set_global(obj, ".rodata", "marker", &marker, sizeof marker);
    if (bt_load(obj) != 0)
        return tap_done();
    struct bpf_map_info info = {};
    __u32 len = sizeof info;
    bpf_obj_get_info_by_fd(bpf_map__fd(bt_map(obj, ".rodata")), &info, &len);
    CHECK(info.map_flags & BPF_F_RDONLY_PROG, ".rodata with the format strings is BPF_F_RDONLY_PROG");

    unsigned char pkt[64] = { 0 };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof pkt);
    CHECK_EQ(0, bpf_prog_test_run_opts(bpf_program__fd(bt_prog(obj, "say")), &opts), "program runs");
    CHECK_EQ(XDP_PASS, opts.retval, "... and returns XDP_PASS");

    const char *why = NULL, *tracefs = bt_tracefs(&why);
    char want3[128], want4[128], line[1024] = "";
    snprintf(want3, sizeof want3, "bpf_trace_printk: bpftests-printk %u three=3 done", marker);
    snprintf(want4, sizeof want4, "bpf_trace_printk: bpftests-printk %u four 1 2 3", marker);
    int r = tracefs ? trace_has(tracefs, want3, line, sizeof line) : -1;
    if (r < 0) {
        tap_skip(tracefs ? "kernel has no readable <tracefs>/trace" : why, "bpf_printk output in the trace");
        tap_skip(tracefs ? "kernel has no readable <tracefs>/trace" : why, "bpf_trace_vprintk output in the trace");
    } else {
        CHECK(r == 1, "trace has \"%s\"", want3);
        if (r == 1)
            DIAG("%.*s", (int)strcspn(line, "\n"), line);
        CHECK(trace_has(tracefs, want4, line, sizeof line) == 1, "trace has \"%s\"", want4);
    }
    bpf_object__close(obj);
    return tap_done();
}
