/* bpf_abi: the generic bpf(2) contract every command shares (Linux's __sys_bpf and
 * CHECK_ATTR): attr sizes smaller than union bpf_attr are zero-filled, larger ones must be zero
 * past it (E2BIG otherwise, and always above a page), unknown commands are EINVAL, non-zero
 * bytes after a command's last field are EINVAL, bad pointers are EFAULT, fds that are not
 * open are EBADF and fds of the wrong kind EINVAL (OBJ_GET_INFO_BY_FD: EBADFD). */
#include "bpf_common.h"

static unsigned char page_buf[8192] __attribute__((aligned(4096)));

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    void *unmapped = tap_unmapped_address();

    /* ---- attr size and copy rules ---- */
    CHECK_ERR(EINVAL, bpf_raw(999, NULL, 0), "unknown command 999: EINVAL");
    CHECK_ERR(EINVAL, bpf_raw(-1, NULL, 0), "command -1: EINVAL");
    CHECK_ERR(EINVAL, bpf_raw(BPF_PROG_ATTACH, NULL, 0), "BPF_PROG_ATTACH with a zero attr: EINVAL");
    CHECK_ERR(E2BIG, bpf_raw(BPF_MAP_CREATE, page_buf, 4097), "size 4097 (more than a page): E2BIG");
    CHECK_ERR(E2BIG, bpf_raw(BPF_MAP_CREATE, NULL, 4097), "size 4097 with a NULL attr: E2BIG before any copy");
    CHECK_ERR(EFAULT, bpf_raw(BPF_MAP_CREATE, NULL, 16), "NULL attr, size 16: EFAULT");
    CHECK_ERR(EFAULT, bpf_raw(BPF_MAP_CREATE, unmapped, 72), "unmapped attr: EFAULT");
    CHECK_ERR(EINVAL, bpf_raw(BPF_MAP_CREATE, NULL, 0), "size 0: an all-zero MAP_CREATE attr (map type 0): EINVAL");

    union bpf_attr *big = (union bpf_attr *)page_buf;
    memset(page_buf, 0, sizeof page_buf);
    big->map_type = BPF_MAP_TYPE_ARRAY;
    big->key_size = 4;
    big->value_size = 8;
    big->max_entries = 2;
    long fd = bpf_raw(BPF_MAP_CREATE, big, 4096);
    CHECK(fd >= 0, "size 4096 with a zero tail: accepted (fd %ld)", fd);
    if (fd >= 0)
        close((int)fd);
    page_buf[4000] = 1;
    CHECK_ERR(E2BIG, bpf_raw(BPF_MAP_CREATE, big, 4096), "size 4096 with a non-zero byte at 4000: E2BIG");
    page_buf[4000] = 0;

    /* A short attr: only up to max_entries (16 bytes) is passed; the rest reads as zero. */
    fd = bpf_raw(BPF_MAP_CREATE, big, 16);
    CHECK(fd >= 0, "MAP_CREATE with a 16-byte attr: accepted (fd %ld)", fd);
    if (fd >= 0) {
        struct bpf_map_info info;
        memset(&info, 0xff, sizeof info);
        __u32 len = 40;
        CHECK_EQ(0, obj_info(fd, &info, &len), "info of that map with info_len 40");
        CHECK_EQ(40, len, "info_len stays 40 (shorter than struct bpf_map_info)");
        CHECK(info.type == BPF_MAP_TYPE_ARRAY && info.max_entries == 2 && info.map_flags == 0 && info.name[0] == 0,
              "type, max_entries, flags and the (empty) name are right");
        CHECK(((unsigned char *)&info)[40] == 0xff, "nothing written past info_len");
        close((int)fd);
    }

    /* The tail of a larger attr must be readable: EFAULT when it crosses into an unmapped page. */
    unsigned char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (two != MAP_FAILED) {
        munmap(two + 4096, 4096);
        union bpf_attr *edge = (union bpf_attr *)(two + 4096 - 180);
        memset(edge, 0, 180);
        edge->map_type = BPF_MAP_TYPE_ARRAY;
        edge->key_size = 4;
        edge->value_size = 4;
        edge->max_entries = 1;
        CHECK_ERR(EFAULT, bpf_raw(BPF_MAP_CREATE, edge, 200), "attr tail in an unmapped page: EFAULT");
        fd = bpf_raw(BPF_MAP_CREATE, edge, 180);
        CHECK(fd >= 0, "the same attr with size 180 (all mapped, zero tail): accepted");
        if (fd >= 0)
            close((int)fd);
        munmap(two, 4096);
    }

    /* ---- CHECK_ATTR: bytes after each command's last field ---- */
    long map = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
    CHECK(map >= 0, "array map for the following checks");
    union bpf_attr a;
    __u32 key = 0;
    __u64 value = 0;

    memset(&a, 0, sizeof a);
    a.map_fd = (__u32)map;
    a.key = (__u64)(uintptr_t)&key;
    a.value = (__u64)(uintptr_t)&value;
    ((unsigned char *)&a)[offsetof(union bpf_attr, flags) + 8] = 1;
    CHECK_ERR(EINVAL, bpf_call(BPF_MAP_LOOKUP_ELEM, &a), "LOOKUP_ELEM with a byte set after flags: EINVAL");
    memset(&a, 0, sizeof a);
    a.map_fd = (__u32)map;
    ((unsigned char *)&a)[4] = 1;
    CHECK_ERR(EINVAL, bpf_call(BPF_MAP_FREEZE, &a), "MAP_FREEZE with a byte set after map_fd: EINVAL");
    memset(&a, 0, sizeof a);
    ((unsigned char *)&a)[12] = 1;
    CHECK_ERR(EINVAL, bpf_call(BPF_MAP_GET_NEXT_ID, &a), "MAP_GET_NEXT_ID with a byte set after next_id: EINVAL");
    memset(&a, 0, sizeof a);
    a.info.bpf_fd = (__u32)map;
    ((unsigned char *)&a)[16] = 1;
    CHECK_ERR(EINVAL, bpf_call(BPF_OBJ_GET_INFO_BY_FD, &a), "OBJ_GET_INFO_BY_FD with a byte set after info.info: EINVAL");
    memset(&a, 0, sizeof a);
    ((unsigned char *)&a)[12] = 1;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_BIND_MAP, &a), "PROG_BIND_MAP with a byte set after flags: EINVAL");
    memset(&a, 0, sizeof a);
    a.start_id = 0x7fffffff;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_GET_NEXT_ID, &a), "PROG_GET_NEXT_ID from INT_MAX: EINVAL");
    memset(&a, 0, sizeof a);
    a.map_fd = (__u32)map;
    a.flags = 1u << 4;
    a.key = (__u64)(uintptr_t)&key;
    a.value = (__u64)(uintptr_t)&value;
    CHECK_ERR(EINVAL, bpf_call(BPF_MAP_LOOKUP_ELEM, &a), "LOOKUP_ELEM with an unknown flag: EINVAL");

    /* ---- bad pointers ---- */
    CHECK_ERR(EFAULT, map_lookup(map, unmapped, &value), "lookup with an unmapped key: EFAULT");
    CHECK_ERR(EFAULT, map_lookup(map, &key, unmapped), "lookup into an unmapped value buffer: EFAULT");
    CHECK_ERR(EFAULT, map_update(map, &key, unmapped, 0), "update from an unmapped value: EFAULT");
    CHECK_ERR(EFAULT, map_update(map, NULL, &value, 0), "update with a NULL key: EFAULT");
    __u32 len = sizeof(struct bpf_map_info);
    CHECK_ERR(EFAULT, obj_info(map, unmapped, &len), "info into an unmapped buffer: EFAULT");
    CHECK_ERR(EFAULT, bpf_raw(BPF_MAP_LOOKUP_ELEM, (void *)0x10, 32), "attr at a user address below the first page: EFAULT");
    CHECK_ERR(EFAULT, bpf_raw(BPF_MAP_LOOKUP_ELEM, (void *)0xffffffff80000000UL, 32), "attr at a kernel address: EFAULT");

    /* ---- fds ---- */
    CHECK_ERR(EBADF, map_lookup(TAP_BAD_FD, &key, &value), "lookup on a closed fd: EBADF");
    CHECK_ERR(EBADF, map_lookup(-1, &key, &value), "lookup on fd -1: EBADF");
    int devnull = open("/dev/null", O_RDWR);
    CHECK_ERR(EINVAL, map_lookup(devnull, &key, &value), "lookup on /dev/null: EINVAL");
    CHECK_ERR(EINVAL, map_freeze(devnull), "freeze of /dev/null: EINVAL");
    len = sizeof(struct bpf_map_info);
    struct bpf_map_info info;
    CHECK_ERR(EINVAL, obj_info(devnull, &info, &len), "info of /dev/null: EINVAL");
    CHECK_ERR(EBADFD, obj_info(TAP_BAD_FD, &info, &len), "info of a closed fd: EBADFD");
    memset(&a, 0, sizeof a);
    a.test.prog_fd = (__u32)map;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_TEST_RUN, &a), "PROG_TEST_RUN on a map fd: EINVAL");
    a.test.prog_fd = TAP_BAD_FD;
    CHECK_ERR(EBADF, bpf_call(BPF_PROG_TEST_RUN, &a), "PROG_TEST_RUN on a closed fd: EBADF");
    memset(&a, 0, sizeof a);
    a.link_detach.link_fd = (__u32)map;
    CHECK_ERR(EINVAL, bpf_call(BPF_LINK_DETACH, &a), "LINK_DETACH on a map fd: EINVAL");
    memset(&a, 0, sizeof a);
    a.prog_bind_map.prog_fd = (__u32)map;
    a.prog_bind_map.map_fd = (__u32)map;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_BIND_MAP, &a), "PROG_BIND_MAP with a map as the program: EINVAL");
    memset(&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 8;
    a.max_entries = 1;
    a.btf_fd = (__u32)map;
    a.btf_key_type_id = 1;
    a.btf_value_type_id = 1;
    CHECK_ERR(EINVAL, bpf_call(BPF_MAP_CREATE, &a), "MAP_CREATE with a map fd as btf_fd: EINVAL");
    a.btf_fd = TAP_BAD_FD;
    CHECK_ERR(EBADF, bpf_call(BPF_MAP_CREATE, &a), "MAP_CREATE with a closed btf_fd: EBADF");
    a.btf_key_type_id = 0;
    a.btf_value_type_id = 0;
    long ignored = bpf_call(BPF_MAP_CREATE, &a);
    CHECK(ignored >= 0, "MAP_CREATE with a closed btf_fd but no type ids: btf_fd ignored");
    if (ignored >= 0)
        close((int)ignored);
    a.btf_fd = 0;
    a.btf_key_type_id = 1;
    CHECK_ERR(EINVAL, bpf_call(BPF_MAP_CREATE, &a), "MAP_CREATE with a key type id but no value type id: EINVAL");
    close(devnull);

    /* ---- names ---- */
    long named = map_create_named(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, "ok.name_123");
    CHECK(named >= 0, "map name with '.', '_' and digits: accepted");
    if (named >= 0)
        close((int)named);
    CHECK_ERR(EINVAL, map_create_named(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, "bad name"), "map name with a space: EINVAL");
    memset(&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    memset(a.map_name, 'x', sizeof a.map_name);
    CHECK_ERR(EINVAL, bpf_call(BPF_MAP_CREATE, &a), "map name of 16 characters (no NUL): EINVAL");

    close((int)map);
    return tap_done();
}
