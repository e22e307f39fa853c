/* raw_tracepoint: RAW_TRACEPOINT programs attached with BPF_RAW_TRACEPOINT_OPEN: auto-attach
 * from SEC("raw_tp/sys_enter") and bpf_program__attach_raw_tracepoint(prog, "sys_enter"); the
 * raw arguments (syscall id, pt_regs with the x86-64 user registers: rdi and orig_rax), exact
 * counts, detaching by closing the link, and an unknown name (ENOENT). */
#include "bpftest.h"

struct results {
    __u64 hits;
    __u64 arg0;
    __u64 orig_ax;
    __u64 by_name_hits;
};

static struct results read_out(struct bpf_object *obj)
{
    struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &r);
    return r;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open("raw_tracepoint");
    if (!obj)
        return tap_done();
    __u32 tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    if (bt_load(obj) != 0)
        return tap_done();

    struct bpf_link *link = bpf_program__attach(bt_prog(obj, "on_sys_enter"));
    CHECK(link != NULL, "auto-attach of SEC(\"raw_tp/sys_enter\")");
    if (!link) {
        DIAG("errno %s", tap_errname(errno));
        return tap_done();
    }
    for (int i = 0; i < 5; i++)
        syscall(SYS_getpgid, 0x7ead0000 + i);
    struct results r = read_out(obj);
    CHECK_EQ(5, r.hits, "5 getpgid calls counted");
    CHECK_EQ(0x7ead0004, r.arg0, "pt_regs: rdi holds the last call's first argument");
    CHECK_EQ(SYS_getpgid, r.orig_ax, "pt_regs: orig_rax holds the syscall number");

    struct bpf_link *l2 = bpf_program__attach_raw_tracepoint(bt_prog(obj, "by_name"), "sys_enter");
    CHECK(l2 != NULL, "bpf_program__attach_raw_tracepoint(by_name, \"sys_enter\")");
    for (int i = 0; i < 3; i++)
        syscall(SYS_getpgid, 0);
    r = read_out(obj);
    CHECK_EQ(3, r.by_name_hits, "second program counted 3 calls");
    CHECK_EQ(8, r.hits, "first program counted them too (8)");

    CHECK_EQ(0, bpf_link__destroy(link), "destroy the first link");
    bpf_link__destroy(l2);
    syscall(SYS_getpgid, 0);
    r = read_out(obj);
    CHECK(r.hits == 8 && r.by_name_hits == 3, "no counting after detaching");

    errno = 0;
    struct bpf_link *none = bpf_program__attach_raw_tracepoint(bt_prog(obj, "by_name"), "no_such_raw_tracepoint");
    CHECK(none == NULL && errno == ENOENT, "an unknown raw tracepoint: ENOENT (errno %s)", tap_errname(errno));

    bpf_object__close(obj);
    return tap_done();
}
