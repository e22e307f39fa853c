/* skeleton: a bpftool-generated skeleton (bpftool gen skeleton, built by meson into
 * skeleton.skel.h) driving the whole life cycle: __open (the object comes from memory), a
 * .rodata value written through skel->rodata before __load, the .data/.bss globals mapped
 * after __load (skel->bss reads the live counters without a syscall), __attach (auto-attach of
 * tp/ and raw_tp/ programs; a SEC without a target is left alone), __detach (links gone, no
 * more counting), attaching again, and __destroy. */
#include "bpftest.h"
#include "skeleton.skel.h"

static void calls(int n)
{
    for (int i = 0; i < n; i++)
        syscall(SYS_getppid);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    const char *why = bt_need_trace_event("syscalls/sys_enter_getppid");
    if (why) {
        tap_skip(why, "skeleton with a syscalls:sys_enter_getppid program");
        return tap_done();
    }
    struct skeleton *skel = skeleton__open();
    if (!CHECK(skel != NULL, "skeleton__open (object embedded in the skeleton)"))
        return tap_done();
    CHECK(skel->rodata != NULL && skel->data != NULL && skel->bss != NULL, "skel->rodata, ->data, ->bss exist after open");
    CHECK_EQ(1, skel->data->step, "skel->data->step has its initial value 1");
    skel->rodata->target_tgid = (__u32)getpid();
    int err = skeleton__load(skel);
    if (!CHECK_EQ(0, err, "skeleton__load")) {
        skeleton__destroy(skel);
        return tap_done();
    }
    CHECK(bpf_map__fd(skel->maps.seen) >= 0 && bpf_program__fd(skel->progs.tp_getppid) >= 0,
          "skel->maps and skel->progs have fds after load");
    CHECK(skel->bss != NULL && skel->data != NULL, "skel->bss and skel->data are mapped after load");
    if (!skel->bss) {
        skeleton__destroy(skel);
        return tap_done();
    }
    struct bpf_map_info info = {};
    __u32 len = sizeof info;
    bpf_obj_get_info_by_fd(bpf_map__fd(skel->maps.bss), &info, &len);
    CHECK(info.map_flags & BPF_F_MMAPABLE, ".bss map is BPF_F_MMAPABLE");

    CHECK_EQ(0, skeleton__attach(skel), "skeleton__attach");
    CHECK(skel->links.tp_getppid != NULL && skel->links.raw_enter != NULL, "links for the tp/ and raw_tp/ programs");
    CHECK(skel->links.manual == NULL, "no link for SEC(\"raw_tp\") without a target");
    calls(5);
    CHECK_EQ(5, skel->bss->counts.tp_hits, "tracepoint program: 5 calls, read through the mapped .bss");
    CHECK_EQ(5, skel->bss->counts.raw_hits, "raw tracepoint program: 5 calls");
    CHECK_EQ(0, skel->bss->counts.manual_hits, "the program without a target did not run");
    __u32 k = 0;
    __u64 v = 0;
    bpf_map_lookup_elem(bpf_map__fd(skel->maps.seen), &k, &v);
    CHECK_EQ(5, v, "map 'seen' counted 5 through bpf_map_lookup_elem");

    /* Writes through skel->data reach the program. */
    skel->data->step = 10;
    calls(2);
    CHECK_EQ(25, skel->bss->counts.tp_hits, "skel->data->step = 10 written from user space is used by the program");

    skel->links.manual = bpf_program__attach_raw_tracepoint(skel->progs.manual, "sys_enter");
    CHECK(skel->links.manual != NULL, "attach the targetless program by hand into skel->links");
    calls(1);
    CHECK_EQ(1, skel->bss->counts.manual_hits, "... it runs");

    skeleton__detach(skel);
    CHECK(skel->links.tp_getppid == NULL && skel->links.raw_enter == NULL && skel->links.manual == NULL,
          "skeleton__detach clears every link, the hand-made one too");
    __u64 tp = skel->bss->counts.tp_hits, raw = skel->bss->counts.raw_hits;
    calls(3);
    CHECK(skel->bss->counts.tp_hits == tp && skel->bss->counts.raw_hits == raw, "no counting after skeleton__detach");

    CHECK_EQ(0, skeleton__attach(skel), "skeleton__attach again");
    skel->data->step = 1;
    calls(4);
    CHECK_EQ(tp + 4, skel->bss->counts.tp_hits, "counting again after the second attach");
    int prog_id_fd = bpf_program__fd(skel->progs.tp_getppid);
    struct bpf_prog_info pinfo = {};
    len = sizeof pinfo;
    bpf_obj_get_info_by_fd(prog_id_fd, &pinfo, &len);
    __u32 prog_id = pinfo.id;
    skeleton__destroy(skel);
    /* Linux frees programs after an RCU grace period: wait for the id to go. */
    int gone = 0;
    for (int i = 0; i < 200 && !gone; i++) {
        int fd = bpf_prog_get_fd_by_id(prog_id);
        if (fd < 0)
            gone = 1;
        else {
            close(fd);
            usleep(10000);
        }
    }
    CHECK(gone, "after skeleton__destroy the program (id %u) is gone", prog_id);
    return tap_done();
}
