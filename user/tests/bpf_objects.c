/* bpf_objects: maps as file descriptors — ids (cyclic, never 0, GET_NEXT_ID/GET_FD_BY_ID,
 * gone when the last reference goes), several fds for one map, access modes of fds
 * (BPF_F_RDONLY/WRONLY, open_flags), /proc/self/fd links and /proc/self/fdinfo lines,
 * struct bpf_map_info, freezing, and mmap of BPF_F_MMAPABLE arrays and ring buffers (shared
 * mappings only, MAP_FIXED over an anonymous mapping, read-only mappings of frozen maps, the
 * map outliving its fd while mapped, the ringbuf's consumer/producer/data page layout). */
#include "bpf_common.h"

#include <sys/mman.h>

static char text[8192];

static int fd_link_is(long fd, const char *expected)
{
    char path[64], target[128];
    snprintf(path, sizeof path, "/proc/self/fd/%ld", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = '\0';
    if (strcmp(target, expected))
        DIAG("link of fd %ld: \"%s\"", fd, target);
    return !strcmp(target, expected);
}

static const char *fdinfo(long fd, const char *key, char *out, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%ld", fd);
    if (read_small_file(path, text, sizeof text) < 0)
        return NULL;
    return fdinfo_value(text, key, out, size);
}

static void check_ids(void)
{
    long a = map_create_named(BPF_MAP_TYPE_HASH, 4, 8, 16, 0, "ids_a");
    long b = map_create_named(BPF_MAP_TYPE_HASH, 4, 8, 16, 0, "ids_b");
    __u32 ia = map_id_of(a), ib = map_id_of(b), next = 0;
    CHECK(ia != 0 && ib != 0 && ib != ia, "two maps get two different non-zero ids (%u, %u)", ia, ib);
    CHECK_EQ(0, next_id(BPF_MAP_GET_NEXT_ID, ia - 1, &next), "MAP_GET_NEXT_ID from id - 1");
    CHECK_EQ(ia, next, "... finds the map's id");
    CHECK_EQ(0, next_id(BPF_MAP_GET_NEXT_ID, 0, &next), "MAP_GET_NEXT_ID from 0 finds some map");
    CHECK(next > 0 && next <= ia, "... with the smallest id (%u <= %u)", next, ia);

    long again = fd_by_id(BPF_MAP_GET_FD_BY_ID, ia, 0);
    CHECK(again >= 0 && again != a, "MAP_GET_FD_BY_ID opens a second fd for the map");
    CHECK_EQ(ia, map_id_of(again), "... naming the same map");
    __u32 key = 7;
    __u64 value = 99, out = 0;
    CHECK_EQ(0, map_update(a, &key, &value, BPF_ANY), "update through the first fd");
    CHECK_EQ(0, map_lookup(again, &key, &out), "lookup through the second fd");
    CHECK_EQ(99, out, "... sees the value");
    close((int)a);
    CHECK_EQ(ia, map_id_of(again), "closing one fd keeps the map (and its id)");
    close((int)again);
    CHECK_ERR(ENOENT, fd_by_id(BPF_MAP_GET_FD_BY_ID, ia, 0), "after the last fd is closed the id is gone: ENOENT");
    CHECK_EQ(0, next_id(BPF_MAP_GET_NEXT_ID, ia - 1, &next), "MAP_GET_NEXT_ID skips the freed id");
    CHECK(next != ia, "... (found %u)", next);
    CHECK_ERR(ENOENT, fd_by_id(BPF_MAP_GET_FD_BY_ID, 0, 0), "MAP_GET_FD_BY_ID id 0: ENOENT");
    CHECK_ERR(EINVAL, fd_by_id(BPF_MAP_GET_FD_BY_ID, ib, 1u << 6), "MAP_GET_FD_BY_ID with an unknown open flag: EINVAL");
    CHECK_ERR(EINVAL, fd_by_id(BPF_MAP_GET_FD_BY_ID, ib, BPF_F_RDONLY | BPF_F_WRONLY), "open_flags RDONLY|WRONLY: EINVAL");
    long ro = fd_by_id(BPF_MAP_GET_FD_BY_ID, ib, BPF_F_RDONLY);
    CHECK(ro >= 0, "MAP_GET_FD_BY_ID with BPF_F_RDONLY");
    CHECK_ERR(EPERM, map_update(ro, &key, &value, BPF_ANY), "... that fd cannot update: EPERM");
    CHECK_ERR(ENOENT, map_lookup(ro, &key, &out), "... but can look up (ENOENT: empty map)");
    long wo = fd_by_id(BPF_MAP_GET_FD_BY_ID, ib, BPF_F_WRONLY);
    CHECK_EQ(0, map_update(wo, &key, &value, BPF_ANY), "a BPF_F_WRONLY fd can update");
    CHECK_ERR(EPERM, map_lookup(wo, &key, &out), "... but not look up: EPERM");
    char flags[32];
    CHECK(fdinfo(ro, "flags", flags, sizeof flags) && !strcmp(flags, "02000000"), "the read-only fd's fdinfo flags are O_RDONLY|O_CLOEXEC");
    close((int)ro);
    close((int)wo);
    close((int)b);

    /* The highest id: the next lookup from it finds nothing. */
    long c = map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
    __u32 ic = map_id_of(c), probe = ic, last = ic;
    while (next_id(BPF_MAP_GET_NEXT_ID, probe, &next) == 0)
        last = probe = next;
    CHECK_ERR(ENOENT, next_id(BPF_MAP_GET_NEXT_ID, last, &next), "MAP_GET_NEXT_ID after the highest id: ENOENT");
    close((int)c);
    CHECK(ic > ib, "ids grow: a later map has a larger id even after frees (%u > %u)", ic, ib);
}

static void check_files(void)
{
    long fd = map_create_named(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, "files_map");
    CHECK(fd_link_is(fd, "anon_inode:bpf-map"), "/proc/self/fd link of a map: anon_inode:bpf-map");
    char v[64];
    CHECK(fdinfo(fd, "map_type", v, sizeof v) && !strcmp(v, "2"), "fdinfo map_type:\\t2");
    CHECK(fdinfo(fd, "key_size", v, sizeof v) && !strcmp(v, "4"), "fdinfo key_size:\\t4");
    CHECK(fdinfo(fd, "value_size", v, sizeof v) && !strcmp(v, "8"), "fdinfo value_size:\\t8");
    CHECK(fdinfo(fd, "max_entries", v, sizeof v) && !strcmp(v, "4"), "fdinfo max_entries:\\t4");
    CHECK(fdinfo(fd, "map_flags", v, sizeof v) && !strcmp(v, "0x0"), "fdinfo map_flags:\\t0x0");
    CHECK(fdinfo(fd, "map_extra", v, sizeof v) && !strcmp(v, "0x0"), "fdinfo map_extra:\\t0x0");
    CHECK(fdinfo(fd, "memlock", v, sizeof v) && atol(v) > 0, "fdinfo memlock is a positive number");
    char expected_id[32];
    snprintf(expected_id, sizeof expected_id, "%u", map_id_of(fd));
    CHECK(fdinfo(fd, "map_id", v, sizeof v) && !strcmp(v, expected_id), "fdinfo map_id is the map's id");
    CHECK(fdinfo(fd, "frozen", v, sizeof v) && !strcmp(v, "0"), "fdinfo frozen:\\t0");
    CHECK(fdinfo(fd, "flags", v, sizeof v) && !strcmp(v, "02000002"), "fdinfo flags: O_RDWR|O_CLOEXEC");
    CHECK_EQ(FD_CLOEXEC, fcntl((int)fd, F_GETFD), "map fds are close-on-exec");
    char buf[8];
    CHECK_LIBC_ERR(EINVAL, read((int)fd, buf, sizeof buf), "read() of a map fd: EINVAL");
    CHECK_LIBC_ERR(EINVAL, write((int)fd, buf, sizeof buf), "write() of a map fd: EINVAL");

    struct bpf_map_info info;
    memset(&info, 0, sizeof info);
    __u32 len = sizeof info;
    CHECK_EQ(0, obj_info(fd, &info, &len), "OBJ_GET_INFO_BY_FD of the map");
    CHECK_EQ(sizeof info, len, "info_len = sizeof(struct bpf_map_info)");
    CHECK(info.type == BPF_MAP_TYPE_ARRAY && info.key_size == 4 && info.value_size == 8 && info.max_entries == 4,
          "type, key/value size and max_entries");
    CHECK_STR("files_map", info.name, "name");
    unsigned char bigger[256];
    memset(bigger, 0, sizeof bigger);
    len = sizeof bigger;
    CHECK_EQ(0, obj_info(fd, bigger, &len), "info with a larger zeroed buffer");
    CHECK(len >= sizeof info && len < sizeof bigger, "... info_len is cut to the kernel's struct size (%u)", len);
    bigger[sizeof bigger - 1] = 1;
    len = sizeof bigger;
    CHECK_ERR(E2BIG, obj_info(fd, bigger, &len), "info with a larger buffer whose tail is not zero: E2BIG");

    CHECK_EQ(0, map_freeze(fd), "MAP_FREEZE");
    CHECK(fdinfo(fd, "frozen", v, sizeof v) && !strcmp(v, "1"), "fdinfo frozen:\\t1");
    __u32 key = 0;
    __u64 value = 1;
    CHECK_ERR(EPERM, map_update(fd, &key, &value, BPF_ANY), "update of a frozen map: EPERM");
    CHECK_EQ(0, map_lookup(fd, &key, &value), "lookup of a frozen map works");
    close((int)fd);

    long ro = map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_RDONLY);
    CHECK(fdinfo(ro, "flags", v, sizeof v) && !strcmp(v, "02000000"), "a BPF_F_RDONLY map's fd is O_RDONLY");
    CHECK(fdinfo(ro, "map_flags", v, sizeof v) && !strcmp(v, "0x0"), "... and its map_flags do not show BPF_F_RDONLY");
    close((int)ro);
}

