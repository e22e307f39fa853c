/* btf: BPF_BTF_LOAD of the object's .BTF by libbpf (btf fd, BTF info with the right size,
 * reading it back by id), map info carrying btf_id/key/value type ids that name the right types,
 * program info with func_info for the main program and its subprogram, a BTF built with
 * libbpf's btf__add_* and loaded by hand, BTF-typed map creation, and malformed BTF (EINVAL, with
 * a verifier-style log). */
#include "bpftest.h"

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open_load("btf");
    if (!obj)
        return tap_done();
    struct btf *btf = bpf_object__btf(obj);
    CHECK(btf != NULL, "the object has BTF");
    int btf_fd = btf__fd(btf);
    CHECK(btf_fd > 2, "libbpf loaded it into the kernel (fd %d)", btf_fd);

    __u32 raw_size = 0;
    btf__raw_data(btf, &raw_size);
    struct bpf_btf_info binfo = {};
    __u32 len = sizeof binfo;
    CHECK_EQ(0, bpf_obj_get_info_by_fd(btf_fd, &binfo, &len), "BTF info by fd");
    CHECK_EQ(raw_size, binfo.btf_size, "BTF info: size is the uploaded %u bytes", raw_size);
    CHECK(binfo.id > 0, "BTF info: has an id");
    CHECK_EQ(0, binfo.kernel_btf, "BTF info: not kernel BTF");

    struct btf *back = btf__load_from_kernel_by_id(binfo.id);
    CHECK(back != NULL, "btf__load_from_kernel_by_id reads it back");
    if (back) {
        __s32 id = btf__find_by_name_kind(back, "btf_event", BTF_KIND_STRUCT);
        CHECK(id > 0, "the kernel's copy has struct btf_event");
        if (id > 0) {
            const struct btf_type *t = btf__type_by_id(back, id);
            CHECK_EQ(32, t->size, "struct btf_event is 32 bytes");
            CHECK_EQ(6, btf_vlen(t), "struct btf_event has 6 members");
            CHECK_STR("stamp", btf__name_by_offset(back, btf_members(t)[4].name_off), "member 4 is stamp");
            CHECK_EQ(64, btf_member_bit_offset(t, 4), "stamp at bit offset 64");
        }
        CHECK(btf__find_by_name_kind(back, "btf_helper_fn", BTF_KIND_FUNC) > 0, "the kernel's copy has FUNC btf_helper_fn");
        btf__free(back);
    }

    /* Map info names the BTF types of key and value. */
    struct bpf_map_info minfo = {};
    len = sizeof minfo;
    CHECK_EQ(0, bpf_obj_get_info_by_fd(bpf_map__fd(bt_map(obj, "events")), &minfo, &len), "map info of events");
    CHECK_EQ(binfo.id, minfo.btf_id, "map info: btf_id is the object's BTF");
    const struct btf_type *kt = btf__type_by_id(btf, minfo.btf_key_type_id);
    const struct btf_type *vt = btf__type_by_id(btf, minfo.btf_value_type_id);
    CHECK(minfo.btf_key_type_id && kt && btf__resolve_size(btf, minfo.btf_key_type_id) == 4, "map info: key type id resolves to a 4-byte type");
    CHECK(vt && btf_is_struct(vt) && strcmp(btf__name_by_offset(btf, vt->name_off), "btf_event") == 0,
          "map info: value type id is struct btf_event");

    /* Program info: BTF id and func_info for btf_prog and btf_helper_fn. */
    struct bpf_func_info finfo[4] = {};
    struct bpf_prog_info pinfo = {};
    pinfo.nr_func_info = 4;
    pinfo.func_info_rec_size = sizeof(struct bpf_func_info);
    pinfo.func_info = (__u64)(unsigned long)finfo;
    len = sizeof pinfo;
    CHECK_EQ(0, bpf_obj_get_info_by_fd(bpf_program__fd(bt_prog(obj, "btf_prog")), &pinfo, &len), "program info of btf_prog");
    CHECK_EQ(binfo.id, pinfo.btf_id, "program info: btf_id is the object's BTF");
    CHECK_EQ(2, pinfo.nr_func_info, "program info: 2 func_info records (main + subprogram)");
    CHECK_EQ(0, finfo[0].insn_off, "func_info[0] starts at instruction 0");
    CHECK(finfo[1].insn_off > 0, "func_info[1] starts later (%u)", finfo[1].insn_off);
    const struct btf_type *f0 = btf__type_by_id(btf, finfo[0].type_id), *f1 = btf__type_by_id(btf, finfo[1].type_id);
    CHECK(f0 && btf_is_func(f0) && strcmp(btf__name_by_offset(btf, f0->name_off), "btf_prog") == 0, "func_info[0] is FUNC btf_prog");
    CHECK(f1 && btf_is_func(f1) && strcmp(btf__name_by_offset(btf, f1->name_off), "btf_helper_fn") == 0,
          "func_info[1] is FUNC btf_helper_fn");
    unsigned char pkt[64] = { 0 };
    LIBBPF_OPTS(bpf_test_run_opts, ro, .data_in = pkt, .data_size_in = sizeof pkt);
    CHECK_EQ(0, bpf_prog_test_run_opts(bpf_program__fd(bt_prog(obj, "btf_prog")), &ro), "btf_prog runs");
    CHECK_EQ(3, ro.retval, "... and its subprogram returned 3");

    /* A BTF built by hand. */
    struct btf *mine = btf__new_empty();
    int int_id = btf__add_int(mine, "int", 4, BTF_INT_SIGNED);
    int pair_id = btf__add_struct(mine, "pair", 8);
    btf__add_field(mine, "a", int_id, 0, 0);
    btf__add_field(mine, "b", int_id, 32, 0);
    CHECK(int_id == 1 && pair_id == 2, "btf__add_int/add_struct give ids 1 and 2");
    CHECK_EQ(0, btf__load_into_kernel(mine), "btf__load_into_kernel of int + struct pair");
    int mine_fd = btf__fd(mine);
    CHECK(mine_fd > 2, "... gives a BTF fd");
    LIBBPF_OPTS(bpf_map_create_opts, mopts, .btf_fd = mine_fd, .btf_key_type_id = int_id, .btf_value_type_id = pair_id);
    int mfd = bpf_map_create(BPF_MAP_TYPE_HASH, "btf_pair", 4, 8, 4, &mopts);
    CHECK(mfd > 2, "a hash map typed int -> struct pair is created");
    if (mfd > 0)
        close(mfd);
    LIBBPF_OPTS(bpf_map_create_opts, bad_opts, .btf_fd = mine_fd, .btf_key_type_id = int_id, .btf_value_type_id = pair_id);
    CHECK_ERR(EINVAL, bpf_map_create(BPF_MAP_TYPE_HASH, "btf_bad", 4, 4, 4, &bad_opts),
              "value_size 4 with an 8-byte BTF value type: EINVAL");
    LIBBPF_OPTS(bpf_map_create_opts, bad_id, .btf_fd = mine_fd, .btf_key_type_id = int_id, .btf_value_type_id = 99);
    CHECK_ERR(EINVAL, bpf_map_create(BPF_MAP_TYPE_HASH, "btf_bad_id", 4, 8, 4, &bad_id), "value type id 99 does not exist: EINVAL");
    btf__free(mine);

    /* Malformed BTF: a wrong magic. */
    __u32 raw_len = 0;
    struct btf *copy = btf__new_empty();
    btf__add_int(copy, "int", 4, BTF_INT_SIGNED);
    const void *raw = btf__raw_data(copy, &raw_len);
    unsigned char *broken = malloc(raw_len);
    memcpy(broken, raw, raw_len);
    broken[0] ^= 0xff;
    char log[4096] = "";
    LIBBPF_OPTS(bpf_btf_load_opts, lopts, .log_buf = log, .log_size = sizeof log, .log_level = 1);
    CHECK_ERR(EINVAL, bpf_btf_load(broken, raw_len, &lopts), "BTF with a bad magic: EINVAL");
    CHECK(log[0] != '\0', "... and the log explains it");
    if (log[0])
        DIAG("log: %.200s", log);
    broken[0] ^= 0xff;
    CHECK_ERR(EINVAL, bpf_btf_load(broken, 8, NULL), "BTF truncated to 8 bytes: EINVAL");
    int ok_fd = bpf_btf_load(broken, raw_len, NULL);
    CHECK(ok_fd > 2, "the same blob with its magic restored loads");
    if (ok_fd > 0)
        close(ok_fd);
    free(broken);
    btf__free(copy);

    bpf_object__close(obj);
    return tap_done();
}
