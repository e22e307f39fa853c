/* global_data: .rodata/.data/.bss as libbpf internal maps: their names, flags
 * (BPF_F_MMAPABLE, BPF_F_RDONLY_PROG), initial images, .rodata rewritten before load and frozen
 * at load (EPERM on update, no writable mmap), and the program and user space sharing .data and
 * .bss through both BPF_MAP_*_ELEM and mmap of the map fd (MAP_FREEZE refused with EBUSY while a
 * writable mapping exists). */
#include "bpftest.h"

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

static void check_internal(struct bpf_map *map, const char *name, __u32 value_size, __u32 flags)
{
    struct bpf_map_info info = {};
    __u32 len = sizeof info;
    CHECK_STR(name, bpf_map__name(map), "%s: libbpf's map name", name);
    CHECK_EQ(0, bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len), "%s: info by fd", name);
    CHECK_STR(name, info.name, "%s: kernel map name (with a dot)", name);
    CHECK_EQ(BPF_MAP_TYPE_ARRAY, info.type, "%s: an array", name);
    CHECK_EQ(1, info.max_entries, "%s: one element", name);
    CHECK_EQ(4, info.key_size, "%s: 4-byte key", name);
    CHECK_EQ(value_size, info.value_size, "%s: value_size %u", name, value_size);
    CHECK_EQ(flags, info.map_flags, "%s: flags %#x", name, flags);
}

static int run(struct bpf_object *obj, int repeat)
{
    unsigned char pkt[64] = { 0 };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof pkt, .repeat = repeat);
    int err = bpf_prog_test_run_opts(bpf_program__fd(bt_prog(obj, "bump")), &opts);
    return err ? err : (int)opts.retval;
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open("global_data");
    if (!obj)
        return tap_done();

    struct bpf_map *rodata = bt_map(obj, ".rodata"), *data = bt_map(obj, ".data"), *bss = bt_map(obj, ".bss");
    size_t sz = 0;
    const struct data_vars *dimg = bpf_map__initial_value(data, &sz);
    CHECK(dimg && sz == sizeof(struct data_vars), ".data: initial image of %zu bytes", sz);
    CHECK(dimg && dimg->counter == 100, ".data: initial image holds counter = 100");
    const struct bss_vars *bimg = bpf_map__initial_value(bss, &sz);
    CHECK(bimg && sz == sizeof(struct bss_vars) && bimg->runs == 0, ".bss: zeroed initial image");
    const struct ro_vars *rimg = bpf_map__initial_value(rodata, &sz);
    CHECK(rimg && rimg->mult == 1 && rimg->add == 1000, ".rodata: initial image from the source");
    struct ro_vars ro = { .mult = 3, .add = 7 };
    CHECK_EQ(0, bpf_map__set_initial_value(rodata, &ro, sizeof ro), ".rodata: set_initial_value before load");
    CHECK_EQ(-EINVAL, bpf_map__set_initial_value(rodata, &ro, sizeof ro - 1), ".rodata: set_initial_value with a wrong size: -EINVAL");

    if (bt_load(obj) != 0)
        return tap_done();

    check_internal(rodata, "global_d.rodata", sizeof(struct ro_vars), BPF_F_RDONLY_PROG | BPF_F_MMAPABLE);
    check_internal(data, "global_d.data", sizeof(struct data_vars), BPF_F_MMAPABLE);
    check_internal(bss, "global_d.bss", sizeof(struct bss_vars), BPF_F_MMAPABLE);

    __u32 zero = 0;
    struct ro_vars ro_now = {};
    CHECK_EQ(0, bpf_map_lookup_elem(bpf_map__fd(rodata), &zero, &ro_now), ".rodata: lookup");
    CHECK(ro_now.mult == 3 && ro_now.add == 7, ".rodata: holds the values set before load");
    CHECK_ERR(EPERM, bpf_map_update_elem(bpf_map__fd(rodata), &zero, &ro, BPF_ANY), ".rodata: frozen at load: update EPERM");
    void *rw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(rodata), 0);
    CHECK(rw == MAP_FAILED && errno == EPERM, ".rodata: writable shared mmap refused with EPERM");
    if (rw != MAP_FAILED)
        munmap(rw, 4096);
    const struct ro_vars *rmap = mmap(NULL, 4096, PROT_READ, MAP_SHARED, bpf_map__fd(rodata), 0);
    CHECK(rmap != MAP_FAILED, ".rodata: read-only shared mmap works");
    if (rmap != MAP_FAILED) {
        CHECK(rmap->mult == 3 && rmap->add == 7, ".rodata: the mapping shows the values");
        munmap((void *)rmap, 4096);
    }

    struct data_vars *dmap = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(data), 0);
    struct bss_vars *bmap = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(bss), 0);
    if (!CHECK(dmap != MAP_FAILED && bmap != MAP_FAILED, ".data and .bss: writable shared mmap of the map fds"))
        return tap_done();
    CHECK_EQ(100, dmap->counter, ".data: the mapping shows counter = 100");

    CHECK_EQ(XDP_PASS, run(obj, 2), "program runs twice (repeat = 2)");
    CHECK_EQ(106, dmap->counter, ".data: counter += mult (3) twice, seen through the mapping");
    CHECK_EQ(2, bmap->runs, ".bss: runs = 2, seen through the mapping");
    struct data_vars dv = {};
    CHECK_EQ(0, bpf_map_lookup_elem(bpf_map__fd(data), &zero, &dv), ".data: lookup");
    CHECK_EQ(106, dv.counter, ".data: lookup agrees with the mapping");

    bmap->input = 5; /* user writes through the mapping, the program reads it */
    run(obj, 1);
    CHECK_EQ(22, bmap->output, ".bss: output = input (5) * mult (3) + add (7)");

    dv.user_written = 1000;
    CHECK_EQ(0, bpf_map_update_elem(bpf_map__fd(data), &zero, &dv, BPF_ANY), ".data: update through the syscall");
    CHECK_EQ(1000, dmap->user_written, ".data: the mapping sees the syscall's update");
    run(obj, 1);
    CHECK_EQ(1001, dmap->user_written, ".data: the program incremented it");

    CHECK_ERR(EBUSY, bpf_map_freeze(bpf_map__fd(data)), ".data: freeze with a writable mapping: EBUSY");
    munmap(dmap, 4096);
    CHECK_EQ(0, bpf_map_freeze(bpf_map__fd(data)), ".data: freeze after munmap");
    CHECK_ERR(EPERM, bpf_map_update_elem(bpf_map__fd(data), &zero, &dv, BPF_ANY), ".data: frozen: update EPERM");
    run(obj, 1);
    bpf_map_lookup_elem(bpf_map__fd(data), &zero, &dv);
    CHECK_EQ(1002, dv.user_written, ".data: the program still writes a frozen map");

    /* The mapping keeps the map alive after the object (and its fds) are gone. */
    bpf_object__close(obj);
    CHECK_EQ(5, bmap->runs, ".bss: mapping still readable after bpf_object__close (5 runs)");
    munmap(bmap, 4096);
    return tap_done();
}
