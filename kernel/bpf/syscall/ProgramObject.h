// ProgramObject: a loaded BPF program as the bpf() syscall knows it — the verified, linked
// bpf::Program the interpreter runs, plus what Linux keeps in struct bpf_prog_aux: type,
// expected attach type, name, tag, license, load time, creator uid, the instructions as
// loaded (for OBJ_GET_INFO_BY_FD's xlated dump, with map fds replaced by map ids), the maps
// it uses (references: a program keeps its maps alive), its BTF with func/line info, and
// run statistics (BPF_ENABLE_STATS).
//
// Lifetime: referenced by program files (fds), pins, links and PROG_ARRAY slots (through
// the bpf::Program they hold; see docs/bpf/syscall.md for ids of programs only a PROG_ARRAY
// still holds). The id is released when the last reference goes.
//
// Locking: m_lock guards the used-map list (PROG_BIND_MAP appends to it); everything else is
// immutable after creation or atomic.
#pragma once

#include "bpf/isa/Encoding.h"
#include "bpf/isa/Program.h"
#include "bpf/syscall/BtfObject.h"
#include "bpf/syscall/MapObject.h"

namespace bpf::kernel {

struct ProgramInfo {
    u32 type { 0 };
    u32 expected_attach_type { 0 };
    u32 flags { 0 };
    char name[BPF_OBJ_NAME_LEN] {};
    u8 tag[BPF_TAG_SIZE] {};
    bool gpl_compatible { false };
    u64 load_time_ns { 0 };   // CLOCK_BOOTTIME
    u32 created_by_uid { 0 };
    u32 verified_insns { 0 };
    u32 attach_btf_id { 0 };
    u32 max_context_offset { 0 }; // highest context byte the program reads (from the verifier)
    Vector<isa::RawInstruction> xlated; // map references as ids (bpf_insn_prepare_dump)
    Vector<RefPtr<MapObject>> maps;
    RefPtr<BtfObject> btf;
    Vector<bpf_func_info> func_info;
    Vector<bpf_line_info> line_info;
};

class ProgramObject final : public BpfObject {
public:
    // Registers an id (ENOSPC when none is left).
    static ErrorOr<RefPtr<ProgramObject>> create(RefPtr<Program> program, ProgramInfo&& info);
    ~ProgramObject() override;

    Program const& program() const { return *m_program; }
    RefPtr<Program> program_ref() const { return m_program; }
    ProgramInfo const& info() const { return m_info; }
    u32 id() const { return m_id; }
    u32 type() const { return m_info.type; }
    // Bytes Linux would charge: the instruction array rounded up to pages (prog->pages).
    u64 memlock() const;

    // Runs the program with r1 = ctx (already verified: the unchecked interpreter). Updates
    // the run statistics when BPF_ENABLE_STATS is active.
    ErrorOr<u64> run(u64 ctx, u64 r2 = 0);

    // PROG_BIND_MAP: adds `map` to the used maps unless it is already there.
    ErrorOr<void> bind_map(RefPtr<MapObject> map);
    // Ids of the used maps, in order.
    ErrorOr<Vector<u32>> map_ids() const;

    u64 run_count() const { return m_run_count.load(MemoryOrder::Relaxed); }
    u64 run_time_ns() const { return m_run_time_ns.load(MemoryOrder::Relaxed); }
    void account_run(u64 count, u64 nanoseconds);
    // An event that would have run the program while another traced program ran on the CPU.
    void count_recursion_miss() { m_recursion_misses.fetch_add(1, MemoryOrder::Relaxed); }
    u64 recursion_misses() const { return m_recursion_misses.load(MemoryOrder::Relaxed); }

    // The program object whose executable is `program` (for PROG_ARRAY lookups), or null.
    static RefPtr<ProgramObject> find_by_program(Program const& program);
    static IdRegistry<ProgramObject>& registry();

private:
    ProgramObject(RefPtr<Program> program, ProgramInfo&& info)
        : m_program(move(program))
        , m_info(move(info))
    {
    }

    RefPtr<Program> m_program;
    ProgramInfo m_info;
    u32 m_id { 0 };
    mutable Spinlock m_lock;
    Atomic<u64> m_run_count { 0 };
    Atomic<u64> m_run_time_ns { 0 };
    Atomic<u64> m_recursion_misses { 0 };
};

// BPF_ENABLE_STATS(BPF_STATS_RUN_TIME): statistics are collected while at least one stats
// fd is open.
bool run_time_stats_enabled();
void run_time_stats_acquire();
void run_time_stats_release();

}
