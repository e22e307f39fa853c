/* kprobes: /proc/kallsyms (Linux's format, sorted, the Linux-named functions), kprobes and
 * kretprobes through the kprobe PMU (perf_event_open with the function name in config1) and
 * through <tracefs>/kprobe_events + PERF_TYPE_TRACEPOINT, each running a raw KPROBE program
 * that counts this process's hits and records pt_regs fields (ip, ax), and the errors Linux
 * gives: unknown function ENOENT, off an instruction boundary EILSEQ, blacklisted EINVAL,
 * duplicate event EEXIST, removing an event in use EBUSY; and probes on every instruction of a
 * function's prologue, whose snapshots show that the emulated push, mov, add and sub leave the
 * registers, stack and flags the CPU would. */
#include "perf_common.h"

#include <asm/ptrace.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>

#define TRACEFS "/sys/kernel/tracing"

static char kallsyms[1 << 18];

static int write_events(const char *text)
{
    int fd = open(TRACEFS "/kprobe_events", O_WRONLY | O_APPEND);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int err = n < 0 ? -errno : 0;
    close(fd);
    return err;
}

static unsigned long long symbol_address(const char *name, char *type)
{
    char *p = kallsyms;
    while (*p) {
        unsigned long long address;
        char t, sym[500];
        if (sscanf(p, "%llx %c %499s", &address, &t, sym) == 3 && strcmp(sym, name) == 0) {
            if (type)
                *type = t;
            return address;
        }
        p = strchr(p, '\n');
        if (!p)
            break;
        ++p;
    }
    return 0;
}

/* The program: if (pid_tgid >> 32 == tgid) { v = map[0]; v->hits++; v->ip = ctx->ip; v->ax = ctx->ax; } */
struct results {
    __u64 hits, ip, ax;
};

static long load_counter(long map_fd, __u32 tgid)
{
    struct bpf_insn insns[] = {
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_pid_tgid),
        INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_0, 0, 0, 32),
        INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 13, (__s32)tgid),
        INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0),
        INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, (__s32)map_fd),
        INSN(0, 0, 0, 0, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
        INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
        INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 6, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1),
        INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD),
        INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_1, BPF_REG_6, offsetof(struct pt_regs, rip), 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_1, 8, 0),
        INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_1, BPF_REG_6, offsetof(struct pt_regs, rax), 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_1, 16, 0),
        MOV64_IMM(BPF_REG_0, 0),
        EXIT_INSN(),
    };
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_KPROBE;
    a.insns = (__u64)(uintptr_t)insns;
    a.insn_cnt = sizeof insns / sizeof insns[0];
    a.license = (__u64)(uintptr_t)"GPL";
    return bpf_call(BPF_PROG_LOAD, &a);
}

static struct results read_results(long map_fd)
{
    struct results r;
    __u32 zero = 0;
    memset(&r, 0xff, sizeof r);
    map_lookup(map_fd, &zero, &r);
    return r;
}

static void reset_results(long map_fd)
{
    struct results r = { 0, 0, 0 };
    __u32 zero = 0;
    map_update(map_fd, &zero, &r, BPF_ANY);
}

static long open_kprobe(int type, int retprobe, const char *name, __u64 offset)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = (__u32)type;
    attr.config = retprobe ? 1 : 0;
    attr.config1 = (__u64)(uintptr_t)name;
    attr.config2 = offset;
    return perf_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}

