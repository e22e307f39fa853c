/* raw_tracepoint: RAW_TRACEPOINT programs attached with BPF_RAW_TRACEPOINT_OPEN: auto-attach
 * from SEC("raw_tp/sys_enter") and bpf_program__attach_raw_tracepoint(prog, "sys_enter"); the
 * raw arguments (syscall id, pt_regs with the x86-64 user registers: rdi and orig_rax), exact
 * counts, detaching by closing the link, and an unknown name (ENOENT). raw_tp/sched_switch:
 * 20 sleeps of this process are at least 20 switches away from it, each with prev being the
 * current task (bpf_get_current_task), a different next, and the voluntary ones with preempt
 * false and prev_state TASK_INTERRUPTIBLE. */
#include "bpftest.h"

struct results {
    __u64 hits;
    __u64 arg0;
    __u64 orig_ax;
    __u64 by_name_hits;
    __u64 switches, prev_is_current, next_differs, voluntary;
};

static struct results read_out(struct bpf_object *obj)
{
    struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &r);
    return r;
}

static void check_sched_switch(struct bpf_object *obj)
{
    struct bpf_link *link = bpf_program__attach(bt_prog(obj, "on_switch"));
    if (!CHECK(link != NULL, "auto-attach of SEC(\"raw_tp/sched_switch\")")) {
        DIAG("errno %s", tap_errname(errno));
        return;
    }
    for (int i = 0; i < 20; i++)
        usleep(2000);
    bpf_link__destroy(link);
    struct results r = read_out(obj);
    DIAG("%llu switches away, %llu voluntary", (unsigned long long)r.switches, (unsigned long long)r.voluntary);
    CHECK(r.switches >= 20 && r.switches <= 200, "20 sleeps: 20..200 switches away from this process (%llu)",
          (unsigned long long)r.switches);
    CHECK_EQ(r.switches, r.prev_is_current, "args[1] (prev) is bpf_get_current_task() in every switch");
    CHECK_EQ(r.switches, r.next_differs, "args[2] (next) is another task in every switch");
    CHECK(r.voluntary >= 20, "at least 20 switches with preempt false and prev_state TASK_INTERRUPTIBLE (%llu)",
          (unsigned long long)r.voluntary);
    usleep(2000);
    CHECK_EQ(r.switches, read_out(obj).switches, "no counting after detaching");
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

    check_sched_switch(obj);

    errno = 0;
    struct bpf_link *none = bpf_program__attach_raw_tracepoint(bt_prog(obj, "by_name"), "no_such_raw_tracepoint");
    CHECK(none == NULL && errno == ENOENT, "an unknown raw tracepoint: ENOENT (errno %s)", tap_errname(errno));

    bpf_object__close(obj);
    return tap_done();
}
