/* bpf_leak: no memory leaks in the life of BPF objects. Reads MemFree from /proc/meminfo, runs
 * 1000 cycles of (PROG_LOAD of a small socket filter + MAP_CREATE of a hash map with one
 * element + close both) after 20 warm-up cycles, and requires MemFree to be exactly what it
 * was. Only meaningful on the ext-ebpf kernel (as in memfree.c): elsewhere the comparison is
 * reported and skipped. */

#include "bpf_common.h"
#include "meminfo.h"

#define WARMUP 20
#define CYCLES 1000

static struct bpf_insn return_one[] = {
    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1},
    {.code = BPF_JMP | BPF_EXIT},
};

/* Returns the number of cycles in which a step failed. */
static int run_cycles(int count)
{
    int failures = 0;
    for (int i = 0; i < count; i++) {
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
        a.insns = (__u64)(uintptr_t)return_one;
        a.insn_cnt = 2;
        a.license = (__u64)(uintptr_t)"GPL";
        long prog = bpf_call(BPF_PROG_LOAD, &a);
        long map = map_create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
        __u32 key = (__u32)i;
        __u64 value = (__u64)i;
        if (prog < 0 || map < 0 || map_update(map, &key, &value, BPF_ANY) != 0)
            failures++;
        if (prog >= 0)
            SYS1(SYS_close, prog);
        if (map >= 0)
            SYS1(SYS_close, map);
    }
    return failures;
}

int main(void)
{
    int ext_kernel = on_ext_ebpf_kernel();

    CHECK_EQ(0, run_cycles(WARMUP), "%d warm-up load+create+close cycles", WARMUP);
    long before = mem_free_kb();
    CHECK(before > 0, "MemFree is readable (%ld kB)", before);
    int failures = run_cycles(CYCLES);
    long after = mem_free_kb();
    CHECK_EQ(0, failures, "%d PROG_LOAD + MAP_CREATE + update + close cycles", CYCLES);
    if (!ext_kernel) {
        DIAG("MemFree before %ld kB, after %ld kB", before, after);
        tap_skip("not the ext-ebpf kernel", "MemFree unchanged after %d cycles", CYCLES);
    } else {
        CHECK_EQ(before, after, "MemFree unchanged after %d cycles (no leaked pages)", CYCLES);
    }
    return tap_done();
}