static int attach(long perf_fd, long prog_fd)
{
    if (ioctl((int)perf_fd, PERF_EVENT_IOC_SET_BPF, (int)prog_fd) < 0)
        return -errno;
    if (ioctl((int)perf_fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
        return -errno;
    return 0;
}

static void test_kallsyms(void)
{
    long size = read_small_file("/proc/kallsyms", kallsyms, sizeof kallsyms);
    CHECK(size > 0 && size < (long)sizeof kallsyms - 1, "/proc/kallsyms is readable in full (%ld bytes)", size);
    unsigned lines = 0, bad = 0, unsorted = 0, zero = 0;
    unsigned long long last = 0;
    for (char *p = kallsyms; *p;) {
        unsigned long long address;
        char type, sym[500];
        int n = sscanf(p, "%llx %c %499s", &address, &type, sym);
        if (n != 3 || !strchr("TtDdBbRrWV", type) || p[16] != ' ' || p[18] != ' ')
            ++bad;
        if (address < last)
            ++unsorted;
        if (address == 0)
            ++zero;
        last = address;
        ++lines;
        p = strchr(p, '\n');
        if (!p)
            break;
        ++p;
    }
    CHECK(lines > 1000, "kallsyms lists the kernel's symbols (%u lines)", lines);
    CHECK_EQ(0, bad, "every line is \"%%016lx %%c %%s\" with a kallsyms type letter");
    CHECK_EQ(0, unsorted, "lines are sorted by address");
    CHECK_EQ(0, zero, "root sees the addresses");
    static const char *linux_names[] = { "do_sys_openat2", "vfs_read", "vfs_write", "do_unlinkat", "do_exit",
        "schedule", "wake_up_process", "__x64_sys_getpid", "__x64_sys_openat", "__x64_sys_bpf" };
    for (unsigned i = 0; i < sizeof linux_names / sizeof linux_names[0]; i++) {
        char type = 0;
        unsigned long long address = symbol_address(linux_names[i], &type);
        CHECK(address >= 0xffffffff80000000ULL && type == 'T', "%s is a global kernel function (%llx %c)", linux_names[i],
              address, type ? type : '?');
    }
}

static void test_pmu(long map_fd, long prog_fd)
{
    int type = perf_pmu_type("kprobe");
    CHECK(type >= 6, "the kprobe PMU has a dynamic type (%d)", type);
    char format[64] = "";
    read_small_file("/sys/bus/event_source/devices/kprobe/format/retprobe", format, sizeof format);
    CHECK(strcmp(format, "config:0\n") == 0, "format/retprobe is config:0");

    unsigned long long getpid_address = symbol_address("__x64_sys_getpid", NULL);
    reset_results(map_fd);
    long fd = open_kprobe(type, 0, "__x64_sys_getpid", 0);
    CHECK(fd >= 0, "kprobe PMU event on __x64_sys_getpid (%s)", fd < 0 ? strerror((int)-fd) : "ok");
    if (fd >= 0) {
        CHECK_EQ(0, attach(fd, prog_fd), "attach the KPROBE program and enable");
        for (int i = 0; i < 5; i++)
            syscall(SYS_getpid);
        struct results r = read_results(map_fd);
        CHECK_EQ(5, r.hits, "the program ran for 5 getpid calls of this process");
        CHECK_EQ(getpid_address + 1, r.ip, "ctx->ip is the probe address + 1 (Linux's int3 convention)");
        close((int)fd);
        syscall(SYS_getpid);
        CHECK_EQ(5, read_results(map_fd).hits, "closing the event removes the probe");
    }

    reset_results(map_fd);
    fd = open_kprobe(type, 1, "__x64_sys_getpid", 0);
    CHECK(fd >= 0, "kretprobe PMU event on __x64_sys_getpid");
    if (fd >= 0) {
        CHECK_EQ(0, attach(fd, prog_fd), "attach to the kretprobe");
        for (int i = 0; i < 3; i++)
            syscall(SYS_getpid);
        struct results r = read_results(map_fd);
        CHECK_EQ(3, r.hits, "the return program ran for 3 calls");
        CHECK_EQ((__u64)getpid(), r.ax, "ctx->ax is getpid's return value");
        CHECK(r.ip >= 0xffffffff80000000ULL && r.ip != getpid_address, "ctx->ip is the return address in the caller");
        close((int)fd);
    }

    /* Recursion: a kretprobe on a function called inside the kprobe path of a nested syscall. */
    reset_results(map_fd);
    long outer = open_kprobe(type, 1, "vfs_read", 0);
    CHECK(outer >= 0, "kretprobe on vfs_read");
    if (outer >= 0) {
        CHECK_EQ(0, attach(outer, prog_fd), "attach to it");
        char buf[8];
        int devzero = open("/dev/zero", O_RDONLY);
        long n = read(devzero, buf, sizeof buf);
        close(devzero);
        struct results r = read_results(map_fd);
        CHECK(r.hits >= 1 && (long)r.ax == n, "vfs_read's return value %ld seen (%lld, %llu hits)", n, (long long)r.ax,
              (unsigned long long)r.hits);
        close((int)outer);
    }

    CHECK_ERR(ENOENT, open_kprobe(type, 0, "no_such_kernel_function", 0), "an unknown function is ENOENT");
    CHECK_ERR(ENOENT, open_kprobe(type, 0, "_ZN9Scheduler8scheduleEv", 0), "a mangled C++ name is not a probe target (ENOENT)");
    CHECK_ERR(EILSEQ, open_kprobe(type, 0, "vfs_read", 2), "an offset inside an instruction is EILSEQ");
    CHECK_ERR(EINVAL, open_kprobe(type, 0, "kprobe_breakpoint_handler", 0), "a blacklisted function is EINVAL");
    CHECK_ERR(EINVAL, open_kprobe(type, 0, "interrupt_dispatch", 0), "the exception path is blacklisted");
    CHECK_ERR(EINVAL, open_kprobe(type, 1, "vfs_read", 4), "a kretprobe off the entry is EINVAL");
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = (__u32)type;
    attr.config = 2;
    attr.config1 = (__u64)(uintptr_t)"vfs_read";
    CHECK_ERR(EINVAL, perf_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC), "unknown config bits are EINVAL");
    attr.config = 0;
    attr.config1 = 8;
    CHECK_ERR(EFAULT, perf_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC), "a bad name pointer is EFAULT");
}

