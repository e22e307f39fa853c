/* bpf_btf: BPF_BTF_LOAD with hand-built BTF blobs — the header and section rules, per-kind
 * checks, reference resolution (ids in range, loops), the log (header dump, the reason for a
 * rejection, ENOSPC when it does not fit), the BTF object (fd, id, fdinfo, bpf_btf_info with a
 * copy of the blob, BTF_GET_NEXT_ID/BTF_GET_FD_BY_ID) and maps created with BTF key/value types. */
#include "bpf_common.h"

#include <linux/btf.h>

struct blob {
    unsigned char bytes[1024];
    __u32 type_len, str_len;
    unsigned char strings[256];
};

static void blob_init(struct blob *b)
{
    memset(b, 0, sizeof *b);
    b->str_len = 1; /* "" at offset 0 */
}

static __u32 add_string(struct blob *b, const char *s)
{
    __u32 offset = b->str_len;
    memcpy(b->strings + offset, s, strlen(s) + 1);
    b->str_len += (__u32)strlen(s) + 1;
    return offset;
}

static void add_words(struct blob *b, const __u32 *words, unsigned count)
{
    memcpy(b->bytes + sizeof(struct btf_header) + b->type_len, words, count * 4);
    b->type_len += count * 4;
}

#define INFO(kind, vlen, kflag) (((__u32)(kflag) << 31) | ((__u32)(kind) << 24) | (__u32)(vlen))

/* Finishes the blob: header, types, strings. Returns the total size. */
static __u32 blob_finish(struct blob *b)
{
    struct btf_header h = { .magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof h,
                            .type_off = 0, .type_len = b->type_len, .str_off = b->type_len, .str_len = b->str_len };
    memcpy(b->bytes, &h, sizeof h);
    memcpy(b->bytes + sizeof h + b->type_len, b->strings, b->str_len);
    return (__u32)sizeof h + b->type_len + b->str_len;
}

static long btf_load(const void *data, __u32 size, char *log, __u32 log_size, __u32 level)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.btf = (__u64)(uintptr_t)data;
    a.btf_size = size;
    a.btf_log_buf = (__u64)(uintptr_t)log;
    a.btf_log_size = log_size;
    a.btf_log_level = level;
    return bpf_call(BPF_BTF_LOAD, &a);
}

/* One INT "int" (signed, 32 bits): the blob libbpf's BTF probe loads. */
static __u32 int_blob(struct blob *b)
{
    blob_init(b);
    __u32 name = add_string(b, "int");
    __u32 t[] = { name, INFO(BTF_KIND_INT, 0, 0), 4, (BTF_INT_SIGNED << 24) | 32 };
    add_words(b, t, 4);
    return blob_finish(b);
}

static char log[4096];

