/* uprobes: uprobes and uretprobes on this test binary's own functions, with raw KPROBE
 * programs: through the uprobe PMU (path + file offset, pid filter, cookies) and through
 * <tracefs>/uprobe_events + PERF_TYPE_TRACEPOINT. Checks the pt_regs a program sees (ip = the
 * probe address, sp at the call; for uretprobes ip = the return address, ax = the return
 * value), bpf_get_func_ip, bpf_get_attach_cookie and bpf_get_stack of the user stack; that
 * probed code still computes the right results for instructions that are executed out of line
 * (RIP-relative, push, ret) or emulated (call, jmp, indirect call through a register and
 * through memory); recursion and longjmp with uretprobes; a forked child, an exec'd image;
 * attach/detach while a child calls the function in a loop (the text holds int3 only while
 * attached, the file never); exit inside a probed function; and Linux's errors. */
#include "perf_common.h"

#include <asm/ptrace.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>

#define TRACEFS "/sys/kernel/tracing"
#define ENOTSUPP_ 524

/* ---- probed functions -------------------------------------------------------------- */

__attribute__((noinline, used)) long target(long a, long b)
{
    __asm__ volatile("" ::: "memory");
    return a * b + 1;
}
static long (*volatile call_target)(long, long) = target;

__attribute__((noinline, used)) long factorial(long n);
static long (*volatile call_factorial)(long) = factorial;
__attribute__((noinline, used)) long factorial(long n)
{
    __asm__ volatile("" ::: "memory");
    return n <= 1 ? 1 : n * call_factorial(n - 1);
}

static jmp_buf jump_back;
__attribute__((noinline, used)) long jumper(long depth, int jump);
static long (*volatile call_jumper)(long, int) = jumper;
__attribute__((noinline, used)) long jumper(long depth, int jump)
{
    __asm__ volatile("" ::: "memory");
    if (depth == 0) {
        if (jump)
            longjmp(jump_back, 1);
        return 0;
    }
    return call_jumper(depth - 1, jump) + 1;
}

__attribute__((noinline, used)) void exit_inside(int code)
{
    __asm__ volatile("" ::: "memory");
    _exit(code);
}

/* Hand-written first instructions: each kind of out-of-line execution and emulation. */
long asm_counter = 40;
__asm__(".text\n"
        ".globl f_riprel\n f_riprel: movq asm_counter(%rip), %rax\n addq $2, %rax\n movq %rax, asm_counter(%rip)\n ret\n"
        ".globl f_inner\n f_inner: leaq 1(%rdi), %rax\n ret\n"
        ".globl f_call\n f_call: call f_inner\n addq $10, %rax\n ret\n"
        ".globl f_jmp\n f_jmp: jmp 1f\n ud2\n 1: movq $7, %rax\n ret\n"
        ".globl f_push\n f_push: pushq %rbx\n movq %rdi, %rax\n popq %rbx\n .globl f_push_ret\n f_push_ret: ret\n"
        ".globl f_callreg\n f_callreg: leaq f_inner(%rip), %rax\n .globl f_callreg_call\n f_callreg_call: call *%rax\n addq $100, %rax\n ret\n"
        ".globl f_callmem\n f_callmem: .globl f_callmem_call\n f_callmem_call: call *f_inner_pointer(%rip)\n addq $1000, %rax\n ret\n"
        ".globl f_jcc\n f_jcc: testq %rdi, %rdi\n .globl f_jcc_branch\n f_jcc_branch: jz 1f\n movq $1, %rax\n ret\n 1: movq $2, %rax\n ret\n"
        ".globl f_wrapper\n f_wrapper: pushq %rbp\n movq %rsp, %rbp\n call f_seven\n .globl f_after_call\n f_after_call: popq %rbp\n ret\n"
        ".globl f_seven\n f_seven: movq $7, %rax\n ret\n"
        ".globl f_int3\n f_int3: int3\n ret\n"
        ".globl f_lock\n f_lock: lock incl (%rdi)\n ret\n"
        ".data\n .globl f_inner_pointer\n f_inner_pointer: .quad f_inner\n .text\n");
long f_riprel(void), f_call(long), f_jmp(void), f_push(long), f_callreg(long), f_callmem(long), f_jcc(long), f_wrapper(void), f_seven(void);
extern char f_inner[], f_push_ret[], f_callreg_call[], f_callmem_call[], f_jcc_branch[], f_after_call[], f_int3[], f_lock[];

