// VerifierEnv: everything one verification needs, and the checks as member functions split
// over several files (one concern each):
//
//   Cfg.cpp            structure: raw jump ranges, subprograms, DFS (unreachable, back-edges)
//   Liveness.cpp       static register/stack liveness and "relevance" (see Liveness.h)
//   MapResolution.cpp  LD_IMM64 map references -> used maps
//   DoCheck.cpp        the path-sensitive walk: branch stack, checkpoints, pruning, the log
//   CheckAlu.cpp       ALU: scalar range tracking and pointer arithmetic
//   CheckMemory.cpp    loads/stores/atomics for every pointer kind
//   CheckStack.cpp     stack slots: spills, fills, initialization
//   CheckJump.cpp      conditional jumps: branch prediction and range refinement
//   CheckCall.cpp      helper calls (prototypes), bpf-to-bpf calls, callbacks, exits
//   StateEquivalence.cpp  inclusion of states (pruning) and exact equality (loop detection)
//   Fixups.cpp         the xlated stream
//
// Error reporting: reject(errno, fmt, ...) prints Linux's message to the log and returns the
// errno; every check returns ErrorOr and the first error ends verification.
#pragma once

#include "bpf/isa/Instruction.h"
#include "bpf/maps/Map.h"
#include "bpf/verifier/Liveness.h"
#include "bpf/verifier/MapDescriptor.h"
#include "bpf/verifier/ProgramType.h"
#include "bpf/verifier/Verifier.h"
#include "bpf/verifier/VerifierState.h"

namespace bpf {
struct HelperProto;
}

namespace bpf::verifier {

struct SubprogInfo {
    u32 start { 0 };
    u32 end { 0 };           // one past the last instruction
    u32 stack_depth { 0 };   // bytes, multiple of 8
    bool is_callback { false };
    bool has_tail_call { false };
    bool has_ld_abs { false };
};

struct InsnAux {
    bool seen { false };
    bool prune_point { false };
    bool force_checkpoint { false };
    bool calls_callback { false };
    bool jump_taken { false };      // conditional jump: the target was explored
    bool fall_through { false };    // conditional jump: the next instruction was explored
    RegType ptr_type { RegType::NotInit }; // memory instructions: the base pointer kind
    bool ptr_type_mixed { false };
    u8 ctx_field_size { 0 };
    i32 map_index { -1 };           // LD_IMM64: index into used_maps
    u64 map_address { 0 };          // LD_IMM64: the value after resolution
};

// Per-register scratch marks for the log (Linux prints only what an instruction touched).
struct ScratchMarks {
    u16 regs { 0 };
    u64 slots { 0 };
    void all() { regs = 0xffff, slots = ~0ull; }
    void clear() { regs = 0, slots = 0; }
};

struct StackElement {
    OwnPtr<VerifierState> state;
    u32 insn_idx;
    u32 prev_insn_idx;
    u64 log_pos;
};

struct ExploredState {
    OwnPtr<VerifierState> state;
    u32 hit_count { 0 };
    u32 miss_count { 0 };
};

// Scratch id mapping between two states being compared (Linux's bpf_idmap).
struct IdMap {
    struct Pair {
        u32 old_id;
        u32 cur_id;
    };
    Pair pairs[600];
    u32 count { 0 };
    u32 tmp_id_gen { 0 };
    void reset(u32 first_tmp) { count = 0, tmp_id_gen = first_tmp; }
    bool check(u32 old_id, u32 cur_id);
    bool check_scalar(u32 old_id, u32 cur_id);
};

enum class StepResult : u8 {
    Continue,  // go on with env.insn_idx
    PathDone,  // the path ended (exit of the main program)
};

// Data a helper call collects while its arguments are checked (Linux's bpf_call_arg_meta).
struct CallArgMeta {
    MapDescriptor const* map { nullptr };
    i64 const_map_key { -1 };
    bool raw_mode { false };
    u32 raw_regno { 0 };
    i64 access_size { 0 };
    i32 ref_obj_id { 0 };
    u32 release_regno { 0 };
    i64 msize_max { 0 };
    i32 subprogno { -1 };
    u32 func_id { 0 };
    i64 mem_size { 0 };   // ARG_CONST_ALLOC_SIZE_OR_ZERO
};

class VerifierEnv {
public:
    VerifierEnv(VerifyRequest const& request, VerifierLog& log);
    ~VerifierEnv();
    ErrorOr<VerifiedProgram> run();

