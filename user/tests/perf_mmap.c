/* perf_mmap: the perf ring buffer — mmap rules (user page plus 2^n data pages, offset 0,
 * MAP_SHARED, one size per event), the header page, PERF_RECORD_SAMPLE records written by a
 * BPF program with bpf_perf_event_output(BPF_F_CURRENT_CPU) through a PERF_EVENT_ARRAY
 * (record layout and RAW padding exactly as Linux), poll readiness (one report per wake-up),
 * a full ring (the helper's -ENOSPC, then a PERF_RECORD_LOST before the next record, the
 * lost count in read()), PAUSE_OUTPUT, disabled and unmapped events, and
 * bpf_perf_event_read_value on per-CPU clocks, and entries removed when the map fd they were
 * stored through is closed (kept with BPF_F_PRESERVE_ELEMS). The programs are RAW_TRACEPOINT
 * programs run with BPF_PROG_TEST_RUN. */
#include "perf_common.h"

#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define MOV64_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV32_IMM(dst, imm) INSN(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define ADD64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm)
#define ST_DW(dst, off, imm) INSN(BPF_ST | BPF_MEM | BPF_DW, dst, 0, off, imm)
#define LD_MAP_FD(dst, fd) INSN(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)

#define MAX_CPUS 64

static int cpus;
static long events[MAX_CPUS];
static struct perf_ring rings[MAX_CPUS];

/* bpf_perf_event_output(ctx, map, BPF_F_CURRENT_CPU, fp - 32, size); returns its r0. */
static long output_program(long map, int size)
{
    struct bpf_insn insns[] = {
        MOV64_REG(6, 1),
        ST_DW(10, -32, 0x04030201),
        ST_DW(10, -24, 0x08070605),
        ST_DW(10, -16, 0x0c0b0a09),
        ST_DW(10, -8, 0x100f0e0d),
        MOV64_REG(1, 6),
        LD_MAP_FD(2, (int)map),
        MOV32_IMM(3, -1), /* BPF_F_CURRENT_CPU: 0xffffffff */
        MOV64_REG(4, 10),
        ADD64_IMM(4, -32),
        MOV64_IMM(5, size),
        CALL(BPF_FUNC_perf_event_output),
        EXIT_INSN(),
    };
    return prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, sizeof insns / sizeof insns[0]);
}

/* bpf_perf_event_read_value(map, BPF_F_CURRENT_CPU, fp - 24, 24) stored in out[0]; returns r0. */
static long read_value_program(long map, long out)
{
    struct bpf_insn insns[] = {
        MOV64_REG(1, 1),
        LD_MAP_FD(1, (int)map),
        MOV32_IMM(2, -1),
        MOV64_REG(3, 10),
        ADD64_IMM(3, -24),
        MOV64_IMM(4, 24),
        CALL(BPF_FUNC_perf_event_read_value),
        MOV64_REG(7, 0),
        ST_DW(10, -32, 0),
        LD_MAP_FD(1, (int)out),
        MOV64_REG(2, 10),
        ADD64_IMM(2, -32),
        MOV64_REG(3, 10),
        ADD64_IMM(3, -24),
        MOV64_IMM(4, 0),
        CALL(BPF_FUNC_map_update_elem),
        MOV64_REG(0, 7),
        EXIT_INSN(),
    };
    return prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, sizeof insns / sizeof insns[0]);
}

static long run(long prog)
{
    __u64 args[1] = { 0 };
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.test.prog_fd = (__u32)prog;
    a.test.ctx_in = (__u64)(uintptr_t)args;
    a.test.ctx_size_in = sizeof args;
    long ret = bpf_call(BPF_PROG_TEST_RUN, &a);
    return ret < 0 ? ret : (long)(int)a.test.retval;
}

/* The record the last run produced, from whichever CPU's ring has one. */
static unsigned take_record(void *buf, size_t size, int *cpu_out)
{
    for (int i = 0; i < cpus; i++) {
        unsigned n = perf_next_record(&rings[i], buf, size);
        if (n) {
            if (cpu_out)
                *cpu_out = i;
            return n;
        }
    }
    return 0;
}