static void check_array_mmap(void)
{
    long fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1024, BPF_F_MMAPABLE); /* 8 KiB of values */
    CHECK(fd >= 0, "BPF_F_MMAPABLE array of 1024 u64");
    __u64 *values = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
    CHECK(values != MAP_FAILED, "mmap of the whole value area, shared, read-write");
    if (values == MAP_FAILED)
        return;
    values[3] = 0x1234;
    __u32 key = 3;
    __u64 out = 0;
    CHECK_EQ(0, map_lookup(fd, &key, &out), "lookup after writing through the mapping");
    CHECK_EQ(0x1234, out, "... sees the value written through the mapping");
    key = 1000;
    __u64 in = 77;
    CHECK_EQ(0, map_update(fd, &key, &in, BPF_ANY), "update element 1000");
    CHECK_EQ(77, values[1000], "... visible in the mapping (second page)");
    CHECK_ERR(EBUSY, map_freeze(fd), "freeze while a writable mapping exists: EBUSY");
    munmap(values, 8192);

    CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, (int)fd, 0) == MAP_FAILED && errno == EINVAL, "a private mapping: EINVAL");
    CHECK(mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, (int)fd, 0) == MAP_FAILED && errno == EINVAL,
          "a mapping past the value area: EINVAL");

    /* libbpf's skeleton sequence: an anonymous shared image, then the map mapped over it. */
    unsigned char *image = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    unsigned char *fixed = mmap(image, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, (int)fd, 0);
    CHECK(fixed == image, "MAP_FIXED over an anonymous shared mapping");
    if (fixed == image) {
        CHECK_EQ(0x1234, ((__u64 *)fixed)[3], "... the map's contents appear at the same address");
        munmap(fixed, 8192);
    }

    CHECK_EQ(0, map_freeze(fd), "freeze once every writable mapping is gone");
    errno = 0;
    CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0) == MAP_FAILED && errno == EPERM,
          "writable mapping of a frozen map: EPERM");
    __u64 *ro = mmap(NULL, 8192, PROT_READ, MAP_SHARED, (int)fd, 0);
    CHECK(ro != MAP_FAILED, "read-only mapping of a frozen map");
    close((int)fd);
    if (ro != MAP_FAILED) {
        CHECK_EQ(77, ro[1000], "the mapping keeps the map alive after its fd is closed");
        munmap(ro, 8192);
    }

    long plain = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0);
    errno = 0;
    CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, (int)plain, 0) == MAP_FAILED && errno == EINVAL,
          "mmap of an array without BPF_F_MMAPABLE: EINVAL");
    close((int)plain);
    long rdonly_prog = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 8, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG);
    errno = 0;
    CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)rdonly_prog, 0) == MAP_FAILED && errno == EACCES,
          "writable mapping of a BPF_F_RDONLY_PROG map: EACCES");
    void *readable = mmap(NULL, 4096, PROT_READ, MAP_SHARED, (int)rdonly_prog, 0);
    CHECK(readable != MAP_FAILED, "... a read-only mapping of it works");
    if (readable != MAP_FAILED)
        munmap(readable, 4096);
    close((int)rdonly_prog);
}