    // ---- shared by the check files -----------------------------------------------------
    Error reject(int error, char const* fmt, ...) __attribute__((format(printf, 3, 4)));
    void verbose(char const* fmt, ...) __attribute__((format(printf, 2, 3)));
    bool logging() const { return m_log.enabled(); }

    VerifyRequest const& m_request;
    VerifierLog& m_log;
    ProgramTypeOps const* m_ops { nullptr };
    Vector<isa::RawInstruction> m_raw;
    Vector<isa::Instruction> m_insns;
    Vector<InsnAux> m_aux;
    Vector<SubprogInfo> m_subprogs;
    Liveness m_liveness;
    Vector<RefPtr<Map>> m_used_maps;
    Vector<OwnPtr<MapDescriptor>> m_map_descriptors; // [i] describes m_used_maps[i]
    Vector<OwnPtr<MapDescriptor>> m_inner_descriptors;

    // walk state
    OwnPtr<VerifierState> m_cur;
    Vector<StackElement> m_stack;
    Vector<Vector<ExploredState>> m_explored; // per instruction
    Vector<OwnPtr<VerifierState>> m_detached;  // evicted checkpoints whose paths are still running
    u32 m_insn_idx { 0 };
    u32 m_prev_insn_idx { 0 };
    u32 m_id_gen { 0 };
    u32 m_jmps_processed { 0 };
    u32 m_prev_jmps_processed { 0 };
    u32 m_prev_insn_processed { 0 };
    u32 m_explored_count { 0 };
    u32 m_max_ctx_offset { 0 };
    bool m_has_tail_call { false };
    bool m_do_print_state { false };
    u64 m_prev_log_pos { 0 };
    u32 m_prev_insn_print_len { 0 };
    ScratchMarks m_scratch;
    IdMap m_idmap;
    VerifierStats m_stats;

    // ---- phases -------------------------------------------------------------------------
    ErrorOr<void> check_raw_structure();
    ErrorOr<void> decode_program();
    ErrorOr<void> reject_atomic_encoding(isa::RawInstruction const& insn);
    ErrorOr<void> resolve_map_references();
    ErrorOr<void> check_subprogs();
    ErrorOr<void> check_cfg();
    ErrorOr<void> do_check_main();
    ErrorOr<void> check_max_stack_depth();
    ErrorOr<VerifiedProgram> build_result();

    // ---- the walk (DoCheck.cpp) ----------------------------------------------------------
    ErrorOr<void> do_check();
    ErrorOr<StepResult> do_check_insn();
    ErrorOr<bool> is_state_visited(u32 insn_idx);
    ErrorOr<VerifierState*> push_stack(u32 insn_idx, u32 prev_insn_idx);
    ErrorOr<bool> pop_stack();
    void update_branch_counts(VerifierState* state);
    void print_insn_state(u32 frameno);
    void print_verifier_state(VerifierState const& state, u32 frameno, bool print_all);
    void print_insn(u32 index);

    // ---- registers ----------------------------------------------------------------------
    RegisterState* regs() { return m_cur->regs(); }
    FrameState& cur_frame() { return m_cur->frame(); }
    FrameState& frame_of(RegisterState const& stack_pointer) { return *m_cur->frames[stack_pointer.frameno]; }
    ErrorOr<void> check_reg_read(u32 regno);
    ErrorOr<void> check_reg_write(u32 regno);
    void mark_reg_unknown(RegisterState& reg);
    void mark_reg_not_init(RegisterState& reg);
    void mark_scratched(u32 regno) { m_scratch.regs |= static_cast<u16>(1u << regno); }
    void mark_slot_scratched(u32 spi) { m_scratch.slots |= 1ull << spi; }
    bool is_pointer_value(RegisterState const& reg) const;
    void assign_scalar_id_before_mov(RegisterState& src);
    u32 new_id() { return ++m_id_gen; }

    // ---- ALU (CheckAlu.cpp) ---------------------------------------------------------------
    ErrorOr<void> check_alu(isa::Instruction const& insn);
    ErrorOr<void> check_mov(isa::Instruction const& insn);
    ErrorOr<void> adjust_reg_min_max_vals(isa::Instruction const& insn);
    ErrorOr<void> adjust_ptr_min_max_vals(isa::Instruction const& insn, RegisterState const& ptr, RegisterState const& off_reg);
    bool check_reg_sane_offset(RegisterState const& reg, RegType type);