static long open_output_event(int cpu, __u64 sample_type, int disabled)
{
    struct perf_event_attr attr;
    perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_BPF_OUTPUT);
    attr.sample_type = sample_type;
    attr.sample_period = 1;
    attr.wakeup_events = 1;
    attr.disabled = disabled;
    attr.read_format = PERF_FORMAT_LOST;
    return perf_open(&attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void check_mmap_rules(void)
{
    long fd = open_output_event(0, PERF_SAMPLE_RAW, 0);
    void *p;
    p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
    CHECK(p == MAP_FAILED && errno == EINVAL, "3 data pages (not a power of two) is EINVAL");
    p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 4096);
    CHECK(p == MAP_FAILED && errno == EINVAL, "a non-zero offset is EINVAL");
    p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, (int)fd, 0);
    CHECK(p == MAP_FAILED && errno == EINVAL, "MAP_PRIVATE is EINVAL");
    struct perf_ring ring, again;
    CHECK_SYS_OK(perf_map(fd, 2, PROT_READ | PROT_WRITE, &ring), "user page + 2 data pages");
    struct perf_event_mmap_page *page = ring.page;
    CHECK_EQ(0, page->version, "version 0");
    CHECK_EQ(0, page->compat_version, "compat_version 0");
    CHECK_EQ(4096, page->data_offset, "data_offset is one page");
    CHECK_EQ(2 * 4096, page->data_size, "data_size is the data pages");
    CHECK_EQ(0, page->data_head, "data_head starts at 0");
    CHECK_EQ(0, page->data_tail, "data_tail starts at 0");
    CHECK_EQ(1, page->cap_bit0_is_deprecated, "cap_bit0_is_deprecated");
    CHECK_EQ(0, page->cap_user_rdpmc, "no rdpmc for software events");
    CHECK_EQ(0, page->index, "index 0 (no hardware counter)");
    CHECK_EQ(96, page->size, "size is offsetof(__reserved)");
    CHECK_ERR(EINVAL, perf_map(fd, 4, PROT_READ | PROT_WRITE, &again), "a second mapping of another size is EINVAL");
    CHECK_SYS_OK(perf_map(fd, 2, PROT_READ, &again), "a second mapping of the same size");
    page->data_tail = 4242;
    CHECK_EQ(4242, again.page->data_tail, "both mappings share the user page");
    page->data_tail = 0;
    perf_unmap(&again);
    perf_unmap(&ring);
    CHECK_SYS_OK(perf_map(fd, 0, PROT_READ, &ring), "the user page alone (no data pages)");
    perf_unmap(&ring);
    close((int)fd);
}

static void check_output(long map)
{
    long prog24 = output_program(map, 24);
    CHECK_SYS_OK(prog24, "load a program writing 24 bytes with bpf_perf_event_output");
    CHECK_EQ(0, run(prog24), "bpf_perf_event_output returns 0");
    unsigned char rec[256];
    int cpu = -1;
    unsigned n = take_record(rec, sizeof rec, &cpu);
    CHECK_EQ(40, n, "one 40-byte record: header, u32 size, 24 bytes, 4 bytes of padding");
    struct perf_event_header *h = (void *)rec;
    CHECK_EQ(PERF_RECORD_SAMPLE, h->type, "PERF_RECORD_SAMPLE");
    CHECK_EQ(PERF_RECORD_MISC_KERNEL, h->misc, "misc: kernel (the program ran in the kernel)");
    __u32 raw_size;
    memcpy(&raw_size, rec + 8, 4);
    CHECK_EQ(28, raw_size, "the raw size counts the padding (24 -> 28)");
    static const unsigned char expected[24] = { 1, 2, 3, 4, 0, 0, 0, 0, 5, 6, 7, 8, 0, 0, 0, 0, 9, 10, 11, 12, 0, 0, 0, 0 };
    CHECK(memcmp(rec + 12, expected, 24) == 0, "the raw data follows");
    CHECK(rec[36] == 0 && rec[37] == 0 && rec[38] == 0 && rec[39] == 0, "the padding is zero");
    CHECK_EQ(0, take_record(rec, sizeof rec, NULL), "nothing else was written");

    long prog5 = output_program(map, 5);
    CHECK_EQ(0, run(prog5), "5 bytes");
    n = take_record(rec, sizeof rec, NULL);
    memcpy(&raw_size, rec + 8, 4);
    CHECK(n == 24 && raw_size == 12, "5 bytes make a 24-byte record with raw size 12 (%u, %u)", n, raw_size);
    close((int)prog5);

    /* Readiness: POLLIN once per wake-up (wakeup_events 1), consumed by poll. */
    struct pollfd pfd[MAX_CPUS];
    for (int i = 0; i < cpus; i++)
        pfd[i] = (struct pollfd){ .fd = (int)events[i], .events = POLLIN };
    poll(pfd, cpus, 0); /* takes the wake-ups of the records above */
    CHECK_EQ(0, poll(pfd, cpus, 0), "no event is readable without a new sample");
    run(prog24);
    CHECK_EQ(1, poll(pfd, cpus, 0), "one event is readable after a sample");
    int ready = -1;
    for (int i = 0; i < cpus; i++)
        if (pfd[i].revents)
            ready = i;
    CHECK(ready >= 0 && pfd[ready].revents == POLLIN, "POLLIN on the CPU's event");
    CHECK_EQ(0, poll(pfd, cpus, 0), "the wake-up was reported once (perf_poll takes it)");
    take_record(rec, sizeof rec, NULL);
    close((int)prog24);
}