static void test_kprobe_events(long map_fd, long prog_fd)
{
    write_events("-:kprobes/kp_test_open\n");
    write_events("-:kp_test_ret\n");
    CHECK_EQ(0, write_events("p:kprobes/kp_test_open do_sys_openat2\n"), "kprobe_events: p:kprobes/kp_test_open do_sys_openat2");
    CHECK_EQ(0, write_events("r8:kp_test_ret do_unlinkat"), "kprobe_events: r8:kp_test_ret do_unlinkat (default group)");
    char text[4096];
    read_small_file(TRACEFS "/kprobe_events", text, sizeof text);
    CHECK(strstr(text, "p:kprobes/kp_test_open do_sys_openat2\n") && strstr(text, "r8:kprobes/kp_test_ret do_unlinkat\n"),
          "kprobe_events lists both as Linux prints them");
    CHECK_ERR(EEXIST, write_events("p:kp_test_open vfs_read"), "a duplicate event name is EEXIST");
    CHECK_ERR(ENOENT, write_events("p:kp_test_bad no_such_kernel_function"), "an unknown function is ENOENT");
    CHECK_ERR(EILSEQ, write_events("p:kp_test_bad vfs_read+2"), "inside an instruction is EILSEQ");
    CHECK_ERR(EINVAL, write_events("p:kp_test_bad kretprobe_trampoline"), "a blacklisted function is EINVAL");
    CHECK_ERR(EINVAL, write_events("r:kp_test_bad vfs_read+1"), "a kretprobe with an offset is EINVAL");
    CHECK_ERR(EINVAL, write_events("q:kp_test_bad vfs_read"), "an unknown command is EINVAL");
    CHECK_ERR(ENOENT, write_events("-:kprobes/kp_test_none"), "removing an unknown event is ENOENT");

    char format[2048] = "";
    read_small_file(TRACEFS "/events/kprobes/kp_test_ret/format", format, sizeof format);
    CHECK(strstr(format, "field:unsigned long __probe_func;\toffset:8;\tsize:8;\tsigned:0;")
              && strstr(format, "field:unsigned long __probe_ret_ip;\toffset:16;\tsize:8;\tsigned:0;"),
          "the kretprobe event's format has __probe_func and __probe_ret_ip");
    char idtext[32] = "";
    read_small_file(TRACEFS "/events/kprobes/kp_test_open/id", idtext, sizeof idtext);
    int id = atoi(idtext);
    CHECK(id > 0, "events/kprobes/kp_test_open/id (%d)", id);

    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.config = (__u64)id;
    long fd = perf_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    CHECK(fd >= 0, "PERF_TYPE_TRACEPOINT event on the kprobe event");
    if (fd >= 0) {
        reset_results(map_fd);
        CHECK_EQ(0, attach(fd, prog_fd), "attach the KPROBE program to it");
        for (int i = 0; i < 3; i++)
            close(open("/", O_RDONLY));
        struct results r = read_results(map_fd);
        CHECK_EQ(3, r.hits, "3 opens of this process counted");
        CHECK_EQ(symbol_address("do_sys_openat2", NULL) + 1, r.ip, "ctx->ip is do_sys_openat2 + 1");
        CHECK_ERR(EBUSY, write_events("-:kprobes/kp_test_open"), "removing an event in use is EBUSY");
        close((int)fd);
    }
    CHECK_EQ(0, write_events("-:kprobes/kp_test_open"), "removed once its perf event is closed");
    CHECK_ERR(ENOENT, write_events("-:kprobes/kp_test_open"), "... and then it is gone (ENOENT)");
    CHECK_EQ(0, write_events("-:kp_test_ret"), "remove the kretprobe event by name");
    read_small_file(TRACEFS "/kprobe_events", text, sizeof text);
    CHECK(!strstr(text, "kp_test_"), "kprobe_events no longer lists them");
}

