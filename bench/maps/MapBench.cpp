// Map benchmark: ns per map operation measured from a BPF program in our interpreter and, in
// the same run, on the host kernel through BPF_PROG_TEST_RUN with repeat. Each program does
// 32 operations on keys derived from bpf_get_prandom_u32(); the cost of the same program with
// the map helper calls replaced by "r0 = 0" is subtracted and the rest divided by 32. Lookups and updates run on
// prefilled maps (updates replace existing keys); "insert+delete" inserts a fresh key into an
// empty map and deletes it again (one pair per operation). The host kernel JIT-compiles the
// programs (x86_64 has the JIT always on) and inlines array lookups; ours are interpreted.
// Never pass/fail.
//
// Usage: bpf-maps-bench [--quick]
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/helpers/HelperProto.h"
#include "bpf/isa/Decoder.h"
#include "bpf/isa/Interpreter.h"
#include "bpf/isa/Program.h"
#include "bpf/maps/MapFactory.h"
#include "bpf/maps/RingbufMap.h"
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <linux/bpf.h>
#include <sched.h>
#include <string>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace {

constexpr int ops_per_run = 32;

struct BenchEnvironment : bpf::HelperEnvironment {
    u64 state = 0x9e3779b97f4a7c15ull;
    u32 possible_cpus() override { return static_cast<u32>(sysconf(_SC_NPROCESSORS_CONF)); }
    u32 prandom_u32() override
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return static_cast<u32>(state);
    }
};

enum class Kind { Empty, Lookup, Update, UpdateDelete, Ringbuf };

