/* perf_tracepoint: PERF_TYPE_TRACEPOINT events on syscalls/sys_enter_getpid (id from tracefs)
 * — counting this process's hits, RAW samples carrying the tracepoint record (common header,
 * __syscall_nr), TRACEPOINT programs attached with PERF_EVENT_IOC_SET_BPF and with
 * BPF_LINK_CREATE (bpf_get_attach_cookie, detach when the link goes, a 0 return that stops
 * the event from counting), Linux's attach errors (wrong program type, EEXIST for a second
 * program or the same program twice on one tracepoint, EACCES for a program reading past
 * the record), and PERF_EVENT_IOC_QUERY_BPF. */
#include "perf_common.h"

#include <sys/mount.h>

#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define MOV64_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define ADD64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm)
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define LDX_DW(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_DW, dst, src, off, 0)
#define STX_DW(dst, src, off) INSN(BPF_STX | BPF_MEM | BPF_DW, dst, src, off, 0)
#define ST_W(dst, off, imm) INSN(BPF_ST | BPF_MEM | BPF_W, dst, 0, off, imm)
#define ATOMIC_ADD_DW(dst, src, off) INSN(BPF_STX | BPF_ATOMIC | BPF_DW, dst, src, off, BPF_ADD)
#define JEQ_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define LD_MAP_FD(dst, fd) INSN(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)

static char log_buf[65536];

/* out[0] += 1; out[1] = ctx->__syscall_nr; out[2] = bpf_get_attach_cookie(ctx); return ret. */
static long counting_program(long out, int ret)
{
    struct bpf_insn insns[] = {
        MOV64_REG(6, 1),
        CALL(BPF_FUNC_get_attach_cookie),
        MOV64_REG(8, 0),
        LDX_W(7, 6, 8),
        ST_W(10, -4, 0),
        LD_MAP_FD(1, (int)out),
        MOV64_REG(2, 10),
        ADD64_IMM(2, -4),
        CALL(BPF_FUNC_map_lookup_elem),
        JEQ_IMM(0, 0, 4),
        MOV64_IMM(1, 1),
        ATOMIC_ADD_DW(0, 1, 0),
        STX_DW(0, 7, 8),
        STX_DW(0, 8, 16),
        MOV64_IMM(0, ret),
        EXIT_INSN(),
    };
    long fd = prog_load_log(BPF_PROG_TYPE_TRACEPOINT, insns, sizeof insns / sizeof insns[0], "GPL", log_buf, sizeof log_buf);
    if (fd < 0)
        DIAG("load: %s", log_buf);
    return fd;
}

/* Reads 8 bytes at ctx + offset (far past a getpid record). */
static long far_reader(int offset)
{
    struct bpf_insn insns[] = { LDX_DW(0, 1, offset), MOV64_IMM(0, 0), EXIT_INSN() };
    return prog_load(BPF_PROG_TYPE_TRACEPOINT, insns, 3);
}

struct counters {
    __u64 hits, nr, cookie;
};

static struct counters counters_of(long out)
{
    struct counters c = { 0 };
    __u32 zero = 0;
    map_lookup(out, &zero, &c);
    return c;
}

static void reset_counters(long out)
{
    struct counters c = { 0 };
    __u32 zero = 0;
    map_update(out, &zero, &c, BPF_ANY);
}

static void getpids(int n)
{
    for (int i = 0; i < n; i++)
        SYS0(SYS_getpid);
}

static long open_tracepoint(__u64 id, __u64 sample_type, __u64 period)
{
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_TRACEPOINT, id);
    attr.sample_type = sample_type;
    attr.sample_period = period;
    return perf_open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static __u64 count_of(long fd)
{
    __u64 value = ~0ULL;
    read((int)fd, &value, sizeof value);
    return value;
}