/* Probes on every instruction of a function's prologue: a snapshot program records, per probed
 * offset, the whole pt_regs, the stack word at sp and the function's first 64 bytes of text.
 * Consecutive snapshots show what each emulated instruction did (push, mov between registers,
 * add/sub of an immediate with the CPU's flags), and the syscall must still work. */
#define PROLOGUE_BYTES 64
struct snapshot {
    __u64 hits;
    struct pt_regs regs;
    __u64 top;
    unsigned char text[PROLOGUE_BYTES];
};

static long load_snapshot(long map_fd, __u32 tgid, __u64 function)
{
    __u64 first = function + 1; /* ctx->ip of the probe at offset 0 */
    struct bpf_insn insns[] = {
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_pid_tgid),
        INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_0, 0, 0, 32),
        INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 32, (__s32)tgid),
        INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_7, BPF_REG_6, offsetof(struct pt_regs, rip), 0),
        INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, 0, 0, (__s32)(__u32)first),
        INSN(0, 0, 0, 0, (__s32)(__u32)(first >> 32)),
        INSN(BPF_ALU64 | BPF_SUB | BPF_X, BPF_REG_7, BPF_REG_2, 0, 0),
        INSN(BPF_JMP | BPF_JGT | BPF_K, BPF_REG_7, 0, 27, PROLOGUE_BYTES - 1),
        INSN(BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, BPF_REG_7, -4, 0),
        INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, (__s32)map_fd),
        INSN(0, 0, 0, 0, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
        INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
        INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 20, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_8, BPF_REG_0, 0, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1),
        INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_8, BPF_REG_1, 0, BPF_ADD),
        /* regs */
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_8, 0, 0),
        INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, offsetof(struct snapshot, regs)),
        MOV64_IMM(BPF_REG_2, sizeof(struct pt_regs)),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_6, 0, 0),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel),
        /* the word at sp */
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_8, 0, 0),
        INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, offsetof(struct snapshot, top)),
        MOV64_IMM(BPF_REG_2, 8),
        INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_3, BPF_REG_6, offsetof(struct pt_regs, rsp), 0),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel),
        /* the text from the function's start: ip - 1 - offset */
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_8, 0, 0),
        INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, offsetof(struct snapshot, text)),
        MOV64_IMM(BPF_REG_2, PROLOGUE_BYTES),
        INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_3, BPF_REG_6, offsetof(struct pt_regs, rip), 0),
        INSN(BPF_ALU64 | BPF_SUB | BPF_K, BPF_REG_3, 0, 0, 1),
        INSN(BPF_ALU64 | BPF_SUB | BPF_X, BPF_REG_3, BPF_REG_7, 0, 0),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel),
        MOV64_IMM(BPF_REG_0, 0),
        EXIT_INSN(),
    };
    char log[4096] = "";
    long fd = prog_load_log(BPF_PROG_TYPE_KPROBE, insns, sizeof insns / sizeof insns[0], "GPL", log, sizeof log);
    if (fd < 0)
        tap_diag("snapshot program: %s", log);
    return fd;
}

/* The saved register of x86 register number n (0 rax ... 15 r15). */
static __u64 *regs_slot(struct pt_regs *r, unsigned n)
{
    switch (n) {
    case 0: return (__u64 *)&r->rax;
    case 1: return (__u64 *)&r->rcx;
    case 2: return (__u64 *)&r->rdx;
    case 3: return (__u64 *)&r->rbx;
    case 4: return (__u64 *)&r->rsp;
    case 5: return (__u64 *)&r->rbp;
    case 6: return (__u64 *)&r->rsi;
    case 7: return (__u64 *)&r->rdi;
    case 8: return (__u64 *)&r->r8;
    case 9: return (__u64 *)&r->r9;
    case 10: return (__u64 *)&r->r10;
    case 11: return (__u64 *)&r->r11;
    case 12: return (__u64 *)&r->r12;
    case 13: return (__u64 *)&r->r13;
    case 14: return (__u64 *)&r->r14;
    default: return (__u64 *)&r->r15;
    }
}

