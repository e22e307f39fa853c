/* bpf_prog: BPF_PROG_LOAD and the program object — the attr checks that come before the
 * verifier (instruction count, license pointer, flags, type, name, log attributes), programs
 * as fds (/proc/self/fd, fdinfo with Linux's prog_tag, ids), struct bpf_prog_info (type, name,
 * tag, map ids, xlated instructions with map ids), programs keeping their maps alive,
 * PROG_BIND_MAP, BPF_ENABLE_STATS, BPF_PROG_TEST_RUN for SOCKET_FILTER/XDP/RAW_TRACEPOINT and
 * its errors, and RAW_TRACEPOINT_OPEN of an unknown tracepoint. */
#include "bpf_common.h"

static char text[4096];
static char log_buf[65536];

#define LD_MAP_FD(dst, fd) INSN(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define LDX_DW(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_DW, dst, src, off, 0)
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU64_REG(op, dst, src) INSN(BPF_ALU64 | (op) | BPF_X, dst, src, 0, 0)
#define MOV64_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)

/* SHA-1 of the instructions with map fd immediates zeroed: Linux's prog_tag. */
static unsigned rol(unsigned v, int n) { return (v << n) | (v >> (32 - n)); }
static void sha1(const unsigned char *data, size_t len, unsigned char out[20])
{
    unsigned h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
    size_t total = ((len + 8) / 64 + 1) * 64;
    unsigned char *m = calloc(total, 1);
    memcpy(m, data, len);
    m[len] = 0x80;
    unsigned long long bits = (unsigned long long)len * 8;
    for (int i = 0; i < 8; i++)
        m[total - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (size_t off = 0; off < total; off += 64) {
        unsigned w[80];
        for (int i = 0; i < 16; i++)
            w[i] = (unsigned)m[off + 4 * i] << 24 | (unsigned)m[off + 4 * i + 1] << 16 | (unsigned)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
        for (int i = 16; i < 80; i++)
            w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        unsigned a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; i++) {
            unsigned f = i < 20 ? (b & c) | (~b & d) : i < 40 ? b ^ c ^ d : i < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
            unsigned k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
            unsigned t = rol(a, 5) + f + e + k + w[i];
            e = d, d = c, c = rol(b, 30), b = a, a = t;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
    }
    for (int i = 0; i < 5; i++)
        out[4 * i] = (unsigned char)(h[i] >> 24), out[4 * i + 1] = (unsigned char)(h[i] >> 16), out[4 * i + 2] = (unsigned char)(h[i] >> 8),
        out[4 * i + 3] = (unsigned char)h[i];
    free(m);
}

/* SHA-256 (Linux computes the tag with SHA-256 since 6.17; 6.1, whose ABI this kernel
 * follows, used SHA-1). */
static const unsigned k256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
    0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2 };
static unsigned ror(unsigned v, int n) { return (v >> n) | (v << (32 - n)); }
static void sha256(const unsigned char *data, size_t len, unsigned char out[32])
{
    unsigned h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    size_t total = ((len + 8) / 64 + 1) * 64;
    unsigned char *m = calloc(total, 1);
    memcpy(m, data, len);
    m[len] = 0x80;
    unsigned long long bits = (unsigned long long)len * 8;
    for (int i = 0; i < 8; i++)
        m[total - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (size_t off = 0; off < total; off += 64) {
        unsigned w[64];
        for (int i = 0; i < 16; i++)
            w[i] = (unsigned)m[off + 4 * i] << 24 | (unsigned)m[off + 4 * i + 1] << 16 | (unsigned)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
        for (int i = 16; i < 64; i++)
            w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) + w[i - 7] + (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10));
        unsigned a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; i++) {
            unsigned t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k256[i] + w[i];
            unsigned t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
    }
    for (int i = 0; i < 8; i++)
        out[4 * i] = (unsigned char)(h[i] >> 24), out[4 * i + 1] = (unsigned char)(h[i] >> 16), out[4 * i + 2] = (unsigned char)(h[i] >> 8),
        out[4 * i + 3] = (unsigned char)h[i];
    free(m);
}