static void check_full_ring(long map)
{
    long prog = output_program(map, 24);
    int written = 0;
    long ret = 0;
    while (written < 1000 && (ret = run(prog)) == 0)
        written++;
    CHECK_EQ(-ENOSPC, ret, "a full ring makes the helper return -ENOSPC");
    CHECK_EQ(204, written, "204 records of 40 bytes fit in 8192 bytes (one byte always stays free)");
    run(prog);
    int cpu = -1;
    unsigned char rec[256];
    int consumed = 0;
    while (take_record(rec, sizeof rec, &cpu))
        consumed++;
    CHECK_EQ(written, consumed, "every record that fit is intact");
    __u64 counts[2] = { 0, 0 };
    CHECK(read((int)events[cpu], counts, sizeof counts) == sizeof counts && counts[1] == 2,
          "read() with PERF_FORMAT_LOST says 2 (%llu)", (unsigned long long)counts[1]);
    CHECK_EQ(0, run(prog), "with room again the helper succeeds");
    unsigned n = take_record(rec, sizeof rec, NULL);
    struct perf_event_header *h = (void *)rec;
    __u64 lost_record[2];
    memcpy(lost_record, rec + 8, sizeof lost_record);
    __u64 id = 0;
    perf_ioctl(events[cpu], PERF_EVENT_IOC_ID, (unsigned long)&id);
    CHECK(n == 24 && h->type == PERF_RECORD_LOST, "a 24-byte PERF_RECORD_LOST comes first (%u, type %u)", n, h->type);
    CHECK(lost_record[0] == id && lost_record[1] == 2, "it names the event and 2 lost records (%llu, %llu)",
          (unsigned long long)lost_record[0], (unsigned long long)lost_record[1]);
    n = take_record(rec, sizeof rec, NULL);
    CHECK(n == 40 && h->type == PERF_RECORD_SAMPLE, "then the sample");

    for (int i = 0; i < cpus; i++)
        perf_ioctl(events[i], PERF_EVENT_IOC_PAUSE_OUTPUT, 1);
    CHECK_EQ(-ENOSPC, run(prog), "while output is paused the helper returns -ENOSPC");
    CHECK_EQ(0, take_record(rec, sizeof rec, NULL), "and nothing is written");
    for (int i = 0; i < cpus; i++)
        perf_ioctl(events[i], PERF_EVENT_IOC_PAUSE_OUTPUT, 0);
    CHECK_EQ(0, run(prog), "resumed");
    n = take_record(rec, sizeof rec, NULL);
    CHECK(n == 24 && h->type == PERF_RECORD_LOST, "the paused record is reported lost");
    take_record(rec, sizeof rec, NULL);

    for (int i = 0; i < cpus; i++)
        perf_ioctl(events[i], PERF_EVENT_IOC_DISABLE, 0);
    CHECK_EQ(-EOPNOTSUPP, run(prog), "a disabled event is not on the CPU: -EOPNOTSUPP");
    for (int i = 0; i < cpus; i++)
        perf_ioctl(events[i], PERF_EVENT_IOC_ENABLE, 0);
    close((int)prog);
}