static void check_ringbuf_mmap(void)
{
    long fd = map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 16384, 0);
    CHECK(fd >= 0, "ringbuf of 16 KiB");
    if (fd < 0)
        return;
    struct bpf_map_info info;
    memset(&info, 0, sizeof info);
    __u32 len = sizeof info;
    CHECK(obj_info(fd, &info, &len) == 0 && info.type == BPF_MAP_TYPE_RINGBUF && info.max_entries == 16384,
          "ringbuf info: type 27, max_entries = data size (what libbpf's ring_buffer__add needs)");
    unsigned long *consumer = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
    CHECK(consumer != MAP_FAILED, "consumer page: read-write mapping at offset 0");
    unsigned char *producer = mmap(NULL, 4096 + 2 * 16384, PROT_READ, MAP_SHARED, (int)fd, 4096);
    CHECK(producer != MAP_FAILED, "producer page + data twice: read-only mapping at offset 4096");
    errno = 0;
    CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 4096) == MAP_FAILED && errno == EPERM,
          "writable mapping of the producer page: EPERM");
    errno = 0;
    CHECK(mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0) == MAP_FAILED && errno == EPERM,
          "writable mapping of more than the consumer page: EPERM");
    if (consumer != MAP_FAILED && producer != MAP_FAILED) {
        CHECK(consumer[0] == 0 && *(unsigned long *)producer == 0, "consumer_pos and producer_pos start at 0");
        unsigned char *data = producer + 4096;
        CHECK(data[0] == data[16384] && data[16383] == data[2 * 16384 - 1], "the data pages are mapped twice back to back");
        consumer[0] = 8;
        CHECK_EQ(8, consumer[0], "the consumer page is writable");
    }
    close((int)fd);
    if (consumer != MAP_FAILED)
        munmap(consumer, 4096);
    if (producer != MAP_FAILED)
        munmap(producer, 4096 + 2 * 16384);

    long hash = map_create(BPF_MAP_TYPE_HASH, 4, 4, 4, 0);
    errno = 0;
    CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, (int)hash, 0) == MAP_FAILED && errno == 524,
          "mmap of a hash map: ENOTSUPP (524)");
    close((int)hash);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    check_ids();
    check_files();
    check_array_mmap();
    check_ringbuf_mmap();
    return tap_done();
}