/* The tag as Linux 6.1 computes it (SHA-1) in `hex`, and as Linux 6.17+ does (SHA-256) in `hex256`. */
static void expected_tags(const struct bpf_insn *insns, unsigned count, char hex[17], char hex256[17])
{
    struct bpf_insn copy[64];
    memcpy(copy, insns, count * sizeof *insns);
    for (unsigned i = 0; i < count; i++) {
        if (copy[i].code == (BPF_LD | BPF_IMM | BPF_DW) && (copy[i].src_reg == BPF_PSEUDO_MAP_FD || copy[i].src_reg == BPF_PSEUDO_MAP_VALUE)) {
            copy[i].imm = 0;
            copy[++i].imm = 0;
        }
    }
    unsigned char digest[20], digest256[32];
    sha1((const unsigned char *)copy, count * sizeof *copy, digest);
    sha256((const unsigned char *)copy, count * sizeof *copy, digest256);
    for (int i = 0; i < 8; i++) {
        sprintf(hex + 2 * i, "%02x", digest[i]);
        sprintf(hex256 + 2 * i, "%02x", digest256[i]);
    }
}

static int is_tag(const char *value, const char *sha1_tag, const char *sha256_tag)
{
    return value && (!strcmp(value, sha1_tag) || !strcmp(value, sha256_tag));
}

static const char *fdinfo(long fd, const char *key, char *out, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%ld", fd);
    if (read_small_file(path, text, sizeof text) < 0)
        return NULL;
    return fdinfo_value(text, key, out, size);
}

static long test_run(long prog, void *data, __u32 size, void *out, __u32 out_size, __u32 repeat, union bpf_attr *result)
{
    memset(result, 0, sizeof *result);
    result->test.prog_fd = (__u32)prog;
    result->test.data_in = (__u64)(uintptr_t)data;
    result->test.data_size_in = size;
    result->test.data_out = (__u64)(uintptr_t)out;
    result->test.data_size_out = out_size;
    result->test.repeat = repeat;
    return bpf_call(BPF_PROG_TEST_RUN, result);
}

static void check_load_attrs(void)
{
    struct bpf_insn ret0[] = { MOV64_IMM(0, 0), EXIT_INSN() };
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = (__u64)(uintptr_t)ret0;
    a.insn_cnt = 0;
    a.license = (__u64)(uintptr_t)"GPL";
    CHECK_ERR(E2BIG, bpf_call(BPF_PROG_LOAD, &a), "insn_cnt 0: E2BIG");
    a.insn_cnt = 1000001;
    CHECK_ERR(E2BIG, bpf_call(BPF_PROG_LOAD, &a), "insn_cnt above 1M: E2BIG");
    a.insn_cnt = 2;
    a.license = 0;
    CHECK_ERR(EFAULT, bpf_call(BPF_PROG_LOAD, &a), "NULL license pointer: EFAULT");
    a.license = (__u64)(uintptr_t)"GPL";
    a.prog_flags = 1u << 20;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_LOAD, &a), "unknown prog_flags bit: EINVAL");
    a.prog_flags = 0;
    a.insns = (__u64)(uintptr_t)tap_unmapped_address();
    CHECK_ERR(EFAULT, bpf_call(BPF_PROG_LOAD, &a), "unmapped instructions: EFAULT");
    a.insns = (__u64)(uintptr_t)ret0;
    a.prog_type = 1000;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_LOAD, &a), "program type 1000: EINVAL");
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    strcpy(a.prog_name, "bad-name");
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_LOAD, &a), "'-' in prog_name: EINVAL");
    memset(a.prog_name, 0, sizeof a.prog_name);
    a.log_buf = (__u64)(uintptr_t)log_buf;
    a.log_size = sizeof log_buf;
    a.log_level = 0;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_LOAD, &a), "a log buffer with log_level 0: EINVAL");
    a.log_level = 1u << 6;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_LOAD, &a), "log_level with an unknown bit: EINVAL");
    a.log_level = 0;
    a.log_buf = 0;
    a.log_size = 0;
    a.attach_btf_id = 5;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_LOAD, &a), "attach_btf_id on a socket filter: EINVAL");
    a.attach_btf_id = 0;
    a.prog_type = BPF_PROG_TYPE_CGROUP_SOCK;
    a.expected_attach_type = BPF_CGROUP_INET4_BIND;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_LOAD, &a), "CGROUP_SOCK with expected_attach_type INET4_BIND: EINVAL");

    struct bpf_insn bad_map[] = { LD_MAP_FD(1, TAP_BAD_FD), MOV64_IMM(0, 0), EXIT_INSN() };
    memset(log_buf, 0, sizeof log_buf);
    CHECK_ERR(EBADF, prog_load_log(BPF_PROG_TYPE_SOCKET_FILTER, bad_map, 4, "GPL", log_buf, sizeof log_buf),
              "LD_IMM64 of a closed map fd: EBADF");
    CHECK(strstr(log_buf, "is not pointing to valid bpf_map") != NULL, "... the log says the fd is not a map");
    struct bpf_insn no_exit[] = { MOV64_IMM(0, 0) };
    memset(log_buf, 0, sizeof log_buf);
    CHECK_ERR(EINVAL, prog_load_log(BPF_PROG_TYPE_SOCKET_FILTER, no_exit, 1, "GPL", log_buf, sizeof log_buf),
              "a program that falls off its end: EINVAL");
    CHECK(log_buf[0] != '\0', "... with a log");
}