static void check_counting_and_samples(__u64 id)
{
    long fd = open_tracepoint(id, 0, 0);
    CHECK_SYS_OK(fd, "a counting tracepoint event for this process");
    getpids(100);
    CHECK_EQ(100, count_of(fd), "100 getpid calls count 100 hits");
    perf_ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
    getpids(10);
    CHECK_EQ(100, count_of(fd), "a disabled event does not count");
    close((int)fd);

    __u32 me = (__u32)getpid(); /* before sampling: every getpid is a sample */
    fd = open_tracepoint(id, PERF_SAMPLE_RAW | PERF_SAMPLE_TID, 1);
    CHECK_SYS_OK(fd, "a sampling tracepoint event (RAW | TID, period 1)");
    struct perf_ring ring = { 0 };
    if (!CHECK_SYS_OK(perf_map(fd, 4, PROT_READ | PROT_WRITE, &ring), "mmap 4 data pages"))
        return;
    getpids(5);
    unsigned char rec[256];
    int samples = 0, good = 0;
    unsigned n;
    while ((n = perf_next_record(&ring, rec, sizeof rec))) {
        struct perf_event_header *h = (void *)rec;
        __u32 pid, tid, raw_size;
        memcpy(&pid, rec + 8, 4);
        memcpy(&tid, rec + 12, 4);
        memcpy(&raw_size, rec + 16, 4);
        unsigned char *raw = rec + 20;
        __u16 common_type;
        __s32 common_pid, syscall_nr;
        memcpy(&common_type, raw, 2);
        memcpy(&common_pid, raw + 4, 4);
        memcpy(&syscall_nr, raw + 8, 4);
        samples++;
        if (h->type == PERF_RECORD_SAMPLE && pid == me && raw_size >= 12 && (4 + raw_size) % 8 == 0
            && n == 8 + 8 + 4 + raw_size && common_type == id && common_pid > 0 && syscall_nr == SYS_getpid)
            good++;
        else
            DIAG("record: type %u size %u pid %u raw %u common_type %u common_pid %d nr %d", h->type, n, pid, raw_size,
                 common_type, common_pid, syscall_nr);
    }
    CHECK_EQ(5, samples, "5 getpid calls make 5 samples");
    /* common_pid is the pid outside any pid namespace (as in Linux), so it is only checked
     * for being set; the sample's TID field is this process as it sees itself. */
    CHECK_EQ(5, good, "each carries the record: common_type = id, common_pid, __syscall_nr = getpid");
    perf_unmap(&ring);
    close((int)fd);
}