static long expect_rejected(int err, struct blob *b, __u32 size, const char *reason, const char *what)
{
    memset(log, 0, sizeof log);
    long ret = btf_load(b->bytes, size, log, sizeof log, 1);
    CHECK_ERR(err, ret, "%s", what);
    if (reason)
        CHECK(strstr(log, reason) != NULL, "... the log says \"%s\"", reason);
    if (ret >= 0)
        close((int)ret);
    return ret;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct blob b;

    /* ---- a valid blob and the BTF object ---- */
    __u32 size = int_blob(&b);
    long fd = btf_load(b.bytes, size, NULL, 0, 0);
    CHECK(fd >= 0, "BTF_LOAD of one INT type (fd %ld)", fd);
    if (fd >= 0) {
        char path[64], target[64];
        snprintf(path, sizeof path, "/proc/self/fd/%ld", fd);
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        CHECK_STR("anon_inode:btf", target, "/proc/self/fd link: anon_inode:btf");
        struct bpf_btf_info info;
        unsigned char copy[1024];
        char name[8] = "xx";
        memset(&info, 0, sizeof info);
        info.btf = (__u64)(uintptr_t)copy;
        info.btf_size = sizeof copy;
        info.name = (__u64)(uintptr_t)name;
        info.name_len = sizeof name;
        __u32 len = sizeof info;
        CHECK_EQ(0, obj_info(fd, &info, &len), "OBJ_GET_INFO_BY_FD of the BTF");
        CHECK(info.id != 0, "it has an id (%u)", info.id);
        CHECK_EQ(size, info.btf_size, "btf_size is the blob's size");
        CHECK(!memcmp(copy, b.bytes, size), "the blob is copied back unchanged");
        CHECK(info.name_len == 0 && name[0] == '\0', "user BTF has an empty name (NUL written)");
        CHECK_EQ(0, info.kernel_btf, "kernel_btf = 0");
        memset(&info, 0, sizeof info);
        info.name = (__u64)(uintptr_t)name;
        len = sizeof info;
        CHECK_ERR(EINVAL, obj_info(fd, &info, &len), "a name buffer without name_len: EINVAL");

        char fdinfo_path[64], text[512], value[32], expected[32];
        snprintf(fdinfo_path, sizeof fdinfo_path, "/proc/self/fdinfo/%ld", fd);
        read_small_file(fdinfo_path, text, sizeof text);
        memset(&info, 0, sizeof info);
        len = sizeof info;
        obj_info(fd, &info, &len);
        snprintf(expected, sizeof expected, "%u", info.id);
        CHECK(fdinfo_value(text, "btf_id", value, sizeof value) && !strcmp(value, expected), "fdinfo btf_id:\\t%u", info.id);

        __u32 next = 0;
        CHECK_EQ(0, next_id(BPF_BTF_GET_NEXT_ID, info.id - 1, &next), "BTF_GET_NEXT_ID from id - 1");
        CHECK_EQ(info.id, next, "... finds it");
        long again = fd_by_id(BPF_BTF_GET_FD_BY_ID, info.id, 0);
        CHECK(again >= 0, "BTF_GET_FD_BY_ID");
        if (again >= 0)
            close((int)again);

        /* Maps with BTF key and value types. */
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.map_type = BPF_MAP_TYPE_HASH;
        a.key_size = 4;
        a.value_size = 4;
        a.max_entries = 4;
        a.btf_fd = (__u32)fd;
        a.btf_key_type_id = 1;
        a.btf_value_type_id = 1;
        long map = bpf_call(BPF_MAP_CREATE, &a);
        CHECK(map >= 0, "hash map with BTF key and value type int");
        if (map >= 0) {
            struct bpf_map_info mi;
            memset(&mi, 0, sizeof mi);
            len = sizeof mi;
            CHECK(obj_info(map, &mi, &len) == 0 && mi.btf_id == info.id && mi.btf_key_type_id == 1 && mi.btf_value_type_id == 1,
                  "the map's info names the BTF and both type ids");
            close((int)map);
        }
        a.value_size = 8;
        CHECK_ERR(EINVAL, bpf_call(BPF_MAP_CREATE, &a), "value_size 8 with an int (4-byte) value type: EINVAL");
        a.value_size = 4;
        a.btf_value_type_id = 2;
        CHECK_ERR(EINVAL, bpf_call(BPF_MAP_CREATE, &a), "a value type id that does not exist: EINVAL");
        a.map_type = BPF_MAP_TYPE_QUEUE;
        a.key_size = 0;
        a.btf_key_type_id = 0;
        a.btf_value_type_id = 1;
        CHECK_ERR(EINVAL, bpf_call(BPF_MAP_CREATE, &a), "a queue with a BTF value type but no key type: EINVAL");
        a.map_type = BPF_MAP_TYPE_PERF_EVENT_ARRAY;
        a.key_size = 4;
        a.btf_key_type_id = 1;
        CHECK_ERR(524, bpf_call(BPF_MAP_CREATE, &a), "a perf event array with BTF types: ENOTSUPP (map_check_no_btf)");
        close((int)fd);
    }

    /* ---- the log ---- */
    memset(log, 0, sizeof log);
    fd = btf_load(b.bytes, size, log, sizeof log, 1);
    CHECK(fd >= 0, "the same blob with a log");
    CHECK(strstr(log, "magic: 0xeb9f") != NULL, "the log starts with the header (\"magic: 0xeb9f\")");
    if (fd >= 0)
        close((int)fd);
    memset(log, 'z', sizeof log);
    CHECK_ERR(ENOSPC, btf_load(b.bytes, size, log, 128, 1), "a 128-byte log too small for the header dump: ENOSPC");
    CHECK(memchr(log, '\0', 128) != NULL && log[128] == 'z', "... the log is NUL-terminated inside its 128 bytes");
    CHECK_ERR(EINVAL, btf_load(b.bytes, size, log, sizeof log, 0), "a log buffer with level 0: EINVAL");
    CHECK_ERR(EINVAL, btf_load(b.bytes, size, log, sizeof log, 16), "log level 16: EINVAL");

    /* ---- header and sections ---- */
    CHECK_ERR(EFAULT, btf_load(tap_unmapped_address(), size, NULL, 0, 0), "unmapped blob: EFAULT");
    CHECK_ERR(E2BIG, btf_load(b.bytes, (16 << 20) + 1, NULL, 0, 0), "a blob over 16 MiB: E2BIG");
    size = int_blob(&b);
    ((struct btf_header *)b.bytes)->magic = 0x1234;
    expect_rejected(EINVAL, &b, size, "Invalid magic", "bad magic: EINVAL");
    size = int_blob(&b);
    ((struct btf_header *)b.bytes)->version = 2;
    expect_rejected(524, &b, size, "Unsupported version", "version 2: ENOTSUPP");
    size = int_blob(&b);
    ((struct btf_header *)b.bytes)->flags = 1;
    expect_rejected(524, &b, size, "Unsupported flags", "flags 1: ENOTSUPP");
    size = int_blob(&b);
    expect_rejected(EINVAL, &b, 10, "btf_header not found", "10 bytes (hdr_len 24 > 10): EINVAL");
    expect_rejected(EINVAL, &b, sizeof(struct btf_header), "No data", "header only: EINVAL");
    size = int_blob(&b);
    ((struct btf_header *)b.bytes)->str_len -= 1;
    expect_rejected(EINVAL, &b, size - 1, "Invalid string section", "string section not ending in NUL: EINVAL");
    size = int_blob(&b);
    ((struct btf_header *)b.bytes)->str_off += 4;
    expect_rejected(EINVAL, &b, size, NULL, "a gap before the string section: EINVAL");
    size = int_blob(&b);
    ((struct btf_header *)b.bytes)->type_len += 4;
    expect_rejected(EINVAL, &b, size, "Section overlap found", "overlapping sections: EINVAL");

    /* ---- types ---- */
    blob_init(&b);
    __u32 int_name = add_string(&b, "int");
    __u32 bad_int[] = { int_name, INFO(BTF_KIND_INT, 0, 0), 3, 40 };
    add_words(&b, bad_int, 4);
    expect_rejected(EINVAL, &b, blob_finish(&b), "nr_bits exceeds type_size", "INT of 3 bytes with 40 bits: EINVAL");

    blob_init(&b);
    int_name = add_string(&b, "int");
    __u32 bad_encoding[] = { int_name, INFO(BTF_KIND_INT, 0, 0), 4, (8u << 24) | 32 };
    add_words(&b, bad_encoding, 4);
    expect_rejected(524, &b, blob_finish(&b), "Unsupported encoding", "INT with encoding 8: ENOTSUPP");

    blob_init(&b);
    __u32 kind_bad[] = { 0, INFO(25, 0, 0), 0 };
    add_words(&b, kind_bad, 3);
    expect_rejected(EINVAL, &b, blob_finish(&b), "Invalid kind", "kind 25: EINVAL");

    blob_init(&b);
    __u32 ptr_far[] = { 0, INFO(BTF_KIND_PTR, 0, 0), 5 };
    add_words(&b, ptr_far, 3);
    expect_rejected(EINVAL, &b, blob_finish(&b), "Invalid type_id", "PTR to type 5 of 1: EINVAL");

    blob_init(&b);
    __u32 ta = add_string(&b, "ta"), tb = add_string(&b, "tb");
    __u32 loop[] = { ta, INFO(BTF_KIND_TYPEDEF, 0, 0), 2, tb, INFO(BTF_KIND_TYPEDEF, 0, 0), 1 };
    add_words(&b, loop, 6);
    expect_rejected(EEXIST, &b, blob_finish(&b), "Loop detected", "two typedefs naming each other: EEXIST");

    blob_init(&b);
    __u32 bad_name = add_string(&b, "1bad");
    __u32 named_int[] = { bad_name, INFO(BTF_KIND_INT, 0, 0), 4, 32 };
    add_words(&b, named_int, 4);
    __u32 typedef_bad[] = { bad_name, INFO(BTF_KIND_TYPEDEF, 0, 0), 1 };
    add_words(&b, typedef_bad, 3);
    expect_rejected(EINVAL, &b, blob_finish(&b), "Invalid name", "a typedef named \"1bad\": EINVAL");

    /* libbpf's feature probes: FUNC_PROTO + FUNC, VAR + DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64. */
    blob_init(&b);
    int_name = add_string(&b, "int");
    __u32 x = add_string(&b, "x"), func = add_string(&b, "f"), data = add_string(&b, ".data"), tag = add_string(&b, "tag");
    __u32 probe[] = {
        int_name, INFO(BTF_KIND_INT, 0, 0), 4, (BTF_INT_SIGNED << 24) | 32, /* [1] int */
        0, INFO(BTF_KIND_FUNC_PROTO, 1, 0), 1, x, 1,                        /* [2] int (int x) */
        func, INFO(BTF_KIND_FUNC, BTF_FUNC_GLOBAL, 0), 2,                   /* [3] FUNC f */
        x, INFO(BTF_KIND_VAR, 0, 0), 1, BTF_VAR_STATIC,                     /* [4] VAR x */
        data, INFO(BTF_KIND_DATASEC, 1, 0), 4, 4, 0, 4,                     /* [5] DATASEC .data */
        int_name, INFO(BTF_KIND_FLOAT, 0, 0), 4,                            /* [6] FLOAT */
        tag, INFO(BTF_KIND_DECL_TAG, 0, 0), 4, (__u32)-1,                   /* [7] DECL_TAG on x */
        tag, INFO(BTF_KIND_TYPE_TAG, 0, 0), 1,                              /* [8] TYPE_TAG int */
        0, INFO(BTF_KIND_PTR, 0, 0), 8,                                     /* [9] PTR */
        int_name, INFO(BTF_KIND_ENUM64, 0, 0), 8,                           /* [10] ENUM64 */
    };
    add_words(&b, probe, sizeof probe / 4);
    size = blob_finish(&b);
    memset(log, 0, sizeof log);
    fd = btf_load(b.bytes, size, log, sizeof log, 1);
    CHECK(fd >= 0, "libbpf's probe kinds (func, datasec, float, decl_tag, type_tag, enum64) are accepted");
    if (fd < 0)
        DIAG("log: %s", log);
    else
        close((int)fd);

    return tap_done();
}