static void check_program_object(void)
{
    struct bpf_insn ret7[] = { MOV64_IMM(0, 7), EXIT_INSN() };
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = (__u64)(uintptr_t)ret7;
    a.insn_cnt = 2;
    a.license = (__u64)(uintptr_t)"Dual BSD/GPL";
    strcpy(a.prog_name, "ret_seven");
    long prog = bpf_call(BPF_PROG_LOAD, &a);
    if (!CHECK(prog >= 0, "SOCKET_FILTER \"r0 = 7; exit\" loads (fd %ld)", prog)) {
        memset(log_buf, 0, sizeof log_buf);
        prog_load_log(BPF_PROG_TYPE_SOCKET_FILTER, ret7, 2, "GPL", log_buf, sizeof log_buf);
        DIAG("log: %s", log_buf);
        return;
    }
    char path[64], target[64], v[64], tag[17], tag256[17];
    snprintf(path, sizeof path, "/proc/self/fd/%ld", prog);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    CHECK_STR("anon_inode:bpf-prog", target, "/proc/self/fd link: anon_inode:bpf-prog");
    expected_tags(ret7, 2, tag, tag256);
    CHECK(fdinfo(prog, "prog_type", v, sizeof v) && !strcmp(v, "1"), "fdinfo prog_type:\\t1");
    char shown_tag[64] = "";
    CHECK(is_tag(fdinfo(prog, "prog_tag", shown_tag, sizeof shown_tag), tag, tag256),
          "fdinfo prog_tag is the instructions' SHA-1 (6.1) or SHA-256 (6.17+) tag: %s", shown_tag);
    CHECK(fdinfo(prog, "prog_jited", v, sizeof v) != NULL, "fdinfo has prog_jited");
    CHECK(fdinfo(prog, "memlock", v, sizeof v) && atol(v) > 0, "fdinfo memlock > 0");
    CHECK(fdinfo(prog, "flags", v, sizeof v) && !strcmp(v, "02000002"), "fdinfo flags: O_RDWR|O_CLOEXEC");

    struct bpf_prog_info info;
    struct bpf_insn xlated[8];
    memset(&info, 0, sizeof info);
    info.xlated_prog_len = sizeof xlated;
    info.xlated_prog_insns = (__u64)(uintptr_t)xlated;
    __u32 len = sizeof info;
    CHECK_EQ(0, obj_info(prog, &info, &len), "OBJ_GET_INFO_BY_FD of the program");
    CHECK_EQ(BPF_PROG_TYPE_SOCKET_FILTER, info.type, "info.type");
    CHECK_STR("ret_seven", info.name, "info.name");
    CHECK(info.id != 0, "info.id (%u)", info.id);
    CHECK_EQ(1, info.gpl_compatible, "\"Dual BSD/GPL\" is GPL-compatible");
    char info_tag[17];
    for (int i = 0; i < 8; i++)
        sprintf(info_tag + 2 * i, "%02x", info.tag[i]);
    CHECK_STR(shown_tag, info_tag, "info.tag is the fdinfo tag");
    CHECK_EQ(16, info.xlated_prog_len, "xlated_prog_len = 2 instructions");
    CHECK(!memcmp(xlated, ret7, 16), "the xlated instructions are the program");
    CHECK_EQ(0, info.nr_map_ids, "no maps");
    CHECK(fdinfo(prog, "prog_id", v, sizeof v) && (__u32)atol(v) == info.id, "fdinfo prog_id is info.id");

    __u32 next = 0;
    CHECK_EQ(0, next_id(BPF_PROG_GET_NEXT_ID, info.id - 1, &next), "PROG_GET_NEXT_ID from id - 1");
    CHECK_EQ(info.id, next, "... finds it");
    long again = fd_by_id(BPF_PROG_GET_FD_BY_ID, info.id, 0);
    CHECK(again >= 0 && again != prog, "PROG_GET_FD_BY_ID opens another fd");
    close((int)again);

    /* BPF_PROG_TEST_RUN of the socket filter. */
    unsigned char packet[64] = { 0 };
    union bpf_attr r;
    CHECK_EQ(0, test_run(prog, packet, sizeof packet, NULL, 0, 1, &r), "PROG_TEST_RUN of the socket filter");
    CHECK_EQ(7, r.test.retval, "retval 7");
    CHECK_EQ(64, r.test.data_size_out, "data_size_out = the packet size");
    CHECK_ERR(EINVAL, test_run(prog, packet, 10, NULL, 0, 1, &r), "a 10-byte packet (shorter than Ethernet): EINVAL");
    CHECK_ERR(EINVAL, test_run(prog, NULL, 0, NULL, 0, 1, &r), "no packet: EINVAL");
    struct __sk_buff ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.len = 5;
    memset(&r, 0, sizeof r);
    r.test.prog_fd = (__u32)prog;
    r.test.data_in = (__u64)(uintptr_t)packet;
    r.test.data_size_in = sizeof packet;
    r.test.ctx_in = (__u64)(uintptr_t)&ctx;
    r.test.ctx_size_in = sizeof ctx;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_TEST_RUN, &r), "ctx_in with __sk_buff.len set: EINVAL");
    r.test.ctx_in = 0;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_TEST_RUN, &r), "ctx_size_in without ctx_in: EINVAL");
    r.test.ctx_size_in = 0;
    r.test.flags = 1;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_TEST_RUN, &r), "flags on a socket filter run: EINVAL");

    /* Statistics. */
    union bpf_attr s;
    memset(&s, 0, sizeof s);
    s.enable_stats.type = BPF_STATS_RUN_TIME;
    long stats = bpf_call(BPF_ENABLE_STATS, &s);
    CHECK(stats >= 0, "BPF_ENABLE_STATS(BPF_STATS_RUN_TIME)");
    CHECK_EQ(0, test_run(prog, packet, sizeof packet, NULL, 0, 3, &r), "three runs with statistics on");
    CHECK(fdinfo(prog, "run_cnt", v, sizeof v) && atol(v) >= 3, "fdinfo run_cnt counts them (%s)", v);
    s.enable_stats.type = 7;
    CHECK_ERR(EINVAL, bpf_call(BPF_ENABLE_STATS, &s), "an unknown stats type: EINVAL");
    if (stats >= 0)
        close((int)stats);

    /* The kprobe type loads but has no test run. */
    long kprobe = prog_load(BPF_PROG_TYPE_KPROBE, ret7, 2);
    CHECK(kprobe >= 0, "a KPROBE program loads");
    CHECK_ERR(524, test_run(kprobe, packet, sizeof packet, NULL, 0, 1, &r), "PROG_TEST_RUN of a kprobe program: ENOTSUPP");
    memset(&a, 0, sizeof a);
    a.raw_tracepoint.name = (__u64)(uintptr_t)"no_such_tracepoint_here";
    a.raw_tracepoint.prog_fd = (__u32)kprobe;
    CHECK_ERR(EINVAL, bpf_call(BPF_RAW_TRACEPOINT_OPEN, &a), "RAW_TRACEPOINT_OPEN with a kprobe program: EINVAL");
    close((int)kprobe);
    close((int)prog);
    long gone = 0;
    for (int i = 0; i < 100 && (gone = fd_by_id(BPF_PROG_GET_FD_BY_ID, info.id, 0)) >= 0; i++) {
        close((int)gone);
        usleep(10000);
    }
    CHECK_ERR(ENOENT, gone, "the program's id is gone with its last fd");
}