/* ---- helpers --------------------------------------------------------------------------- */

static char self_path[PATH_MAX];

struct record {
    __u64 hits, ip, sp, ax, func_ip, cookie, tgid, spare;
};
#define SLOTS 16

/* The file offset of `address` in this program (from /proc/self/maps). */
static unsigned long file_offset(const void *address)
{
    static char maps[1 << 16];
    if (read_small_file("/proc/self/maps", maps, sizeof maps) <= 0)
        return 0;
    unsigned long a = (unsigned long)address;
    for (char *line = maps; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        unsigned long start, end, offset;
        if (sscanf(line, "%lx-%lx %*s %lx", &start, &end, &offset) == 3 && a >= start && a < end)
            return a - start + offset;
    }
    return 0;
}

/* Records the hit in slot `slot`: hits++, ip, sp, ax, func_ip, cookie, tgid; only for
 * process `tgid` unless 0. */
static long load_recorder(long map_fd, __u32 slot, __u32 tgid)
{
    struct bpf_insn insns[] = {
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_pid_tgid),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_7, BPF_REG_0, 0, 0),
        INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_7, 0, 0, 32),
        tgid ? INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_7, 0, 24, (__s32)tgid) : INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_func_ip),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_8, BPF_REG_0, 0, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_attach_cookie),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_9, BPF_REG_0, 0, 0),
        INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, (__s32)slot),
        INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, (__s32)map_fd),
        INSN(0, 0, 0, 0, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
        INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
        INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 11, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1),
        INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD),
        INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_1, BPF_REG_6, offsetof(struct pt_regs, rip), 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_1, 8, 0),
        INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_1, BPF_REG_6, offsetof(struct pt_regs, rsp), 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_1, 16, 0),
        INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_1, BPF_REG_6, offsetof(struct pt_regs, rax), 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_1, 24, 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_8, 32, 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_9, 40, 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_7, 48, 0),
        MOV64_IMM(BPF_REG_0, 0),
        EXIT_INSN(),
    };
    return prog_load(BPF_PROG_TYPE_KPROBE, insns, sizeof insns / sizeof insns[0]);
}

/* bpf_get_stack(ctx, buf, 64, BPF_F_USER_STACK): slot.hits = the length, ip = buf[0]. */
static long load_stack_recorder(long map_fd, __u32 slot)
{
    struct bpf_insn insns[] = {
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
        INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -64),
        MOV64_IMM(BPF_REG_3, 64),
        MOV64_IMM(BPF_REG_4, BPF_F_USER_STACK),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_stack),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_7, BPF_REG_0, 0, 0),
        INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -68, (__s32)slot),
        INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, (__s32)map_fd),
        INSN(0, 0, 0, 0, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
        INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -68),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
        INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 3, 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_7, 0, 0),
        INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_1, BPF_REG_10, -64, 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_1, 8, 0),
        MOV64_IMM(BPF_REG_0, 0),
        EXIT_INSN(),
    };
    return prog_load(BPF_PROG_TYPE_KPROBE, insns, sizeof insns / sizeof insns[0]);
}

static long map_fd;
static __u32 self_tgid; /* as the kernel sees it (getpid() differs inside a PID namespace) */

/* The caller's tgid as bpf_get_current_pid_tgid reports it (a raw tracepoint test run). */
static __u32 kernel_tgid(void)
{
    struct bpf_insn insns[] = {
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_pid_tgid),
        INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_0, 0, 0, 32),
        EXIT_INSN(),
    };
    long prog = prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, 3);
    if (prog < 0)
        return 0;
    __u64 args[1] = { 0 };
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.test.prog_fd = (__u32)prog;
    a.test.ctx_in = (__u64)(uintptr_t)args;
    a.test.ctx_size_in = sizeof args;
    long ret = bpf_call(BPF_PROG_TEST_RUN, &a);
    close((int)prog);
    return ret < 0 ? 0 : a.test.retval;
}

static struct record slot_value(__u32 slot)
{
    struct record r;
    memset(&r, 0xff, sizeof r);
    map_lookup(map_fd, &slot, &r);
    return r;
}