static void check_slots(long map)
{
    long prog = output_program(map, 24);
    long clock = perf_open_sw(PERF_COUNT_SW_TASK_CLOCK, 0);
    for (__u32 i = 0; i < (__u32)cpus; i++)
        map_update(map, &i, &clock, BPF_ANY);
    CHECK_EQ(-EINVAL, run(prog), "output into a slot holding a task clock is -EINVAL");
    __u32 zero = 0;
    long not_perf = map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
    CHECK_ERR(EBADF, map_update(map, &zero, &not_perf, BPF_ANY), "a non-perf fd in a PERF_EVENT_ARRAY is EBADF");
    for (__u32 i = 0; i < (__u32)cpus; i++)
        bpf_call(BPF_MAP_DELETE_ELEM, &(union bpf_attr){ .map_fd = (__u32)map, .key = (__u64)(uintptr_t)&i });
    CHECK_EQ(-ENOENT, run(prog), "an empty slot is -ENOENT");

    /* An event without a ring. */
    long bare[MAX_CPUS];
    for (__u32 i = 0; i < (__u32)cpus; i++) {
        bare[i] = open_output_event((int)i, PERF_SAMPLE_RAW, 0);
        map_update(map, &i, &bare[i], BPF_ANY);
    }
    CHECK_EQ(-ENOSPC, run(prog), "an event without a ring is -ENOSPC");
    struct pollfd pfd = { .fd = (int)bare[0], .events = POLLIN };
    CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLHUP, "an event without a ring polls POLLHUP");

    /* bpf_perf_event_read_value on per-CPU clocks. */
    long out = map_create(BPF_MAP_TYPE_ARRAY, 4, 24, 1, 0);
    long reader = read_value_program(map, out);
    CHECK_SYS_OK(reader, "load a bpf_perf_event_read_value program");
    long clocks[MAX_CPUS];
    for (__u32 i = 0; i < (__u32)cpus; i++) {
        struct perf_event_attr attr;
        perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
        clocks[i] = perf_open(&attr, -1, (int)i, -1, PERF_FLAG_FD_CLOEXEC);
        map_update(map, &i, &clocks[i], BPF_ANY);
    }
    usleep(20000);
    CHECK_EQ(0, run(reader), "bpf_perf_event_read_value returns 0");
    struct bpf_perf_event_value value;
    map_lookup(out, &zero, &value);
    CHECK(value.counter >= 10000000, "the CPU clock has counted at least 10 ms (%llu ns)", (unsigned long long)value.counter);
    CHECK(value.enabled >= value.counter / 2 && value.running == value.enabled, "enabled == running (%llu, %llu)",
          (unsigned long long)value.enabled, (unsigned long long)value.running);
    for (int i = 0; i < cpus; i++) {
        close((int)clocks[i]);
        close((int)bare[i]);
    }
    close((int)reader);
    close((int)out);
    close((int)not_perf);
    close((int)clock);
    close((int)prog);
}

static long map_fd_by_id(__u32 id)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_id = id;
    return bpf_call(BPF_MAP_GET_FD_BY_ID, &a);
}

static void drain_rings(void)
{
    char buf[256];
    while (take_record(buf, sizeof buf, NULL))
        ;
}

/* Entries remember the map file they were stored through: its last close removes them
 * (perf_event_fd_array_release), unless the map has BPF_F_PRESERVE_ELEMS. */
static void check_release(__u32 flags, const char *name)
{
    long map = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, (__u32)cpus, flags);
    long prog = output_program(map, 8);
    long second = map_fd_by_id(map_id_of(map));
    CHECK(map >= 0 && prog >= 0 && second >= 0, "%s: map, program and a second map fd from BPF_MAP_GET_FD_BY_ID", name);
    int ok = 1;
    for (__u32 i = 0; i < (__u32)cpus; i++)
        ok &= map_update(second, &i, &events[i], BPF_ANY) == 0;
    CHECK(ok, "%s: events stored through the second fd", name);
    CHECK_EQ(0, run(prog), "%s: output before the second fd is closed", name);
    close((int)second);
    CHECK_EQ(flags & BPF_F_PRESERVE_ELEMS ? 0 : -ENOENT, run(prog), "%s: output after closing the fd the events were stored through", name);
    for (__u32 i = 0; i < (__u32)cpus; i++)
        map_update(map, &i, &events[i], BPF_ANY);
    long third = map_fd_by_id(map_id_of(map));
    close((int)third);
    CHECK_EQ(0, run(prog), "%s: closing another fd keeps entries stored through the first", name);
    close((int)map);
    CHECK_EQ(flags & BPF_F_PRESERVE_ELEMS ? 0 : -ENOENT, run(prog), "%s: output after closing the creating fd (the program keeps the map)", name);
    close((int)prog);
    drain_rings();
}

int main(void)
{
    cpus = perf_online_cpus();
    if (cpus > MAX_CPUS)
        cpus = MAX_CPUS;
    check_mmap_rules();

    long map = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, (__u32)cpus, 0);
    CHECK_SYS_OK(map, "PERF_EVENT_ARRAY with one slot per CPU");
    int ok = 1;
    for (__u32 i = 0; i < (__u32)cpus; i++) {
        events[i] = open_output_event((int)i, PERF_SAMPLE_RAW, 1);
        ok &= events[i] >= 0 && perf_map(events[i], 2, PROT_READ | PROT_WRITE, &rings[i]) == 0
            && perf_ioctl(events[i], PERF_EVENT_IOC_ENABLE, 0) == 0 && map_update(map, &i, &events[i], BPF_ANY) == 0;
    }
    CHECK(ok, "per-CPU BPF output events: open, mmap, ENABLE, MAP_UPDATE_ELEM (as perf_buffer__new does)");
    check_output(map);
    check_full_ring(map);
    check_slots(map);
    drain_rings();
    check_release(0, "PERF_EVENT_ARRAY");
    check_release(BPF_F_PRESERVE_ELEMS, "BPF_F_PRESERVE_ELEMS");
    return tap_done();
}