static void check_maps_of_programs(void)
{
    long map = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
    __u32 map_id = map_id_of(map);
    struct bpf_insn uses_map[] = { LD_MAP_FD(1, (int)map), MOV64_IMM(0, 0), EXIT_INSN() };
    long prog = prog_load(BPF_PROG_TYPE_SOCKET_FILTER, uses_map, 4);
    if (!CHECK(prog >= 0, "a program that loads a map pointer"))
        return;
    struct bpf_prog_info info;
    __u32 ids[4] = { 0 };
    struct bpf_insn xlated[8];
    memset(&info, 0, sizeof info);
    info.nr_map_ids = 4;
    info.map_ids = (__u64)(uintptr_t)ids;
    info.xlated_prog_len = sizeof xlated;
    info.xlated_prog_insns = (__u64)(uintptr_t)xlated;
    __u32 len = sizeof info;
    CHECK_EQ(0, obj_info(prog, &info, &len), "info of that program");
    CHECK_EQ(1, info.nr_map_ids, "nr_map_ids = 1");
    CHECK_EQ(map_id, ids[0], "map_ids[0] is the map's id");
    CHECK(xlated[0].src_reg == BPF_PSEUDO_MAP_FD && (__u32)xlated[0].imm == map_id && xlated[1].imm == 0,
          "the xlated LD_IMM64 names the map by id");
    char tag[17], tag256[17], v[64];
    expected_tags(uses_map, 4, tag, tag256);
    CHECK(is_tag(fdinfo(prog, "prog_tag", v, sizeof v), tag, tag256), "the tag ignores the map fd (%s)", v);

    close((int)map);
    long again = fd_by_id(BPF_MAP_GET_FD_BY_ID, map_id, 0);
    CHECK(again >= 0, "the program keeps its map alive after the map fd is closed");
    long other = map_create(BPF_MAP_TYPE_HASH, 4, 4, 4, 0);
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_bind_map.prog_fd = (__u32)prog;
    a.prog_bind_map.map_fd = (__u32)other;
    CHECK_EQ(0, bpf_call(BPF_PROG_BIND_MAP, &a), "PROG_BIND_MAP of a second map");
    CHECK_EQ(0, bpf_call(BPF_PROG_BIND_MAP, &a), "binding it again is a no-op");
    a.prog_bind_map.flags = 1;
    CHECK_ERR(EINVAL, bpf_call(BPF_PROG_BIND_MAP, &a), "PROG_BIND_MAP flags: EINVAL");
    memset(&info, 0, sizeof info);
    len = sizeof info;
    obj_info(prog, &info, &len);
    CHECK_EQ(2, info.nr_map_ids, "nr_map_ids = 2 after binding");
    close((int)other);
    close((int)again);
    close((int)prog);
    /* Linux frees a program (and drops its maps) after an RCU grace period: poll briefly. */
    long gone = 0;
    for (int i = 0; i < 100 && (gone = fd_by_id(BPF_MAP_GET_FD_BY_ID, map_id, 0)) >= 0; i++) {
        close((int)gone);
        usleep(10000);
    }
    CHECK_ERR(ENOENT, gone, "the map goes away with the program");
}