static __u64 native_flags(int subtract, __u64 a, __u64 b)
{
    __u64 flags;
    if (subtract)
        __asm__ volatile("subq %[b], %[a]\n\tpushfq\n\tpopq %[f]" : [a] "+r"(a), [f] "=r"(flags) : [b] "r"(b) : "cc");
    else
        __asm__ volatile("addq %[b], %[a]\n\tpushfq\n\tpopq %[f]" : [a] "+r"(a), [f] "=r"(flags) : [b] "r"(b) : "cc");
    return flags & 0x8d5;
}

struct prologue_seen {
    unsigned push_rbp, push_other, mov, add_sub;
};

static void trigger(const char *function)
{
    static long pid;
    if (!pid)
        pid = getpid();
    if (strcmp(function, "__x64_sys_getpid") == 0) {
        long result = syscall(SYS_getpid); /* one call: each probe must run once */
        CHECK_EQ(pid, result, "getpid still right with %s's prologue probed", function);
    } else {
        int fd = open("/", O_RDONLY);
        CHECK(fd >= 0, "open still works with %s's prologue probed", function);
        close(fd);
    }
}

static void check_prologue(int type, const char *function, struct prologue_seen *seen)
{
    __u64 base = symbol_address(function, NULL);
    long map_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct snapshot), PROLOGUE_BYTES, 0);
    long prog_fd = map_fd >= 0 && base ? load_snapshot(map_fd, (__u32)getpid(), base) : -1;
    CHECK(prog_fd >= 0, "snapshot program for %s", function);
    if (prog_fd < 0)
        return;
    /* Instruction boundaries up to the first call: offsets a probe can be placed at. */
    unsigned offsets[24], count = 0;
    unsigned char text[PROLOGUE_BYTES];
    int have_text = 0;
    for (unsigned off = 0; off < 48 && count < 24; off++) {
        long fd = open_kprobe(type, 0, function, off);
        if (fd == -EILSEQ)
            continue;
        if (fd < 0)
            break;
        offsets[count++] = off;
        if (count <= 2) {
            /* The text as the program reads it, with only this probe's int3 in it. */
            struct snapshot snap;
            __u32 key = off;
            memset(&snap, 0, sizeof snap);
            map_update(map_fd, &key, &snap, BPF_ANY);
            if (attach(fd, prog_fd) == 0)
                trigger(function);
            map_lookup(map_fd, &key, &snap);
            if (snap.hits && count == 1)
                memcpy(text, snap.text, sizeof text), have_text = 1;
            else if (snap.hits && count == 2)
                text[0] = snap.text[0];
        }
        close((int)fd);
        if (have_text && text[off] == 0xe8)
            break; /* the first call ends the prologue */
    }
    CHECK(have_text && count >= 3, "%s: %u instruction boundaries found, text read", function, count);
    if (!have_text || count < 3)
        return;

    struct snapshot zero;
    memset(&zero, 0, sizeof zero);
    for (__u32 key = 0; key < PROLOGUE_BYTES; key++)
        map_update(map_fd, &key, &zero, BPF_ANY);
    long fds[24];
    unsigned armed = 0;
    for (unsigned i = 0; i < count; i++) {
        fds[i] = open_kprobe(type, 0, function, offsets[i]);
        if (fds[i] >= 0 && attach(fds[i], prog_fd) == 0)
            ++armed;
    }
    CHECK_EQ(count, armed, "%s: a probe on each of its first %u instructions", function, count);
    trigger(function);
    for (unsigned i = 0; i < count; i++)
        if (fds[i] >= 0)
            close((int)fds[i]);

    struct snapshot snaps[24];
    unsigned hit_once = 0, checked = 0, bad = 0;
    for (unsigned i = 0; i < count; i++) {
        __u32 key = offsets[i];
        map_lookup(map_fd, &key, &snaps[i]);
        hit_once += snaps[i].hits == 1;
    }
    CHECK_EQ(count, hit_once, "%s: each probe ran once", function);
    for (unsigned i = 0; i + 1 < count; i++) {
        if (snaps[i].hits != 1 || snaps[i + 1].hits != 1)
            continue;
        struct pt_regs *a = &snaps[i].regs, *b = &snaps[i + 1].regs;
        const unsigned char *insn = text + offsets[i];
        unsigned length = offsets[i + 1] - offsets[i];
        unsigned rex = (insn[0] & 0xf0) == 0x40 ? insn[0] : 0;
        const unsigned char *op = rex ? insn + 1 : insn;
        int ok = 1;
        if (b->rip != offsets[i + 1] + base + 1) {
            ok = 0;
        } else if (op[0] >= 0x50 && op[0] <= 0x57 && length == (rex ? 2u : 1u)) {
            unsigned reg = (op[0] & 7) + ((rex & 1) ? 8 : 0);
            ok = b->rsp == a->rsp - 8 && snaps[i + 1].top == *regs_slot(a, reg);
            if (reg == 5)
                seen->push_rbp++;
            else
                seen->push_other++;
        } else if ((rex & 8) && (op[0] == 0x89 || op[0] == 0x8b) && (op[1] >> 6) == 3 && length == 3) {
            unsigned rm = (op[1] & 7) + ((rex & 1) ? 8 : 0), reg = ((op[1] >> 3) & 7) + ((rex & 4) ? 8 : 0);
            unsigned dst = op[0] == 0x89 ? rm : reg, src = op[0] == 0x89 ? reg : rm;
            ok = *regs_slot(b, dst) == *regs_slot(a, src);
            seen->mov++;
        } else if ((rex & 8) && (op[0] == 0x83 || op[0] == 0x81) && (op[1] >> 6) == 3
                   && (((op[1] >> 3) & 7) == 0 || ((op[1] >> 3) & 7) == 5)) {
            unsigned reg = (op[1] & 7) + ((rex & 1) ? 8 : 0);
            int subtract = ((op[1] >> 3) & 7) == 5;
            __s32 imm = op[0] == 0x83 ? (__s8)op[2] : (__s32)(op[2] | op[3] << 8 | op[4] << 16 | (__u32)op[5] << 24);
            __u64 before = *regs_slot(a, reg), operand = (__u64)(__s64)imm;
            ok = *regs_slot(b, reg) == (subtract ? before - operand : before + operand)
                 && (b->eflags & 0x8d5) == native_flags(subtract, before, operand);
            seen->add_sub++;
        } else {
            continue; /* run out of line: the syscall's result covers it */
        }
        ++checked;
        if (!ok) {
            ++bad;
            tap_diag("%s+%#x (%02x %02x %02x): sp %llx -> %llx, bp %llx -> %llx, top %llx, flags %llx", function,
                     offsets[i], insn[0], insn[1], insn[2], (unsigned long long)a->rsp, (unsigned long long)b->rsp,
                     (unsigned long long)a->rbp, (unsigned long long)b->rbp, (unsigned long long)snaps[i + 1].top,
                     (unsigned long long)b->eflags);
        }
    }
    CHECK(checked > 0 && bad == 0, "%s: %u emulated prologue instructions left the registers and stack the CPU would (%u wrong)",
          function, checked, bad);
    close((int)prog_fd);
    close((int)map_fd);
}

static void test_prologue_emulation(void)
{
    int type = perf_pmu_type("kprobe");
    struct prologue_seen seen = { 0, 0, 0, 0 };
    check_prologue(type, "__x64_sys_getpid", &seen);
    check_prologue(type, "do_sys_openat2", &seen);
    tap_diag("prologue instructions checked: push %%rbp %u, other pushes %u, register moves %u, add/sub %u", seen.push_rbp,
             seen.push_other, seen.mov, seen.add_sub);
    CHECK(seen.push_rbp > 0 && seen.mov > 0, "push %%rbp and mov %%rsp,%%rbp were among them");
}

int main(void)
{
    test_kallsyms();
    long map_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct results), 1, 0);
    long prog_fd = map_fd >= 0 ? load_counter(map_fd, (__u32)getpid()) : -1;
    CHECK(prog_fd >= 0, "load a KPROBE program reading pt_regs (%s)", prog_fd < 0 ? strerror((int)-prog_fd) : "ok");
    if (prog_fd >= 0) {
        test_pmu(map_fd, prog_fd);
        test_kprobe_events(map_fd, prog_fd);
    }
    test_prologue_emulation();
    return tap_done();
}
