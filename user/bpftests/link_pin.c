/* link_pin: links pinned in bpffs outlive the process's file descriptors. A raw tracepoint link
 * (bpf_link__pin) and a tracepoint perf link (bpf_link_create(BPF_PERF_EVENT) on a
 * perf_event_open fd, pinned with bpf_obj_pin) keep their programs running after the link,
 * perf event, program and object fds are all closed; the pins open again as links of the right
 * type (bpf_link__open, BPF_OBJ_GET_INFO_BY_FD); pinning onto an existing name is EEXIST; and
 * removing a pin drops the last reference, which detaches the program. */
#include "bpftest.h"
#include <linux/perf_event.h>

static int counts_fd;

static __u64 count(__u32 slot)
{
    __u64 v = ~0ULL;
    bpf_map_lookup_elem(counts_fd, &slot, &v);
    return v;
}

static void calls(int n)
{
    for (int i = 0; i < n; i++)
        syscall(SYS_getpgid, 0);
}

/* Linux releases a link whose last reference was a pin from deferred work: wait up to 2 s for
 * counting in `slot` to stop. */
static int stops_counting(__u32 slot)
{
    for (int i = 0; i < 200; i++) {
        __u64 before = count(slot);
        calls(3);
        if (count(slot) == before)
            return 1;
        usleep(10000);
    }
    return 0;
}

static int tracepoint_id(const char *tracefs, const char *event)
{
    char path[300];
    snprintf(path, sizeof path, "%s/events/%s/id", tracefs, event);
    FILE *f = fopen(path, "r");
    int id = -1;
    if (f) {
        if (fscanf(f, "%d", &id) != 1)
            id = -1;
        fclose(f);
    }
    return id;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    const char *why = bt_need_bpffs();
    if (why) {
        tap_skip(why, "link pinning");
        return tap_done();
    }
    const char *tracefs = bt_tracefs(&why);
    int tp_id = tracefs ? tracepoint_id(tracefs, "syscalls/sys_enter_getpgid") : -1;
    struct bpf_object *obj = bt_open("link_pin");
    if (!obj)
        return tap_done();
    __u32 tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    if (bt_load(obj) != 0)
        return tap_done();
    counts_fd = dup(bpf_map__fd(bt_map(obj, "counts")));
    char raw_pin[128], tp_pin[128];
    snprintf(raw_pin, sizeof raw_pin, "/sys/fs/bpf/bpftests-link-raw-%u", tgid);
    snprintf(tp_pin, sizeof tp_pin, "/sys/fs/bpf/bpftests-link-tp-%u", tgid);
    unlink(raw_pin);
    unlink(tp_pin);

    /* Raw tracepoint link through libbpf. */
    struct bpf_link *raw = bpf_program__attach(bt_prog(obj, "raw_count"));
    if (!CHECK(raw != NULL, "attach raw_tp/sys_enter"))
        return tap_done();
    CHECK_EQ(0, bpf_link__pin(raw, raw_pin), "bpf_link__pin(%s)", raw_pin);
    CHECK_STR(raw_pin, bpf_link__pin_path(raw), "bpf_link__pin_path");
    CHECK_EQ(0, access(raw_pin, F_OK), "the pin exists in bpffs");

    /* Tracepoint perf link by hand, so that every fd involved is ours to close. */
    int pfd = -1, lfd = -1;
    if (tp_id >= 0) {
        struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof attr, .config = (__u64)tp_id };
        pfd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
        CHECK(pfd >= 0, "perf_event_open(TRACEPOINT syscalls:sys_enter_getpgid)");
        lfd = pfd >= 0 ? bpf_link_create(bpf_program__fd(bt_prog(obj, "tp_count")), pfd, BPF_PERF_EVENT, NULL) : -1;
        CHECK_BPF_OK(lfd, "bpf_link_create(BPF_PERF_EVENT)");
        CHECK_BPF_OK(bpf_obj_pin(lfd, tp_pin), "bpf_obj_pin(perf link, %s)", tp_pin);
    } else {
        tap_skip(why ? why : "kernel has no tracepoint syscalls:sys_enter_getpgid", "tracepoint perf link pinned");
    }
    calls(2);
    CHECK_EQ(2, count(0), "raw tracepoint link counts while attached");
    if (tp_id >= 0)
        CHECK_EQ(2, count(1), "tracepoint link counts while attached");

    /* Close everything: link objects (without detaching), the perf event, programs, object. */
    /* A disconnected link is not detached by bpf_link__destroy, and for an fd-based link that
     * also means its fd stays open: close it ourselves. */
    int raw_fd = bpf_link__fd(raw);
    bpf_link__disconnect(raw);
    CHECK_EQ(0, bpf_link__destroy(raw), "bpf_link__destroy after bpf_link__disconnect");
    CHECK_EQ(0, close(raw_fd), "close the raw tracepoint link's fd");
    if (lfd >= 0)
        close(lfd);
    if (pfd >= 0)
        close(pfd);
    bpf_object__close(obj);
    calls(5);
    CHECK_EQ(7, count(0), "raw tracepoint: 5 more calls counted with only the pin left");
    if (tp_id >= 0)
        CHECK_EQ(7, count(1), "tracepoint: 5 more calls counted with only the pin left");

    /* The pins are links. */
    struct bpf_link *again = bpf_link__open(raw_pin);
    if (CHECK(again != NULL, "bpf_link__open(%s)", raw_pin)) {
        char tp_name[32] = "";
        struct bpf_link_info info = {};
        info.raw_tracepoint.tp_name = (__u64)(unsigned long)tp_name;
        info.raw_tracepoint.tp_name_len = sizeof tp_name;
        __u32 len = sizeof info;
        CHECK_EQ(0, bpf_obj_get_info_by_fd(bpf_link__fd(again), &info, &len), "BPF_OBJ_GET_INFO_BY_FD on the link");
        CHECK_EQ(BPF_LINK_TYPE_RAW_TRACEPOINT, info.type, "link type RAW_TRACEPOINT");
        CHECK_STR("sys_enter", tp_name, "raw_tracepoint.tp_name");
        CHECK(info.id > 0 && info.prog_id > 0, "link id %u, program id %u", info.id, info.prog_id);
        CHECK_ERR(EEXIST, bpf_obj_pin(bpf_link__fd(again), raw_pin), "pinning onto an existing name: EEXIST");
        bpf_link__destroy(again); /* closes the fd; the pin keeps the link */
    }
    if (tp_id >= 0) {
        int fd = bpf_obj_get(tp_pin);
        CHECK_BPF_OK(fd, "bpf_obj_get(%s)", tp_pin);
        struct bpf_link_info info = {};
        __u32 len = sizeof info;
        bpf_obj_get_info_by_fd(fd, &info, &len);
        CHECK_EQ(BPF_LINK_TYPE_PERF_EVENT, info.type, "link type PERF_EVENT");
        close(fd);
    }
    calls(1);
    CHECK_EQ(8, count(0), "still counting after opening and closing the pin");

    CHECK_EQ(0, unlink(raw_pin), "unlink the raw tracepoint pin");
    CHECK(stops_counting(0), "the raw tracepoint program is detached once the pin is gone");
    if (tp_id >= 0) {
        CHECK_EQ(0, unlink(tp_pin), "unlink the tracepoint pin");
        CHECK(stops_counting(1), "the tracepoint program is detached once the pin is gone");
    }
    close(counts_fd);
    return tap_done();
}