static void reset_slots(void)
{
    struct record zero;
    memset(&zero, 0, sizeof zero);
    for (__u32 i = 0; i < SLOTS; ++i)
        map_update(map_fd, &i, &zero, BPF_ANY);
}

static long open_uprobe_config(int retprobe, const char *path, unsigned long offset, int pid, __u64 config_extra)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = (__u32)perf_pmu_type("uprobe");
    attr.config = (retprobe ? 1 : 0) | config_extra;
    attr.config1 = (__u64)(uintptr_t)path;
    attr.config2 = offset;
    /* As libbpf: pid -1 is opened for CPU 0, a process for any CPU. */
    return perf_open(&attr, pid, pid == -1 ? 0 : -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static long open_uprobe(int retprobe, const void *function, int pid)
{
    return open_uprobe_config(retprobe, self_path, file_offset(function), pid, 0);
}

/* LINK_CREATE with a cookie, then ENABLE (as libbpf). Returns the link fd. */
static long attach(long perf_fd, long prog_fd, __u64 cookie)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.link_create.prog_fd = (__u32)prog_fd;
    a.link_create.target_fd = (__u32)perf_fd;
    a.link_create.attach_type = BPF_PERF_EVENT;
    a.link_create.perf_event.bpf_cookie = cookie;
    long link = bpf_call(BPF_LINK_CREATE, &a);
    if (link >= 0 && ioctl((int)perf_fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
        close((int)link);
        return -errno;
    }
    return link;
}

/* A probe through the PMU with a recorder for `slot`: returns the perf fd (the link is
 * closed right away: the perf event keeps the program, as on Linux). */
static long probe(int retprobe, const void *function, int pid, __u32 slot, __u32 tgid_filter, __u64 cookie)
{
    long perf_fd = open_uprobe(retprobe, function, pid);
    if (perf_fd < 0)
        return perf_fd;
    long prog = load_recorder(map_fd, slot, tgid_filter);
    long link = prog < 0 ? prog : attach(perf_fd, prog, cookie);
    if (prog >= 0)
        close((int)prog);
    if (link < 0) {
        close((int)perf_fd);
        return link;
    }
    return perf_fd | (link << 16);
}

static void unprobe(long handle)
{
    close((int)(handle >> 16));
    close((int)(handle & 0xffff));
}

static unsigned char file_byte(unsigned long offset)
{
    unsigned char byte = 0;
    int fd = open(self_path, O_RDONLY);
    if (fd >= 0) {
        if (pread(fd, &byte, 1, (off_t)offset) != 1)
            byte = 0;
        close(fd);
    }
    return byte;
}

static int write_uprobe_events(const char *text)
{
    int fd = open(TRACEFS "/uprobe_events", O_WRONLY | O_APPEND);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int err = n < 0 ? -errno : 0;
    close(fd);
    return err;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_pmu_files(void)
{
    char buf[64];
    CHECK(perf_pmu_type("uprobe") > 0, "/sys/bus/event_source/devices/uprobe/type is a PMU type (%d)", perf_pmu_type("uprobe"));
    read_small_file("/sys/bus/event_source/devices/uprobe/format/retprobe", buf, sizeof buf);
    CHECK_STR("config:0\n", buf, "format/retprobe");
    read_small_file("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset", buf, sizeof buf);
    CHECK_STR("config:32-63\n", buf, "format/ref_ctr_offset");
}

static void test_entry_and_return(void)
{
    reset_slots();
    long entry = probe(0, target, 0, 0, 0, 0x1234);
    long ret = probe(1, target, 0, 1, 0, 0x5678);
    CHECK(entry >= 0 && ret >= 0, "uprobe and uretprobe on target() for this process (%ld, %ld)", entry, ret);
    if (entry < 0 || ret < 0)
        return;
    unsigned char text = *(volatile unsigned char *)(void *)target;
    CHECK_EQ(0xcc, text, "while attached, this process's text holds int3 at target()");
    CHECK(file_byte(file_offset(target)) != 0xcc, "... and the file does not");
    long sum = call_target(6, 7) + call_target(2, 3) + call_target(4, 5);
    CHECK_EQ(43 + 7 + 21, sum, "the probed function computes the same results");
    struct record e = slot_value(0), r = slot_value(1);
    CHECK_EQ(3, e.hits, "the uprobe ran 3 times");
    CHECK_EQ((unsigned long)target, e.ip, "ctx->ip is the probe address");
    CHECK_EQ((unsigned long)target, e.func_ip, "bpf_get_func_ip is the probe address");
    CHECK_EQ(0x1234, e.cookie, "bpf_get_attach_cookie is the link's cookie");
    CHECK_EQ(self_tgid, e.tgid, "the hits were in this process");
    CHECK_EQ(3, r.hits, "the uretprobe ran 3 times");
    CHECK_EQ(21, r.ax, "ctx->ax is the last return value");
    CHECK_EQ((unsigned long)target, r.func_ip, "uretprobe: bpf_get_func_ip is the function");
    CHECK_EQ(0x5678, r.cookie, "uretprobe: its own cookie");
    CHECK_EQ(e.sp + 8, r.sp, "uretprobe: ctx->sp is the stack after the return (entry sp + 8)");
    unprobe(entry);
    unprobe(ret);
    text = *(volatile unsigned char *)(void *)target;
    CHECK_EQ(file_byte(file_offset(target)), text, "after detaching, the original byte is back");
    call_target(1, 1);
    CHECK(slot_value(0).hits == 3 && slot_value(1).hits == 3, "nothing counted after detaching");
}

static void test_return_address(void)
{
    reset_slots();
    long entry = probe(0, f_seven, 0, 0, 0, 0);
    long ret = probe(1, f_seven, 0, 1, 0, 0);
    CHECK(entry >= 0 && ret >= 0, "uprobe and uretprobe on an asm function");
    if (entry < 0 || ret < 0)
        return;
    CHECK_EQ(7, f_wrapper(), "it returns 7 to its caller");
    struct record e = slot_value(0), r = slot_value(1);
    CHECK_EQ((unsigned long)f_after_call, r.ip, "uretprobe: ctx->ip is the real return address");
    CHECK_EQ(7, r.ax, "... ctx->ax the return value");
    CHECK_EQ(e.sp + 8, r.sp, "... ctx->sp the entry sp + 8");
    unprobe(entry);
    unprobe(ret);
}

struct instruction_case {
    const char *what;
    const void *at;
    long (*run)(void);
    long expected;
};
static long run_riprel(void) { asm_counter = 40; return f_riprel(); }
static long run_call(void) { return f_call(5); }
static long run_jmp(void) { return f_jmp(); }
static long run_push(void) { return f_push(9); }
static long run_callreg(void) { return f_callreg(1); }
static long run_callmem(void) { return f_callmem(2); }
static long run_jcc_taken(void) { return f_jcc(0); }
static long run_jcc_not(void) { return f_jcc(1); }

static void test_instructions(void)
{
    struct instruction_case cases[] = {
        { "RIP-relative load (out of line, displacement adjusted)", f_riprel, run_riprel, 42 },
        { "call rel32 (emulated)", f_call, run_call, 16 },
        { "jmp (emulated)", f_jmp, run_jmp, 7 },
        { "push (out of line)", f_push, run_push, 9 },
        { "ret (out of line)", f_push_ret, run_push, 9 },
        { "call *%rax (emulated)", f_callreg_call, run_callreg, 102 },
        { "call *mem(%rip) (emulated)", f_callmem_call, run_callmem, 1003 },
        { "jz taken (emulated)", f_jcc_branch, run_jcc_taken, 2 },
        { "jz not taken (emulated)", f_jcc_branch, run_jcc_not, 1 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        reset_slots();
        long h = probe(0, cases[i].at, 0, 2, 0, 0);
        if (h < 0) {
            CHECK(0, "%s: probe attached (%ld)", cases[i].what, h);
            continue;
        }
        long got = cases[i].run();
        got += cases[i].run() - cases[i].expected;
        struct record r = slot_value(2);
        CHECK(got == cases[i].expected && r.hits == 2 && r.ip == (unsigned long)cases[i].at,
              "%s: result %ld, %llu hits at the probe", cases[i].what, got, (unsigned long long)r.hits);
        unprobe(h);
    }
}

static void test_stack(void)
{
    reset_slots();
    long perf_fd = open_uprobe(0, target, 0);
    long prog = load_stack_recorder(map_fd, 3);
    long link = perf_fd >= 0 && prog >= 0 ? attach(perf_fd, prog, 0) : -1;
    CHECK(link >= 0, "a bpf_get_stack(BPF_F_USER_STACK) program on the uprobe (%ld, %ld)", prog, link);
    if (link >= 0) {
        call_target(1, 2);
        struct record r = slot_value(3);
        CHECK(r.hits >= 8 && r.hits <= 64 && r.hits % 8 == 0, "bpf_get_stack returned %lld bytes of user stack", (long long)r.hits);
        CHECK_EQ((unsigned long)target, r.ip, "its first entry is the probe address");
        close((int)link);
    }
    if (prog >= 0)
        close((int)prog);
    if (perf_fd >= 0)
        close((int)perf_fd);
}

static void test_recursion_and_longjmp(void)
{
    reset_slots();
    long entry = probe(0, factorial, 0, 0, 0, 0);
    long ret = probe(1, factorial, 0, 1, 0, 0);
    CHECK(entry >= 0 && ret >= 0, "uprobe and uretprobe on a recursive function");
    if (entry < 0 || ret < 0)
        return;
    CHECK_EQ(120, factorial(5), "factorial(5) = 120 while probed");
    struct record e = slot_value(0), r = slot_value(1);
    CHECK(e.hits == 5 && r.hits == 5, "5 entries and 5 returns (%llu, %llu)", (unsigned long long)e.hits, (unsigned long long)r.hits);
    CHECK_EQ(120, r.ax, "the outermost return came last (ax = 120)");
    unprobe(entry);
    unprobe(ret);

    reset_slots();
    entry = probe(0, jumper, 0, 0, 0, 0);
    ret = probe(1, jumper, 0, 1, 0, 0);
    if (entry < 0 || ret < 0)
        return;
    if (!setjmp(jump_back))
        jumper(3, 1); /* 4 probed frames abandoned by longjmp */
    CHECK(slot_value(0).hits == 4 && slot_value(1).hits == 0, "longjmp out of 4 probed frames: 4 entries, no return handler ran");
    CHECK_EQ(2, jumper(2, 0), "a probed call after the longjmp returns normally");
    struct record after = slot_value(1);
    CHECK(after.hits == 3 && after.ax == 2, "... its 3 returns ran the handler, the outermost last (%llu, ax %llu)",
          (unsigned long long)after.hits, (unsigned long long)after.ax);
    CHECK_EQ(1 + 1, factorial(2), "and another probed call works (factorial(2))");
    unprobe(entry);
    unprobe(ret);
}

static int child_calls(int calls)
{
    long sum = 0;
    for (int i = 0; i < calls; ++i)
        sum += call_target(i, 1);
    return sum == (long)calls * (calls - 1) / 2 + calls ? 0 : 1;
}

static void test_fork_and_pid_filter(void)
{
    reset_slots();
    long mine = probe(0, target, 0, 4, 0, 0);
    long everyone = probe(0, target, -1, 5, 0, 0);
    CHECK(mine >= 0 && everyone >= 0, "a probe for this process and one for every process");
    if (mine < 0 || everyone < 0)
        return;
    call_target(1, 1);
    volatile __u32 *child_tgid = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (child_tgid == MAP_FAILED)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        *child_tgid = kernel_tgid();
        _exit(child_calls(3));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a forked child calls the probed function 3 times correctly");
    struct record m = slot_value(4), all = slot_value(5);
    CHECK_EQ(1, m.hits, "the per-process probe counted only the parent's call");
    CHECK_EQ(4, all.hits, "the probe for every process counted parent and child (1 + 3)");
    CHECK(all.tgid == *child_tgid && all.tgid != self_tgid, "... the last hit in the child (%llu)", (unsigned long long)all.tgid);
    munmap((void *)child_tgid, 4096);
    unprobe(mine);
    unprobe(everyone);
}

static void test_exec(void)
{
    reset_slots();
    long everyone = probe(0, target, -1, 6, 0, 0);
    if (everyone < 0) {
        CHECK(0, "probe for the exec test (%ld)", everyone);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = { self_path, "--call-target", NULL };
        execv(self_path, argv);
        _exit(99);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child execs this program, which calls target() 5 times");
    CHECK_EQ(5, slot_value(6).hits, "the probe fires in the new image (armed when it was mapped)");
    unprobe(everyone);
}

static void test_attach_detach_churn(void)
{
    reset_slots();
    volatile int *stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (stop == MAP_FAILED) {
        CHECK(0, "shared page");
        return;
    }
    *stop = 0;
    pid_t pid = fork();
    if (pid == 0) {
        long calls = 0;
        while (!*stop) {
            if (call_target(calls, 3) != calls * 3 + 1)
                _exit(1);
            ++calls;
            stop[1] = (int)calls; /* progress, for the parent's waits */
        }
        _exit(calls > 0 ? 0 : 2);
    }
    int attached = 0, restored = 0;
    unsigned char original = file_byte(file_offset(target));
    for (int i = 0; i < 50; ++i) {
        long h = probe(0, target, -1, 7, 0, 0);
        if (h < 0)
            break;
        ++attached;
        if (i % 10 == 0) {
            /* Let the child call target() while attached (on one CPU it only runs when this
             * process sleeps). */
            int seen = stop[1];
            for (int wait = 0; wait < 200 && stop[1] == seen; ++wait)
                usleep(1000);
        } else {
            for (volatile int spin = 0; spin < 20000; ++spin) {
            }
        }
        unprobe(h);
        restored += *(volatile unsigned char *)(void *)target == original;
    }
    *stop = 1;
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK_EQ(50, attached, "50 attach/detach cycles while a child calls target() in a loop");
    CHECK_EQ(50, restored, "the original byte was back after every detach");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child got the right result every time and exited normally (status %#x)", status);
    CHECK(slot_value(7).hits > 0, "the program ran while attached (%llu hits)", (unsigned long long)slot_value(7).hits);
    munmap((void *)stop, 4096);
}

static void test_exit_inside(void)
{
    reset_slots();
    long entry = probe(0, exit_inside, -1, 8, 0, 0);
    long ret = probe(1, exit_inside, -1, 9, 0, 0);
    CHECK(entry >= 0 && ret >= 0, "uprobe and uretprobe on a function that exits the process");
    if (entry < 0 || ret < 0)
        return;
    pid_t pid = fork();
    if (pid == 0)
        exit_inside(7);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "the child exited inside the probed function");
    CHECK(slot_value(8).hits == 1 && slot_value(9).hits == 0, "entry ran once, the return never");
    unprobe(entry);
    unprobe(ret);
    CHECK_EQ(43, call_target(6, 7), "this process is unaffected");
}

static void test_uprobe_events(void)
{
    char line[2 * PATH_MAX + 256], buf[4096], path[256];
    if (access(TRACEFS "/uprobe_events", W_OK) != 0) {
        tap_skip("no " TRACEFS "/uprobe_events here (not mounted)", "uprobe_events");
        return;
    }
    unsigned long offset = file_offset(target);
    snprintf(line, sizeof line, "p:uprobes/ut_entry_%d %s:0x%lx\nr:uretprobes/ut_ret_%d %s:0x%lx\n", getpid(), self_path, offset, getpid(), self_path, offset);
    CHECK_ERR(0, write_uprobe_events(line), "uprobe_events: create a uprobe and a uretprobe event");
    snprintf(path, sizeof path, TRACEFS "/events/uprobes/ut_entry_%d/format", getpid());
    read_small_file(path, buf, sizeof buf);
    CHECK(strstr(buf, "field:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;") != NULL, "the uprobe event's format has __probe_ip");
    snprintf(path, sizeof path, TRACEFS "/events/uretprobes/ut_ret_%d/format", getpid());
    read_small_file(path, buf, sizeof buf);
    CHECK(strstr(buf, "__probe_func;\toffset:8;") && strstr(buf, "__probe_ret_ip;\toffset:16;")
              && strstr(buf, "print fmt: \"(%lx <- %lx)\", REC->__probe_func, REC->__probe_ret_ip"),
          "the uretprobe event's format has __probe_func and __probe_ret_ip");
    read_small_file(TRACEFS "/uprobe_events", buf, sizeof buf);
    snprintf(line, sizeof line, "p:uprobes/ut_entry_%d %s:0x%016lx\n", getpid(), self_path, offset);
    CHECK(strstr(buf, line) != NULL, "uprobe_events lists it as Linux does");

    long ids[2];
    snprintf(path, sizeof path, TRACEFS "/events/uprobes/ut_entry_%d/id", getpid());
    read_small_file(path, buf, sizeof buf);
    ids[0] = atol(buf);
    snprintf(path, sizeof path, TRACEFS "/events/uretprobes/ut_ret_%d/id", getpid());
    read_small_file(path, buf, sizeof buf);
    ids[1] = atol(buf);
    reset_slots();
    long perf_fds[2] = { -1, -1 }, links[2] = { -1, -1 };
    for (int i = 0; i < 2; ++i) {
        struct perf_event_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.size = sizeof attr;
        attr.type = PERF_TYPE_TRACEPOINT;
        attr.config = (__u64)ids[i];
        perf_fds[i] = perf_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
        long prog = load_recorder(map_fd, 10 + i, self_tgid);
        links[i] = perf_fds[i] >= 0 && prog >= 0 ? attach(perf_fds[i], prog, 0) : -1;
        if (prog >= 0)
            close((int)prog);
    }
    CHECK(links[0] >= 0 && links[1] >= 0, "PERF_TYPE_TRACEPOINT events on both ids with programs attached");
    call_target(3, 3);
    call_target(2, 2);
    CHECK(slot_value(10).hits == 2 && slot_value(10).ip == (unsigned long)target, "the uprobe event's program ran twice with ip = target");
    CHECK(slot_value(11).hits == 2 && slot_value(11).ax == 5, "the uretprobe event's program ran twice, ax = 5");
    snprintf(line, sizeof line, "-:uprobes/ut_entry_%d\n", getpid());
    CHECK_ERR(EBUSY, write_uprobe_events(line), "removing an event in use: EBUSY");
    for (int i = 0; i < 2; ++i) {
        if (links[i] >= 0)
            close((int)links[i]);
        if (perf_fds[i] >= 0)
            close((int)perf_fds[i]);
    }
    CHECK_ERR(0, write_uprobe_events(line), "removed once unused");
    snprintf(line, sizeof line, "-:ut_ret_%d\n", getpid());
    CHECK_ERR(0, write_uprobe_events(line), "removed by name alone");
    CHECK_EQ(file_byte(offset), *(volatile unsigned char *)(void *)target, "the original byte is back");
    CHECK_ERR(ENOENT, write_uprobe_events(line), "removing it again: ENOENT");
    snprintf(line, sizeof line, "p:ut_bad %s\n", self_path);
    CHECK_ERR(EINVAL, write_uprobe_events(line), "no offset: EINVAL");
    CHECK_ERR(EINVAL, write_uprobe_events("p:ut_bad file:0x10\n"), "a path without '/': EINVAL");
    CHECK_ERR(ENOENT, write_uprobe_events("p:ut_bad no/such/file:0x10\n"), "a relative path that does not exist: ENOENT");
    CHECK_ERR(ENOENT, write_uprobe_events("p:ut_bad /no/such/file:0x10\n"), "a missing file: ENOENT");
    CHECK_ERR(EINVAL, write_uprobe_events("p:ut_bad /tmp:0x10\n"), "a directory: EINVAL");
    snprintf(line, sizeof line, "p:ut_bad %s:0x10+4\n", self_path);
    CHECK_ERR(EINVAL, write_uprobe_events(line), "an offset with +: EINVAL");
    snprintf(line, sizeof line, "p:1bad %s:0x10\n", self_path);
    CHECK_ERR(EINVAL, write_uprobe_events(line), "an event name starting with a digit: EINVAL");
    snprintf(line, sizeof line, "x:ut_bad %s:0x10\n", self_path);
    CHECK_ERR(EINVAL, write_uprobe_events(line), "an unknown command: EINVAL");
}

static void test_pmu_errors(void)
{
    char long_path[PATH_MAX + 16];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[0] = '/';
    long_path[sizeof long_path - 1] = '\0';
    unsigned long offset = file_offset(target);
    long fd;
#define EXPECT_OPEN(err, expr, what)                                                           \
    do {                                                                                       \
        fd = (expr);                                                                           \
        CHECK_ERR(err, fd, what);                                                              \
        if (fd >= 0)                                                                           \
            close((int)fd);                                                                    \
    } while (0)
    EXPECT_OPEN(EINVAL, open_uprobe_config(0, NULL, offset, 0, 0), "PMU: no path: EINVAL");
    EXPECT_OPEN(EINVAL, open_uprobe_config(0, "", offset, 0, 0), "PMU: an empty path: EINVAL");
    EXPECT_OPEN(EFAULT, open_uprobe_config(0, (const char *)8, offset, 0, 0), "PMU: an unreadable path: EFAULT");
    EXPECT_OPEN(E2BIG, open_uprobe_config(0, long_path, offset, 0, 0), "PMU: a path longer than PATH_MAX: E2BIG");
    EXPECT_OPEN(ENOENT, open_uprobe_config(0, "/no/such/file", offset, 0, 0), "PMU: a missing file: ENOENT");
    EXPECT_OPEN(EINVAL, open_uprobe_config(0, "/tmp", offset, 0, 0), "PMU: a directory: EINVAL");
    EXPECT_OPEN(EINVAL, open_uprobe_config(0, self_path, 1UL << 40, 0, 0), "PMU: an offset beyond the file: EINVAL");
    EXPECT_OPEN(EINVAL, open_uprobe_config(0, self_path, offset, 0, 1ULL << 32), "PMU: an odd ref_ctr_offset: EINVAL");
    fd = open_uprobe_config(0, self_path, offset, 0, 1ULL << 5);
    CHECK(fd >= 0, "PMU: config bits 1-31 are ignored (%ld)", fd);
    if (fd >= 0)
        close((int)fd);
    EXPECT_OPEN(ENOTSUPP_, open_uprobe(0, f_int3, 0), "PMU: an int3 instruction: ENOTSUPP (524)");
    EXPECT_OPEN(ENOTSUPP_, open_uprobe(0, f_lock, 0), "PMU: a lock-prefixed instruction: ENOTSUPP (524)");
    fd = open_uprobe_config(0, "/proc/self/exe", offset, 0, 0);
    CHECK(fd >= 0, "PMU: a path through a symlink (%ld)", fd);
    if (fd >= 0)
        close((int)fd);
}

/* `uprobes --bench [N]`: nanoseconds per call of target() without a probe, with a uprobe and
 * with a uretprobe running a trivial program (r0 = 0), for this process. Not part of the test. */
static double ns_per_call(long calls)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < calls; ++i)
        call_target(i, 2);
    clock_gettime(CLOCK_MONOTONIC, &b);
    return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)calls;
}

static int bench(long calls)
{
    struct bpf_insn insns[] = { MOV64_IMM(BPF_REG_0, 0), EXIT_INSN() };
    long prog = prog_load(BPF_PROG_TYPE_KPROBE, insns, 2);
    if (prog < 0) {
        printf("# bench: program load failed (%ld)\n", prog);
        return 1;
    }
    double base = ns_per_call(calls);
    printf("# bench: %ld calls, no probe: %.1f ns/call\n", calls, base);
    for (int retprobe = 0; retprobe < 2; ++retprobe) {
        long perf_fd = open_uprobe(retprobe, target, 0);
        long link = perf_fd >= 0 ? attach(perf_fd, prog, 0) : -1;
        if (link < 0) {
            printf("# bench: attach failed (%ld, %ld)\n", perf_fd, link);
            return 1;
        }
        double probed = ns_per_call(calls);
        printf("# bench: %s: %.1f ns/call, %.1f ns per hit\n", retprobe ? "uretprobe" : "uprobe", probed, probed - base);
        close((int)link);
        close((int)perf_fd);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--call-target") == 0)
        return child_calls(5);
    if (perf_pmu_type("uprobe") < 0) {
        tap_skip("the kernel has no uprobe PMU", "uprobes");
        return tap_done();
    }
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    CHECK(n > 0, "/proc/self/exe names this program (%s)", n > 0 ? self_path : "?");
    if (n <= 0)
        return tap_done();
    self_path[n] = '\0';
    if (argc > 1 && strcmp(argv[1], "--bench") == 0)
        return bench(argc > 2 ? atol(argv[2]) : 100000);
    self_tgid = kernel_tgid();
    CHECK(self_tgid != 0, "this process's tgid from bpf_get_current_pid_tgid (%u)", self_tgid);
    map_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct record), SLOTS, 0);
    CHECK(map_fd >= 0, "array map for the records");
    if (map_fd < 0)
        return tap_done();
    test_pmu_files();
    test_entry_and_return();
    test_return_address();
    test_instructions();
    test_stack();
    test_recursion_and_longjmp();
    test_fork_and_pid_filter();
    test_exec();
    test_attach_detach_churn();
    test_exit_inside();
    test_uprobe_events();
    test_pmu_errors();
    return tap_done();
}
