/* obj_info: BPF_OBJ_GET_INFO_BY_FD for programs (type, name truncated to 15 characters, tag,
 * used map ids, translated instructions, load time, uid) and maps, short info_len, the
 * *_GET_NEXT_ID iterations (ascending, ending with ENOENT) and *_GET_FD_BY_ID for programs,
 * maps and BTF, ids disappearing once the objects are released, and the errno cases. */
#include "bpftest.h"

static int contains(const __u32 *ids, __u32 n, __u32 id)
{
    for (__u32 i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

typedef int (*next_id_fn)(__u32, __u32 *);

/* Walks an id space: finds `want`, checks ascending order and the final ENOENT. */
static void walk_ids(const char *what, next_id_fn next, __u32 want)
{
    __u32 id = 0, prev = 0, n = 0;
    int found = 0, ascending = 1, err;
    while ((err = next(id, &id)) == 0 && n < 100000) {
        if (id <= prev)
            ascending = 0;
        prev = id;
        if (id == want)
            found = 1;
        n++;
    }
    CHECK_EQ(-ENOENT, err, "%s: get_next_id iteration ends with ENOENT (after %u ids)", what, n);
    CHECK(ascending, "%s: ids come in ascending order", what);
    CHECK(found, "%s: our id %u was visited", what, want);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open_load("obj_info");
    if (!obj)
        return tap_done();
    int xfd = bpf_program__fd(bt_prog(obj, "info_xdp_program_long_name"));
    int afd = bpf_map__fd(bt_map(obj, "info_arr")), hfd = bpf_map__fd(bt_map(obj, "info_hash"));

    struct bpf_map_info ainfo = {}, hinfo = {};
    __u32 len = sizeof ainfo;
    CHECK_EQ(0, bpf_obj_get_info_by_fd(afd, &ainfo, &len), "map info of info_arr");
    len = sizeof hinfo;
    CHECK_EQ(0, bpf_obj_get_info_by_fd(hfd, &hinfo, &len), "map info of info_hash");
    CHECK(ainfo.id != hinfo.id && ainfo.id && hinfo.id, "maps have distinct non-zero ids");

    __u32 map_ids[8] = { 0 };
    struct bpf_prog_info pinfo = {};
    pinfo.nr_map_ids = 8;
    pinfo.map_ids = (__u64)(unsigned long)map_ids;
    len = sizeof pinfo;
    CHECK_EQ(0, bpf_obj_get_info_by_fd(xfd, &pinfo, &len), "program info of the XDP program");
    CHECK_EQ(sizeof pinfo, len, "program info_len written back");
    CHECK_EQ(BPF_PROG_TYPE_XDP, pinfo.type, "program type XDP");
    CHECK_STR("info_xdp_progra", pinfo.name, "program name truncated to 15 characters");
    CHECK(pinfo.id > 0, "program has an id");
    CHECK_EQ(2, pinfo.nr_map_ids, "program uses 2 maps");
    CHECK(contains(map_ids, 2, ainfo.id) && contains(map_ids, 2, hinfo.id), "map_ids are info_arr's and info_hash's ids");
    int tag_nonzero = 0;
    for (int i = 0; i < BPF_TAG_SIZE; i++)
        tag_nonzero |= pinfo.tag[i];
    CHECK(tag_nonzero, "program tag is set");
    CHECK(pinfo.xlated_prog_len > 0 && pinfo.xlated_prog_len % 8 == 0, "xlated_prog_len %u is a multiple of 8", pinfo.xlated_prog_len);
    CHECK(pinfo.load_time > 0, "load_time is set");
    CHECK_EQ(getuid(), pinfo.created_by_uid, "created_by_uid is our uid");

    /* Asking for the translated instructions. */
    __u32 xlen = pinfo.xlated_prog_len;
    struct bpf_insn *insns = calloc(1, xlen);
    struct bpf_prog_info pinfo2 = {};
    pinfo2.xlated_prog_len = xlen;
    pinfo2.xlated_prog_insns = (__u64)(unsigned long)insns;
    len = sizeof pinfo2;
    CHECK_EQ(0, bpf_obj_get_info_by_fd(xfd, &pinfo2, &len), "program info with an xlated buffer");
    CHECK_EQ(BPF_JMP | BPF_EXIT, insns[xlen / 8 - 1].code, "the last translated instruction is exit");
    free(insns);

    /* Short info_len: only the first fields are written. */
    struct bpf_prog_info small;
    memset(&small, 0xab, sizeof small);
    len = 8;
    CHECK_EQ(0, bpf_obj_get_info_by_fd(xfd, &small, &len), "program info with info_len 8");
    CHECK_EQ(8, len, "... info_len stays 8");
    CHECK(small.type == BPF_PROG_TYPE_XDP && small.id == pinfo.id, "... type and id written");
    CHECK_EQ(0xabababab, small.jited_prog_len, "... nothing written past 8 bytes");

    /* Id iteration and fd by id. */
    walk_ids("programs", bpf_prog_get_next_id, pinfo.id);
    walk_ids("maps", bpf_map_get_next_id, ainfo.id);
    int btf_fd = btf__fd(bpf_object__btf(obj));
    struct bpf_btf_info binfo = {};
    len = sizeof binfo;
    CHECK_EQ(0, bpf_obj_get_info_by_fd(btf_fd, &binfo, &len), "BTF info of the object's BTF");
    walk_ids("btf", bpf_btf_get_next_id, binfo.id);

    int pfd2 = bpf_prog_get_fd_by_id(pinfo.id);
    CHECK(pfd2 > 2, "bpf_prog_get_fd_by_id");
    struct bpf_prog_info pinfo3 = {};
    len = sizeof pinfo3;
    bpf_obj_get_info_by_fd(pfd2, &pinfo3, &len);
    CHECK(pinfo3.id == pinfo.id && memcmp(pinfo3.tag, pinfo.tag, BPF_TAG_SIZE) == 0, "... the fd is the same program (id, tag)");
    int mfd2 = bpf_map_get_fd_by_id(hinfo.id);
    CHECK(mfd2 > 2, "bpf_map_get_fd_by_id");
    __u32 k = 3, v = 33, r = 0;
    bpf_map_update_elem(hfd, &k, &v, BPF_ANY);
    CHECK(bpf_map_lookup_elem(mfd2, &k, &r) == 0 && r == 33, "... the fd is the same map (sees an update)");
    int bfd2 = bpf_btf_get_fd_by_id(binfo.id);
    CHECK(bfd2 > 2, "bpf_btf_get_fd_by_id");
    CHECK_ERR(ENOENT, bpf_prog_get_fd_by_id(0x7ffffff0), "bpf_prog_get_fd_by_id of an unused id: ENOENT");
    CHECK_ERR(ENOENT, bpf_map_get_fd_by_id(0x7ffffff0), "bpf_map_get_fd_by_id of an unused id: ENOENT");
    CHECK_ERR(ENOENT, bpf_btf_get_fd_by_id(0x7ffffff0), "bpf_btf_get_fd_by_id of an unused id: ENOENT");

    /* Errors. */
    /* Linux answers EBADFD here (not EBADF like the map commands). */
    CHECK_ERR(EBADFD, bpf_obj_get_info_by_fd(TAP_BAD_FD, &pinfo, &len), "info of a closed fd: EBADFD");
    int fds[2];
    if (pipe(fds) == 0) {
        len = sizeof pinfo;
        CHECK_ERR(EINVAL, bpf_obj_get_info_by_fd(fds[0], &pinfo, &len), "info of a pipe: EINVAL");
        close(fds[0]);
        close(fds[1]);
    }

    /* Once every reference is gone the ids go away (release may be deferred: poll up to 2 s). */
    __u32 pid = pinfo.id, mid = ainfo.id;
    close(pfd2);
    close(mfd2);
    close(bfd2);
    bpf_object__close(obj);
    int gone = 0;
    for (int i = 0; i < 200 && !gone; i++) {
        int a = bpf_prog_get_fd_by_id(pid), b = bpf_map_get_fd_by_id(mid);
        gone = a == -ENOENT && b == -ENOENT;
        if (a >= 0)
            close(a);
        if (b >= 0)
            close(b);
        if (!gone)
            usleep(10000);
    }
    CHECK(gone, "program and map ids are gone after the last fd was closed");
    return tap_done();
}