static void check_programs(__u64 id)
{
    long out = map_create(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct counters), 1, 0);
    long prog = counting_program(out, 1);
    CHECK_SYS_OK(prog, "load a TRACEPOINT program reading __syscall_nr");
    long fd = open_tracepoint(id, 0, 0);
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog), "PERF_EVENT_IOC_SET_BPF");
    CHECK_ERR(EEXIST, perf_ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog), "a second SET_BPF is EEXIST");
    reset_counters(out);
    getpids(10);
    struct counters c = counters_of(out);
    CHECK(c.hits >= 10, "the program ran on every getpid (%llu)", (unsigned long long)c.hits);
    CHECK_EQ(SYS_getpid, c.nr, "and read __syscall_nr from the record");
    CHECK_EQ(0, c.cookie, "SET_BPF has no cookie");
    CHECK(count_of(fd) >= 10, "a program returning 1 lets the event count");

    struct {
        __u32 ids_len, prog_cnt, ids[4];
    } query = { 4, 0, { 0 } };
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_QUERY_BPF, (unsigned long)&query), "PERF_EVENT_IOC_QUERY_BPF");
    struct bpf_prog_info info;
    __u32 info_len = sizeof info;
    memset(&info, 0, sizeof info);
    obj_info(prog, &info, &info_len);
    CHECK(query.prog_cnt == 1 && query.ids[0] == info.id, "it lists the program (%u programs, id %u)", query.prog_cnt, query.ids[0]);
    query.ids_len = 0;
    query.prog_cnt = 0;
    CHECK_SYS_OK(perf_ioctl(fd, PERF_EVENT_IOC_QUERY_BPF, (unsigned long)&query), "QUERY_BPF with ids_len 0");
    CHECK_EQ(1, query.prog_cnt, "reports the count only");
    CHECK_ERR(EFAULT, perf_ioctl(fd, PERF_EVENT_IOC_QUERY_BPF, 8), "QUERY_BPF with a bad pointer is EFAULT");

    long second = open_tracepoint(id, 0, 0);
    CHECK_ERR(EEXIST, perf_ioctl(second, PERF_EVENT_IOC_SET_BPF, prog), "the same program twice on one tracepoint is EEXIST");
    long filter = prog_load(BPF_PROG_TYPE_SOCKET_FILTER, (struct bpf_insn[]){ MOV64_IMM(0, 0), EXIT_INSN() }, 2);
    CHECK_ERR(EINVAL, perf_ioctl(second, PERF_EVENT_IOC_SET_BPF, filter), "a socket filter program is EINVAL");
    long kprobe = prog_load(BPF_PROG_TYPE_KPROBE, (struct bpf_insn[]){ MOV64_IMM(0, 0), EXIT_INSN() }, 2);
    CHECK_ERR(EINVAL, perf_ioctl(second, PERF_EVENT_IOC_SET_BPF, kprobe), "a kprobe program on a tracepoint is EINVAL");
    long far = far_reader(512);
    CHECK_SYS_OK(far, "a TRACEPOINT program reading ctx + 512 loads");
    CHECK_ERR(EACCES, perf_ioctl(second, PERF_EVENT_IOC_SET_BPF, far), "attaching it to a 12-byte record is EACCES");
    close((int)fd); /* the last reference: the program is detached */
    reset_counters(out);
    getpids(10);
    CHECK_EQ(0, counters_of(out).hits, "closing the event detaches the program");

    /* Links: the cookie, a 0 return, detach on the last link reference. */
    long zero_prog = counting_program(out, 0);
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.link_create.prog_fd = (__u32)zero_prog;
    a.link_create.target_fd = (__u32)second;
    a.link_create.attach_type = BPF_PERF_EVENT;
    a.link_create.perf_event.bpf_cookie = 0x1234567890ULL;
    long link = bpf_call(BPF_LINK_CREATE, &a);
    CHECK_SYS_OK(link, "BPF_LINK_CREATE(BPF_PERF_EVENT) with a cookie");
    CHECK_ERR(EEXIST, perf_ioctl(second, PERF_EVENT_IOC_SET_BPF, prog), "SET_BPF on a linked event is EEXIST");
    reset_counters(out);
    __u64 before = count_of(second);
    getpids(10);
    c = counters_of(out);
    CHECK(c.hits >= 10, "the linked program runs (%llu)", (unsigned long long)c.hits);
    CHECK_EQ(0x1234567890LL, (long)c.cookie, "bpf_get_attach_cookie returns the link's cookie");
    CHECK_EQ(before, count_of(second), "a program returning 0 keeps the event from counting");
    a.link_create.target_fd = (__u32)out;
    CHECK_ERR(EBADF, bpf_call(BPF_LINK_CREATE, &a), "a link to a non-perf fd is EBADF");
    struct bpf_link_info link_info;
    __u32 link_len = sizeof link_info;
    memset(&link_info, 0, sizeof link_info);
    CHECK_SYS_OK(obj_info(link, &link_info, &link_len), "link info");
    CHECK_EQ(BPF_LINK_TYPE_PERF_EVENT, link_info.type, "BPF_LINK_TYPE_PERF_EVENT");
    close((int)link);
    reset_counters(out);
    getpids(10);
    CHECK_EQ(0, counters_of(out).hits, "the last link reference detaches the program");
    CHECK_SYS_OK(perf_ioctl(second, PERF_EVENT_IOC_SET_BPF, prog), "the event takes a program again");
    close((int)second);
    close((int)far);
    close((int)kprobe);
    close((int)filter);
    close((int)zero_prog);
    close((int)prog);
    close((int)out);
}

int main(void)
{
    char text[32];
    const char *id_file = "/sys/kernel/tracing/events/syscalls/sys_enter_getpid/id";
    /* A bind-mounted /sys (the host runner's guest-like root) lacks tracefs: mount it there. */
    if (read_small_file(id_file, text, sizeof text) <= 0)
        mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
    if (read_small_file(id_file, text, sizeof text) <= 0) {
        tap_skip("no tracefs event syscalls/sys_enter_getpid", "tracepoint events");
        return tap_done();
    }
    __u64 id = (__u64)atoi(text);
    check_counting_and_samples(id);
    check_programs(id);
    return tap_done();
}