static void check_xdp_and_raw_tp(void)
{
    struct bpf_insn pass[] = { MOV64_IMM(0, XDP_PASS), EXIT_INSN() };
    long xdp = prog_load(BPF_PROG_TYPE_XDP, pass, 2);
    if (CHECK(xdp >= 0, "XDP \"return XDP_PASS\" loads")) {
        unsigned char packet[60], out[128];
        for (int i = 0; i < 60; i++)
            packet[i] = (unsigned char)i;
        memset(out, 0xee, sizeof out);
        union bpf_attr r;
        CHECK_EQ(0, test_run(xdp, packet, 60, out, sizeof out, 5, &r), "XDP test run, repeat 5");
        CHECK_EQ(XDP_PASS, r.test.retval, "retval XDP_PASS");
        CHECK_EQ(60, r.test.data_size_out, "data_size_out 60");
        CHECK(!memcmp(out, packet, 60) && out[60] == 0xee, "data_out is the packet, nothing written past it");
        memset(out, 0, sizeof out);
        CHECK_ERR(ENOSPC, test_run(xdp, packet, 60, out, 8, 1, &r), "data_size_out 8: ENOSPC");
        CHECK_EQ(60, r.test.data_size_out, "... with the full size reported");
        CHECK(out[7] == 7 && out[8] == 0, "... and the first 8 bytes copied");
        CHECK_ERR(EINVAL, test_run(xdp, packet, 13, NULL, 0, 1, &r), "a 13-byte frame: EINVAL");
        close((int)xdp);
    }
    /* XDP reading xdp_md->data/data_end (rewritten by the verifier to the runtime context's
     * pointers): swaps bytes 0 and 6 of the frame. */
    struct bpf_insn swap[] = {
        LDX_W(2, 1, 0), LDX_W(3, 1, 4),                     /* r2 = data, r3 = data_end */
        MOV64_REG(4, 2), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 12),
        INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 6, 0),        /* if data + 12 > data_end: out */
        INSN(BPF_LDX | BPF_MEM | BPF_B, 5, 2, 0, 0), INSN(BPF_LDX | BPF_MEM | BPF_B, 6, 2, 6, 0),
        INSN(BPF_STX | BPF_MEM | BPF_B, 2, 6, 0, 0), INSN(BPF_STX | BPF_MEM | BPF_B, 2, 5, 6, 0),
        MOV64_IMM(0, XDP_TX), EXIT_INSN(),
        MOV64_IMM(0, XDP_ABORTED), EXIT_INSN(),
    };
    long swapper = prog_load(BPF_PROG_TYPE_XDP, swap, sizeof swap / sizeof *swap);
    if (CHECK(swapper >= 0, "XDP program using ctx->data and ctx->data_end loads")) {
        unsigned char packet[20], out[32];
        for (int i = 0; i < 20; i++)
            packet[i] = (unsigned char)(i + 1);
        union bpf_attr r;
        CHECK_EQ(0, test_run(swapper, packet, 20, out, sizeof out, 1, &r), "test run");
        CHECK_EQ(XDP_TX, r.test.retval, "retval XDP_TX (the 20-byte frame is long enough)");
        CHECK(out[0] == 7 && out[6] == 1 && out[1] == 2, "bytes 0 and 6 swapped in data_out");
        close((int)swapper);
    }
    /* r0 = ctx[1] */
    struct bpf_insn second_arg[] = { LDX_DW(0, 1, 8), EXIT_INSN() };
    long rtp = prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, second_arg, 2);
    if (CHECK(rtp >= 0, "RAW_TRACEPOINT \"r0 = ctx[1]\" loads")) {
        __u64 args[3] = { 1, 42, 3 };
        union bpf_attr r;
        memset(&r, 0, sizeof r);
        r.test.prog_fd = (__u32)rtp;
        r.test.ctx_in = (__u64)(uintptr_t)args;
        r.test.ctx_size_in = sizeof args;
        CHECK_EQ(0, bpf_call(BPF_PROG_TEST_RUN, &r), "raw tracepoint test run with 3 arguments");
        CHECK_EQ(42, r.test.retval, "retval = the second argument");
        r.test.ctx_size_in = 8;
        CHECK_ERR(EINVAL, bpf_call(BPF_PROG_TEST_RUN, &r), "ctx_size_in 8, below what the program reads: EINVAL");
        r.test.ctx_size_in = sizeof args;
        r.test.repeat = 2;
        CHECK_ERR(EINVAL, bpf_call(BPF_PROG_TEST_RUN, &r), "repeat on a raw tracepoint run: EINVAL");
        union bpf_attr o;
        memset(&o, 0, sizeof o);
        o.raw_tracepoint.name = (__u64)(uintptr_t)"no_such_tracepoint_here";
        o.raw_tracepoint.prog_fd = (__u32)rtp;
        CHECK_ERR(ENOENT, bpf_call(BPF_RAW_TRACEPOINT_OPEN, &o), "RAW_TRACEPOINT_OPEN of an unknown tracepoint: ENOENT");
        close((int)rtp);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    check_load_attrs();
    check_program_object();
    check_maps_of_programs();
    check_xdp_and_raw_tp();
    return tap_done();
}