struct Builder {
    std::vector<bpf_insn> code;
    void emit(u8 op, u8 dst, u8 src, i16 off, i32 imm)
    {
        bpf_insn insn {};
        insn.code = op;
        insn.dst_reg = dst;
        insn.src_reg = src;
        insn.off = off;
        insn.imm = imm;
        code.push_back(insn);
    }
    void ld_map(u8 dst, int fd)
    {
        emit(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd);
        emit(0, 0, 0, 0, 0);
    }
    bool calls = true;
    // The skeleton variant keeps every instruction but the helper call (r0 = 0 instead).
    void call(i32 id)
    {
        if (calls || id == BPF_FUNC_get_prandom_u32)
            emit(BPF_JMP | BPF_CALL, 0, 0, 0, id);
        else
            emit(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
    }
    void mov_imm(u8 dst, i32 imm) { emit(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
    void mov_reg(u8 dst, u8 src) { emit(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
    void add_imm(u8 dst, i32 imm) { emit(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm); }
    void and_imm(u8 dst, i32 imm) { emit(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm); }
    void stx_w(u8 base, i16 off, u8 src) { emit(BPF_STX | BPF_MEM | BPF_W, base, src, off, 0); }
    void st_dw(u8 base, i16 off, i32 imm) { emit(BPF_ST | BPF_MEM | BPF_DW, base, 0, off, imm); }
};

// r7 = random start key; per op: r7 = (r7 + 7919) & mask; key at fp-4, value at fp-16.
std::vector<bpf_insn> make_program(Kind kind, int map_fd, u32 key_mask, bool calls = true)
{
    Builder b;
    b.calls = calls;
    b.call(BPF_FUNC_get_prandom_u32);
    b.mov_reg(7, 0);
    b.st_dw(10, -16, 1);
    for (int i = 0; kind != Kind::Empty && i < ops_per_run; ++i) {
        if (kind == Kind::Ringbuf) {
            b.ld_map(1, map_fd);
            b.mov_imm(2, 16);
            b.mov_imm(3, 0);
            b.call(BPF_FUNC_ringbuf_reserve);
            b.emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3, 0);
            b.mov_reg(1, 0);
            b.mov_imm(2, BPF_RB_NO_WAKEUP);
            b.call(BPF_FUNC_ringbuf_submit);
            continue;
        }
        b.add_imm(7, 7919);
        b.and_imm(7, static_cast<i32>(key_mask));
        b.stx_w(10, -4, 7);
        b.ld_map(1, map_fd);
        b.mov_reg(2, 10);
        b.add_imm(2, -4);
        if (kind == Kind::Lookup) {
            b.call(BPF_FUNC_map_lookup_elem);
        } else {
            b.mov_reg(3, 10);
            b.add_imm(3, -16);
            b.mov_imm(4, 0);
            b.call(BPF_FUNC_map_update_elem);
            if (kind == Kind::UpdateDelete) {
                b.ld_map(1, map_fd);
                b.mov_reg(2, 10);
                b.add_imm(2, -4);
                b.call(BPF_FUNC_map_delete_elem);
            }
        }
    }
    b.mov_imm(0, 0);
    b.emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    return b.code;
}

// Thread CPU time: time spent preempted by other processes does not count, like the host
// kernel's BPF_PROG_TEST_RUN timer, which stops while it reschedules.
double now_ns()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

long sys_bpf(int cmd, bpf_attr* attr) { return syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

// ---- Host kernel side ----
struct LinuxTarget {
    int map_fd = -1;
    void* ring_consumer = nullptr;
    void* ring_producer = nullptr;
    long ring_size = 0;
};

int linux_create(u32 type, u32 key, u32 value, u32 max)
{
    bpf_attr a {};
    a.map_type = type;
    a.key_size = key;
    a.value_size = value;
    a.max_entries = max;
    return static_cast<int>(sys_bpf(BPF_MAP_CREATE, &a));
}

// Average ns per program run over `repeat` runs, or -1.
double linux_run(std::vector<bpf_insn> const& code, u32 repeat)
{
    static char log[65536];
    bpf_attr a {};
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = reinterpret_cast<u64>(code.data());
    a.insn_cnt = static_cast<u32>(code.size());
    a.license = reinterpret_cast<u64>("GPL");
    a.log_buf = reinterpret_cast<u64>(log);
    a.log_size = sizeof(log);
    a.log_level = 1;
    int prog = static_cast<int>(sys_bpf(BPF_PROG_LOAD, &a));
    if (prog < 0) {
        std::fprintf(stderr, "host prog load failed: %s\n%.2000s\n", std::strerror(errno), log);
        return -1;
    }
    u8 packet[64] = {};
    bpf_attr t {};
    t.test.prog_fd = static_cast<u32>(prog);
    t.test.data_in = reinterpret_cast<u64>(packet);
    t.test.data_size_in = sizeof(packet);
    t.test.repeat = repeat;
    long r = sys_bpf(BPF_PROG_TEST_RUN, &t);
    close(prog);
    if (r < 0) {
        std::fprintf(stderr, "host test run failed: %s\n", std::strerror(errno));
        return -1;
    }
    return t.test.duration; // ns per run (averaged by the kernel)
}

// ---- Our side ----
struct OursTarget {
    RefPtr<bpf::Map> map;
};

ErrorOr<u64> resolve(void* context, u8 kind, u32, u32)
{
    if (kind != BPF_PSEUDO_MAP_FD)
        return Error(EINVAL);
    return reinterpret_cast<u64>(static_cast<bpf::Map*>(context));
}

double ours_run(std::vector<bpf_insn> const& code, bpf::Map* map, u32 repeat, bpf::RingbufMap* ring)
{
    auto raw = Span<bpf::isa::RawInstruction const>(reinterpret_cast<bpf::isa::RawInstruction const*>(code.data()), code.size());
    auto decoded = bpf::isa::decode(raw);
    if (decoded.is_error())
        return -1;
    bpf::isa::ExecutionEnvironment env;
    env.helpers = bpf::helper_table();
    env.helper_count = bpf::helper_table_size();
    bpf::isa::PseudoResolver resolver { resolve, map };
    auto program = bpf::Program::try_create(decoded.release_value(), env, nullptr, &resolver);
    if (program.is_error())
        return -1;
    bpf::isa::Arguments args;
    u8 packet[64] = {};
    args.r1 = reinterpret_cast<u64>(packet);
    double best = 1e30;
    for (int round = 0; round < 3; ++round) {
        if (ring)
            ring->set_consumer_position(ring->producer_position());
        double start = now_ns();
        for (u32 i = 0; i < repeat; ++i)
            (void)bpf::isa::run(*program.value(), args);
        double per_run = (now_ns() - start) / repeat;
        if (per_run < best)
            best = per_run;
    }
    return best;
}

struct Row {
    std::string name;
    double ours;
    double linux_ns;
};

void prefill(int linux_fd, bpf::Map* ours, u32 entries)
{
    u64 value = 1;
    for (u32 k = 0; k < entries; ++k) {
        if (linux_fd >= 0) {
            bpf_attr a {};
            a.map_fd = static_cast<u32>(linux_fd);
            a.key = reinterpret_cast<u64>(&k);
            a.value = reinterpret_cast<u64>(&value);
            sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
        }
        (void)ours->sys_update(&k, &value, 0);
    }
}

}

int main(int argc, char** argv)
{
    bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    u32 repeat = quick ? 20000 : 200000;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    sched_setaffinity(0, sizeof(set), &set);
    BenchEnvironment env;
    bpf::install_helper_environment(&env);

    struct Case {
        char const* name;
        u32 type;
        u32 entries;
        Kind kind;
        bool prefilled;
    };
    Case const cases[] = {
        { "ARRAY lookup", BPF_MAP_TYPE_ARRAY, 1024, Kind::Lookup, false },
        { "ARRAY update", BPF_MAP_TYPE_ARRAY, 1024, Kind::Update, false },
        { "HASH 1k lookup", BPF_MAP_TYPE_HASH, 1024, Kind::Lookup, true },
        { "HASH 1k update", BPF_MAP_TYPE_HASH, 1024, Kind::Update, true },
        { "HASH 1k insert+delete", BPF_MAP_TYPE_HASH, 1024, Kind::UpdateDelete, false },
        { "HASH 64k lookup", BPF_MAP_TYPE_HASH, 65536, Kind::Lookup, true },
        { "HASH 64k update", BPF_MAP_TYPE_HASH, 65536, Kind::Update, true },
        { "HASH 64k insert+delete", BPF_MAP_TYPE_HASH, 65536, Kind::UpdateDelete, false },
        { "LRU_HASH 1k lookup", BPF_MAP_TYPE_LRU_HASH, 1024, Kind::Lookup, true },
        { "LRU_HASH 1k update", BPF_MAP_TYPE_LRU_HASH, 1024, Kind::Update, true },
        { "LRU_HASH 1k insert+delete", BPF_MAP_TYPE_LRU_HASH, 1024, Kind::UpdateDelete, false },
        { "RINGBUF reserve+submit", BPF_MAP_TYPE_RINGBUF, 64u << 20, Kind::Ringbuf, false },
    };

    std::vector<Row> rows;
    for (auto const& c : cases) {
        bool ring = c.type == BPF_MAP_TYPE_RINGBUF;
        u32 key_size = ring ? 0 : 4, value_size = ring ? 0 : 8;
        int linux_fd = linux_create(c.type, key_size, value_size, c.entries);
        bpf::MapAttributes a;
        a.map_type = c.type;
        a.key_size = key_size;
        a.value_size = value_size;
        a.max_entries = c.entries;
        auto ours = bpf::create_map(a);
        if (ours.is_error()) {
            std::fprintf(stderr, "%s: our map creation failed\n", c.name);
            continue;
        }
        RefPtr<bpf::Map> map = ours.release_value();
        if (c.prefilled)
            prefill(linux_fd, map.ptr(), c.entries);
        u32 mask = ring ? 0 : c.entries - 1;
        // Baseline: the same program with every map helper call replaced by "r0 = 0", so the
        // difference is the cost of the helper call and the map operation itself.
        auto empty = ring ? make_program(Kind::Empty, linux_fd, mask) : make_program(c.kind, linux_fd, mask, false);
        auto program = make_program(c.kind, linux_fd, mask);
        auto* ringbuf = ring ? static_cast<bpf::RingbufMap*>(map.ptr()) : nullptr;
        u32 our_repeat = ring ? repeat / 4 : repeat;
        double ours_ns = (ours_run(program, map.ptr(), our_repeat, ringbuf) - ours_run(empty, map.ptr(), our_repeat, nullptr)) / ops_per_run;
        double linux_ns = -1;
        if (linux_fd >= 0) {
            u32 linux_repeat = ring ? static_cast<u32>((64u << 20) / (ops_per_run * 24) - 16) : repeat;
            double with = linux_run(program, linux_repeat);
            double without = linux_run(empty, repeat);
            if (with >= 0 && without >= 0)
                linux_ns = (with - without) / ops_per_run;
            close(linux_fd);
        }
        rows.push_back({ c.name, ours_ns, linux_ns });
    }

    std::printf("| operation | ours (ns/op) | Linux (ns/op) | ours / Linux |\n|---|---:|---:|---:|\n");
    for (auto const& r : rows) {
        if (r.linux_ns > 0)
            std::printf("| %s | %.1f | %.1f | %.2f |\n", r.name.c_str(), r.ours, r.linux_ns, r.ours / r.linux_ns);
        else
            std::printf("| %s | %.1f | n/a | n/a |\n", r.name.c_str(), r.ours);
    }
    bpf::install_helper_environment(nullptr);
    return 0;
}