    // ---- memory (CheckMemory.cpp, CheckStack.cpp) ----------------------------------------
    ErrorOr<void> check_load(isa::Instruction const& insn);
    ErrorOr<void> check_store(isa::Instruction const& insn);
    ErrorOr<void> check_atomic(isa::Instruction const& insn);
    ErrorOr<void> check_mem_access(u32 regno, i32 off, u32 size, AccessType type, i32 value_regno, bool is_ldsx, bool strict_alignment);
    ErrorOr<void> check_ctx_access(u32 regno, i32 off, u32 size, AccessType type, i32 value_regno, bool is_ldsx);
    ErrorOr<void> check_map_access(u32 regno, i32 off, u32 size, bool zero_size_allowed, u32 value_size, char const* kind);
    ErrorOr<void> check_mem_region_access(u32 regno, i32 off, u32 size, u32 mem_size, bool zero_size_allowed, char const* kind);
    ErrorOr<void> check_packet_access(u32 regno, i32 off, u32 size, bool zero_size_allowed);
    ErrorOr<void> check_ptr_off_reg(RegisterState const& reg, u32 regno, bool fixed_off_ok);
    ErrorOr<void> record_ptr_type(RegType type);
    ErrorOr<void> check_ld_imm64(isa::Instruction const& insn);
    ErrorOr<void> check_ld_abs(isa::Instruction const& insn);

    ErrorOr<void> check_stack_access_within_bounds(u32 regno, i32 off, i64 access_size, AccessType type);
    ErrorOr<void> check_stack_read(u32 ptr_regno, i32 off, u32 size, i32 dst_regno);
    ErrorOr<void> check_stack_write(u32 ptr_regno, i32 off, u32 size, i32 value_regno);
    ErrorOr<void> check_stack_read_fixed_off(FrameState& state, i32 off, u32 size, i32 dst_regno);
    ErrorOr<void> check_stack_write_fixed_off(FrameState& state, i32 off, u32 size, i32 value_regno);
    ErrorOr<void> check_stack_write_var_off(FrameState& state, u32 ptr_regno, i32 off, u32 size, i32 value_regno);
    void mark_reg_stack_read(FrameState& state, i64 min_off, i64 max_off, u32 dst_regno);
    ErrorOr<void> check_stack_range_initialized(u32 regno, i32 off, i64 access_size, bool zero_size_allowed, AccessType type,
        CallArgMeta* meta);
    ErrorOr<void> grow_stack(FrameState& state, u32 bytes);

    // ---- jumps (CheckJump.cpp) ------------------------------------------------------------
    ErrorOr<StepResult> check_cond_jmp(isa::Instruction const& insn);

    // ---- calls and exits (CheckCall.cpp) ----------------------------------------------------
    ErrorOr<void> check_helper_call(isa::Instruction const& insn);
    ErrorOr<void> check_func_arg(u32 arg, u32 arg_type, HelperProto const& proto, CallArgMeta& meta);
    ErrorOr<void> check_helper_mem_access(u32 regno, i64 access_size, AccessType type, bool zero_size_allowed, CallArgMeta* meta);
    ErrorOr<void> check_mem_size_reg(u32 regno, bool zero_size_allowed, AccessType type, CallArgMeta& meta);
    ErrorOr<void> check_map_func_compatibility(MapDescriptor const* map, u32 func_id);
    ErrorOr<void> check_subprog_call(isa::Instruction const& insn);
    ErrorOr<void> setup_callee_frame(VerifierState& state, u32 subprog, u32 callsite);
    ErrorOr<StepResult> check_exit();
    ErrorOr<void> prepare_func_exit();
    void widen_changed_scalars(u32 callsite);
    ErrorOr<void> check_return_code();
    ErrorOr<void> check_reference_leak(char const* where);
    void clear_caller_saved_regs();
    u32 find_subprog(u32 start) const;
    ErrorOr<void> mark_ptr_or_null_regs(VerifierState& state, u32 regno, bool is_null);

    // ---- equivalence (StateEquivalence.cpp) --------------------------------------------------
    bool states_equal(VerifierState const& old, VerifierState const& cur, bool exact);
    bool states_maybe_looping(VerifierState const& old, VerifierState const& cur) const;
    bool func_states_equal(FrameState const& old, FrameState const& cur, u32 frame, VerifierState const& state, bool exact);
    bool regsafe(RegisterState const& old, RegisterState const& cur, bool relevant, bool exact);
    bool stacksafe(FrameState const& old, FrameState const& cur, u64 live_slots, u64 relevant_slots, bool exact);

    // ---- fixups (Fixups.cpp) ----------------------------------------------------------------
    ErrorOr<void> convert_ctx_accesses(Vector<isa::RawInstruction>& out);
};

}
