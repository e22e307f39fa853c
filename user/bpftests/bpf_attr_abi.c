/* bpf_attr_abi: the raw bpf(cmd, attr, size) contract that libbpf relies on, with syscall(2)
 * directly: attr sizes smaller than union bpf_attr are zero-extended, larger ones need a zero
 * tail (E2BIG otherwise, and always above one page), bad pointers give EFAULT, unknown commands
 * EINVAL, OBJ_GET_INFO_BY_FD writes back the length it used, and the returned fds are
 * close-on-exec. */
#include "bpftest.h"

static long bpf_raw(int cmd, void *attr, unsigned size)
{
    return SYS3(__NR_bpf, cmd, attr, size);
}

static long create_array(unsigned size, unsigned char tail)
{
    static unsigned char buf[sizeof(union bpf_attr) + 64] __attribute__((aligned(8)));
    memset(buf, 0, sizeof buf);
    union bpf_attr *a = (union bpf_attr *)buf;
    a->map_type = BPF_MAP_TYPE_ARRAY;
    a->key_size = 4;
    a->value_size = 8;
    a->max_entries = 1;
    if (size > sizeof(union bpf_attr))
        buf[size - 1] = tail;
    return bpf_raw(BPF_MAP_CREATE, buf, size);
}

static void closefd(long fd)
{
    if (fd >= 0)
        close((int)fd);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    long fd = create_array(16, 0);
    CHECK_SYS_OK(fd, "MAP_CREATE with size 16 (up to max_entries)");
    if (fd >= 0) {
        long flags = fcntl((int)fd, F_GETFD);
        CHECK(flags >= 0 && (flags & FD_CLOEXEC), "the map fd is close-on-exec");
    }
    closefd(fd);
    fd = create_array(sizeof(union bpf_attr), 0);
    CHECK_SYS_OK(fd, "MAP_CREATE with size sizeof(union bpf_attr)");
    closefd(fd);
    fd = create_array(sizeof(union bpf_attr) + 64, 0);
    CHECK_SYS_OK(fd, "MAP_CREATE with 64 extra zero bytes");
    closefd(fd);
    fd = create_array(sizeof(union bpf_attr) + 64, 1);
    CHECK_ERR(E2BIG, fd, "MAP_CREATE with a non-zero byte past the known attr: E2BIG");
    closefd(fd);
    void *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(page, 0, 8192);
    CHECK_ERR(E2BIG, bpf_raw(BPF_MAP_CREATE, page, 4097), "size larger than a page: E2BIG");
    munmap(page, 8192);
    CHECK_ERR(EINVAL, create_array(0, 0), "size 0 (all-zero attr, map type 0): EINVAL");
    CHECK_ERR(EFAULT, bpf_raw(BPF_MAP_CREATE, tap_unmapped_address(), 72), "unmapped attr: EFAULT");
    union bpf_attr zero_attr;
    memset(&zero_attr, 0, sizeof zero_attr);
    CHECK_ERR(EINVAL, bpf_raw(9999, &zero_attr, sizeof zero_attr), "unknown command 9999: EINVAL");

    struct bpf_object *obj = bt_open_load("bpf_attr_abi");
    if (!obj)
        return tap_done();
    int mfd = bpf_map__fd(bt_map(obj, "abi_arr"));
    __u32 key = 1;
    __u64 value = 0x1122334455667788ULL, out = 0;
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_fd = mfd;
    a.key = (__u64)(unsigned long)&key;
    a.value = (__u64)(unsigned long)&value;
    CHECK_EQ(0, bpf_raw(BPF_MAP_UPDATE_ELEM, &a, 32), "UPDATE_ELEM with size 32");
    a.value = (__u64)(unsigned long)&out;
    CHECK_EQ(0, bpf_raw(BPF_MAP_LOOKUP_ELEM, &a, 32), "LOOKUP_ELEM with size 32");
    CHECK_EQ(value, out, "... reads the value back");
    a.key = (__u64)(unsigned long)tap_unmapped_address();
    CHECK_ERR(EFAULT, bpf_raw(BPF_MAP_LOOKUP_ELEM, &a, 32), "LOOKUP_ELEM with an unmapped key: EFAULT");
    a.key = (__u64)(unsigned long)&key;
    a.value = (__u64)(unsigned long)tap_unmapped_address();
    CHECK_ERR(EFAULT, bpf_raw(BPF_MAP_LOOKUP_ELEM, &a, 32), "LOOKUP_ELEM into an unmapped value: EFAULT");
    a.value = (__u64)(unsigned long)&out;
    a.flags = 0;
    CHECK_EQ(0, bpf_raw(BPF_MAP_LOOKUP_ELEM, &a, 24), "LOOKUP_ELEM with size 24 (flags left out)");

    /* OBJ_GET_INFO_BY_FD: the kernel uses min(info_len, its struct size) and writes it back. */
    unsigned char info[4096];
    memset(info, 0, sizeof info);
    memset(&a, 0, sizeof a);
    a.info.bpf_fd = mfd;
    a.info.info_len = sizeof info;
    a.info.info = (__u64)(unsigned long)info;
    CHECK_EQ(0, bpf_raw(BPF_OBJ_GET_INFO_BY_FD, &a, 16), "OBJ_GET_INFO_BY_FD with a 4096-byte zeroed buffer");
    CHECK(a.info.info_len >= 88 && a.info.info_len < sizeof info, "... info_len written back is the kernel's size (%u)", a.info.info_len);
    struct bpf_map_info *mi = (struct bpf_map_info *)info;
    CHECK(mi->type == BPF_MAP_TYPE_ARRAY && mi->key_size == 4 && mi->value_size == 8 && mi->max_entries == 2,
          "... with the map's type and sizes");
    info[sizeof info - 1] = 1;
    a.info.info_len = sizeof info;
    CHECK_ERR(E2BIG, bpf_raw(BPF_OBJ_GET_INFO_BY_FD, &a, 16), "OBJ_GET_INFO_BY_FD with a non-zero byte past the kernel's struct: E2BIG");
    a.info.info_len = 0;
    CHECK_EQ(0, bpf_raw(BPF_OBJ_GET_INFO_BY_FD, &a, 16), "OBJ_GET_INFO_BY_FD with info_len 0");
    CHECK_EQ(0, a.info.info_len, "... writes back 0");

    /* PROG_LOAD pointers. */
    struct bpf_insn insns[2] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
        { .code = BPF_JMP | BPF_EXIT },
    };
    memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = 2;
    a.insns = (__u64)(unsigned long)insns;
    a.license = (__u64)(unsigned long)"GPL";
    long pfd = bpf_raw(BPF_PROG_LOAD, &a, 48);
    CHECK_SYS_OK(pfd, "PROG_LOAD with size 48 (up to prog_flags)");
    if (pfd >= 0) {
        long flags = fcntl((int)pfd, F_GETFD);
        CHECK(flags >= 0 && (flags & FD_CLOEXEC), "the program fd is close-on-exec");
    }
    closefd(pfd);
    a.insns = (__u64)(unsigned long)tap_unmapped_address();
    CHECK_ERR(EFAULT, bpf_raw(BPF_PROG_LOAD, &a, 48), "PROG_LOAD with unmapped instructions: EFAULT");
    a.insns = (__u64)(unsigned long)insns;
    a.license = (__u64)(unsigned long)tap_unmapped_address();
    CHECK_ERR(EFAULT, bpf_raw(BPF_PROG_LOAD, &a, 48), "PROG_LOAD with an unmapped license: EFAULT");

    bpf_object__close(obj);
    return tap_done();
}
