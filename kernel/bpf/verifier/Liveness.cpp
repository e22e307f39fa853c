// Static liveness and relevance (see Liveness.h): a forward "which registers hold fp + c"
// analysis, then a backward dataflow over each subprogram's control-flow graph.
#include "bpf/verifier/Liveness.h"
#include "bpf/helpers/HelperProto.h"
#include "bpf/isa/Encoding.h"

namespace bpf::verifier {

using isa::Instruction;
using isa::Op;
using isa::encoding::pseudo_func;

namespace {

constexpr u64 all_slots = ~0ull;
constexpr u16 caller_saved = 0x3f;    // r0..r5
constexpr u16 argument_regs = 0x3e;   // r1..r5

// What a register may point to, as far as the current frame's stack is concerned.
struct FpValue {
    enum Kind : u8 {
        Unreached, // no path reaches here yet (bottom)
        NotStack,  // never a pointer into the current frame's stack
        Fp,        // exactly fp + offset
        Top,       // may point anywhere into the current frame's stack
    };
    Kind kind { Unreached };
    i32 offset { 0 };

    bool operator==(FpValue const&) const = default;
    static FpValue join(FpValue a, FpValue b)
    {
        if (a.kind == Unreached)
            return b;
        if (b.kind == Unreached)
            return a;
        if (a == b)
            return a;
        if (a.kind == NotStack && b.kind == NotStack)
            return a;
        return { Top, 0 };
    }
    bool may_be_stack() const { return kind == Fp || kind == Top; }
};

// Per register: the fp+constant facts, whether it may hold a pointer at all, and which map
// (LD_IMM64 map reference) it holds when that is known (-1: unknown or none).
struct FpState {
    FpValue regs[11];
    bool may_be_pointer[11] {};
    i32 map[11] {};
    bool reached { false };
    bool operator==(FpState const&) const = default;

    void join(FpState const& other)
    {
        if (!other.reached)
            return;
        if (!reached) {
            *this = other;
            return;
        }
        for (u32 r = 0; r < 11; ++r) {
            regs[r] = FpValue::join(regs[r], other.regs[r]);
            may_be_pointer[r] = may_be_pointer[r] || other.may_be_pointer[r];
            if (map[r] != other.map[r])
                map[r] = -1;
        }
    }
};

bool is_cond_jump(Op op) { return op >= Op::JeqImm && op <= Op::Jset32Reg; }
bool is_alu32(Op op)
{
    if (op >= Op::Add64Imm && op <= Op::Mov32Reg) {
        u32 variant = (static_cast<u32>(op) - static_cast<u32>(Op::Add64Imm)) % 4;
        return variant >= 2;
    }
    return op == Op::Neg32 || op == Op::Movsx8To32 || op == Op::Movsx16To32;
}
bool alu_uses_reg(Op op) { return op >= Op::Add64Imm && op <= Op::Mov32Reg && ((static_cast<u32>(op) - static_cast<u32>(Op::Add64Imm)) % 2) == 1; }
bool is_alu(Op op) { return op >= Op::Add64Imm && op <= Op::Bswap64; }
bool is_load(Op op) { return (op >= Op::LdxB && op <= Op::LdxsW) || (op >= Op::LoadAcquireB && op <= Op::LoadAcquireDW); }
bool is_store_reg(Op op) { return (op >= Op::StxB && op <= Op::StxDW) || (op >= Op::StoreReleaseB && op <= Op::StoreReleaseDW); }
bool is_store_imm(Op op) { return op >= Op::StB && op <= Op::StDW; }
bool is_atomic(Op op) { return op >= Op::AtomicAdd32 && op <= Op::AtomicCmpxchg64; }

u32 access_size(Op op)
{
    switch (op) {
    case Op::LdxB: case Op::LdxsB: case Op::StB: case Op::StxB: case Op::LoadAcquireB: case Op::StoreReleaseB:
        return 1;
    case Op::LdxH: case Op::LdxsH: case Op::StH: case Op::StxH: case Op::LoadAcquireH: case Op::StoreReleaseH:
        return 2;
    case Op::LdxW: case Op::LdxsW: case Op::StW: case Op::StxW: case Op::LoadAcquireW: case Op::StoreReleaseW:
        return 4;
    default:
        break;
    }
    if (is_atomic(op)) {
        switch (op) {
        case Op::AtomicAdd32: case Op::AtomicAddFetch32: case Op::AtomicOr32: case Op::AtomicOrFetch32:
        case Op::AtomicAnd32: case Op::AtomicAndFetch32: case Op::AtomicXor32: case Op::AtomicXorFetch32:
        case Op::AtomicXchg32: case Op::AtomicCmpxchg32:
            return 4;
        default:
            return 8;
        }
    }
    return 8;
}

// Slots covering bytes [start, start + size) of the frame (start < 0); clamped to the frame.
u64 slots_of(i64 start, i64 size)
{
    i64 end = start + size;
    if (start < -512)
        start = -512;
    if (end > 0)
        end = 0;
    if (start >= end)
        return 0;
    u32 high = static_cast<u32>((-start - 1) / 8);
    u32 low = static_cast<u32>(-end / 8);
    u64 mask = 0;
    for (u32 s = low; s <= high && s < 64; ++s)
        mask |= 1ull << s;
    return mask;
}

// Slots at or above fp + offset: what a callee or helper may read through that pointer.
u64 slots_from(i32 offset) { return offset >= 0 ? 0 : slots_of(offset, -static_cast<i64>(offset)); }

u64 slots_through(FpValue value)
{
    if (value.kind == FpValue::Fp)
        return slots_from(value.offset);
    if (value.kind == FpValue::Top)
        return all_slots;
    return 0;
}

u16 bit(u32 reg) { return static_cast<u16>(1u << reg); }

void forward_transfer(Instruction const& insn, FpState& s, i32 map_of_lddw)
{
    Op op = insn.op;
    FpValue not_stack { FpValue::NotStack, 0 };
    FpValue top { FpValue::Top, 0 };
    // Pointer-ness and map identity first (they read the state before the instruction).
    if (is_alu(op)) {
        bool pointer = false;
        if (op == Op::Mov64Reg)
            pointer = s.may_be_pointer[insn.src];
        else if (op == Op::Add64Reg)
            pointer = s.may_be_pointer[insn.dst] || s.may_be_pointer[insn.src];
        else if (op == Op::Sub64Reg || op == Op::Add64Imm || op == Op::Sub64Imm)
            pointer = s.may_be_pointer[insn.dst];
        s.may_be_pointer[insn.dst] = pointer;
        s.map[insn.dst] = op == Op::Mov64Reg ? s.map[insn.src] : -1;
    } else if (is_load(op)) {
        u32 size = access_size(op);
        bool sign = op >= Op::LdxsB && op <= Op::LdxsW;
        s.may_be_pointer[insn.dst] = size == 8 || (size == 4 && !sign) || (size == 4 && sign);
        s.map[insn.dst] = -1;
    } else if (is_atomic(op)) {
        bool fetch = op == Op::AtomicXchg32 || op == Op::AtomicXchg64 || op == Op::AtomicCmpxchg32 || op == Op::AtomicCmpxchg64
            || ((static_cast<u32>(op) - static_cast<u32>(Op::AtomicAdd32)) % 4) >= 2;
        u32 target = (op == Op::AtomicCmpxchg32 || op == Op::AtomicCmpxchg64) ? 0 : insn.src;
        if (fetch) {
            s.may_be_pointer[target] = access_size(op) == 8;
            s.map[target] = -1;
        }
    } else if (op == Op::LdImm64) {
        s.may_be_pointer[insn.dst] = insn.pseudo != 0;
        bool map_pointer = insn.pseudo == isa::encoding::pseudo_map_fd || insn.pseudo == isa::encoding::pseudo_map_idx;
        s.map[insn.dst] = map_pointer ? map_of_lddw : -1;
    } else if (op == Op::Call || op == Op::CallUnwind || op == Op::TailCall || op == Op::CallLocal || op == Op::Callx
        || (op >= Op::LdAbsB && op <= Op::LdIndW)) {
        for (u32 r = 0; r <= 5; ++r) {
            s.may_be_pointer[r] = r == 0 && !(op >= Op::LdAbsB && op <= Op::LdIndW);
            s.map[r] = -1;
        }
    }
    if (is_alu(op)) {
        FpValue& dst = s.regs[insn.dst];
        if (is_alu32(op)) {
            dst = not_stack;
            return;
        }
        switch (op) {
        case Op::Mov64Reg:
            dst = s.regs[insn.src];
            return;
        case Op::Add64Imm:
        case Op::Sub64Imm: {
            if (dst.kind == FpValue::Fp) {
                i64 delta = static_cast<i64>(insn.imm);
                i64 next = op == Op::Add64Imm ? dst.offset + delta : dst.offset - delta;
                dst = (next >= INT32_MIN && next <= INT32_MAX) ? FpValue { FpValue::Fp, static_cast<i32>(next) } : top;
            }
            return;
        }
        case Op::Add64Reg:
            if (dst.may_be_stack() || s.regs[insn.src].may_be_stack())
                dst = top;
            return;
        case Op::Sub64Reg:
            if (dst.may_be_stack())
                dst = top;
            return;
        default:
            dst = not_stack;
            return;
        }
    }
    if (is_load(op)) {
        s.regs[insn.dst] = s.regs[insn.src].may_be_stack() ? top : not_stack;
        return;
    }
    if (is_atomic(op)) {
        bool fetch = op == Op::AtomicXchg32 || op == Op::AtomicXchg64 || op == Op::AtomicCmpxchg32 || op == Op::AtomicCmpxchg64
            || ((static_cast<u32>(op) - static_cast<u32>(Op::AtomicAdd32)) % 4) >= 2;
        if (op == Op::AtomicCmpxchg32 || op == Op::AtomicCmpxchg64)
            s.regs[0] = s.regs[insn.dst].may_be_stack() ? top : not_stack;
        else if (fetch)
            s.regs[insn.src] = s.regs[insn.dst].may_be_stack() ? top : not_stack;
        return;
    }
    switch (op) {
    case Op::LdImm64:
        s.regs[insn.dst] = not_stack;
        return;
    case Op::Call:
    case Op::CallUnwind:
    case Op::TailCall:
    case Op::CallLocal:
    case Op::Callx:
    case Op::LdAbsB: case Op::LdAbsH: case Op::LdAbsW: case Op::LdIndB: case Op::LdIndH: case Op::LdIndW:
        for (u32 r = 0; r <= 5; ++r)
            s.regs[r] = not_stack;
        return;
    default:
        return;
    }
}

// Successors of instruction `index` inside its subprogram.
u32 successors(Span<Instruction const> insns, u32 index, u32 out[2])
{
    Instruction const& insn = insns[index];
    switch (insn.op) {
    case Op::Exit:
        return 0;
    case Op::Ja:
    case Op::Gotol:
        out[0] = insn.target;
        return 1;
    case Op::LdImm64:
        out[0] = index + 2;
        return index + 2 < insns.size() ? 1 : 0;
    default:
        break;
    }
    u32 count = 0;
    if (index + 1 < insns.size())
        out[count++] = index + 1;
    if (is_cond_jump(insn.op))
        out[count++] = insn.target;
    return count;
}

struct Transfer {
    u16 use_live { 0 };
    u16 use_relevant { 0 };
    u16 def { 0 };
    u64 gen_live_slots { 0 };
    u64 gen_relevant_slots { 0 };
    u64 kill_slots { 0 };
};

void helper_uses(u32 id, FpState const& fp, Transfer& t, Span<u32 const> key_sizes)
{
    HelperProto const* proto = helper_proto(id);
    if (!proto) {
        t.use_live |= argument_regs;
        t.use_relevant |= argument_regs;
        t.gen_live_slots |= all_slots;
        t.gen_relevant_slots |= all_slots;
        return;
    }
    for (u32 arg = 0; arg < 5; ++arg) {
        u32 type = base_type(proto->arg_type[arg]);
        if (type == ARG_DONTCARE)
            continue;
        u32 reg = arg + 1;
        t.use_live |= bit(reg);
        if (type == ARG_ANYTHING)
            continue;
        t.use_relevant |= bit(reg);
        u64 slots = slots_through(fp.regs[reg]);
        // A key is read for its size when the map is known (r1 loaded from a map reference).
        if (type == ARG_PTR_TO_MAP_KEY && fp.regs[reg].kind == FpValue::Fp && fp.map[1] >= 0
            && static_cast<u32>(fp.map[1]) < key_sizes.size())
            slots = slots_of(fp.regs[reg].offset, key_sizes[static_cast<u32>(fp.map[1])]);
        t.gen_live_slots |= slots;
        // Only keys (constant keys decide whether an array lookup can fail) and callback
        // contexts (the callback's code reads them) have contents that matter; other memory
        // arguments are only copied by the helper.
        if (type == ARG_PTR_TO_MAP_KEY || type == ARG_PTR_TO_STACK)
            t.gen_relevant_slots |= slots;
    }
}

}

ErrorOr<void> Liveness::compute(Span<Instruction const> insns, Span<u32 const> subprog_starts, bool main_return_checked,
    Span<i32 const> lddw_maps, Span<u32 const> key_sizes)
{
    u32 count = static_cast<u32>(insns.size());
    TRY(m_in.try_resize(count));
    for (auto& set : m_in)
        set = {};

    // Subprogram of each instruction (main = 0).
    Vector<u32> subprog_of;
    TRY(subprog_of.try_resize(count));
    for (u32 s = 0; s < subprog_starts.size(); ++s) {
        u32 end = s + 1 < subprog_starts.size() ? subprog_starts[s + 1] : count;
        for (u32 i = subprog_starts[s]; i < end; ++i)
            subprog_of[i] = s;
    }

    // Forward: fp + constant tracking.
    Vector<FpState> fp_in;
    TRY(fp_in.try_resize(count));
    Vector<u32> worklist;
    Vector<bool> queued;
    TRY(queued.try_resize(count));
    for (u32 start : subprog_starts) {
        FpState entry;
        entry.reached = true;
        for (u32 r = 0; r < 10; ++r) {
            entry.regs[r] = { FpValue::NotStack, 0 };
            entry.may_be_pointer[r] = start == 0 ? r == 1 : (r >= 1 && r <= 5);
            entry.map[r] = -1;
        }
        entry.regs[10] = { FpValue::Fp, 0 };
        entry.may_be_pointer[10] = true;
        entry.map[10] = -1;
        fp_in[start] = entry;
        TRY(worklist.try_append(start));
        queued[start] = true;
    }
    while (!worklist.is_empty()) {
        u32 index = worklist.take_last();
        queued[index] = false;
        FpState out = fp_in[index];
        forward_transfer(insns[index], out, index < lddw_maps.size() ? lddw_maps[index] : -1);
        u32 next[2];
        u32 n = successors(insns, index, next);
        for (u32 k = 0; k < n; ++k) {
            FpState joined = fp_in[next[k]];
            joined.join(out);
            if (!(joined == fp_in[next[k]])) {
                fp_in[next[k]] = joined;
                if (!queued[next[k]]) {
                    queued[next[k]] = true;
                    TRY(worklist.try_append(next[k]));
                }
            }
        }
    }

    // Per-instruction transfer functions.
    Vector<Transfer> transfer;
    TRY(transfer.try_resize(count));
    for (u32 i = 0; i < count; ++i) {
        Instruction const& insn = insns[i];
        FpState const& fp = fp_in[i];
        Transfer& t = transfer[i];
        bool in_subprog = subprog_of[i] != 0;
        Op op = insn.op;
        if (is_alu(op)) {
            bool reads_src = alu_uses_reg(op) || (op >= Op::Movsx8To64 && op <= Op::Movsx16To32);
            bool is_mov = op == Op::Mov64Reg || op == Op::Mov32Reg || op == Op::Mov64Imm || op == Op::Mov32Imm
                || (op >= Op::Movsx8To64 && op <= Op::Movsx16To32);
            t.def = bit(insn.dst);
            if (!is_mov)
                t.use_live |= bit(insn.dst);
            if (reads_src)
                t.use_live |= bit(insn.src);
            // add/sub of two registers may be pointer arithmetic: the scalar bounds matter
            // at this instruction whatever happens to the result.
            if ((op == Op::Add64Reg || op == Op::Sub64Reg) && (fp.may_be_pointer[insn.dst] || fp.may_be_pointer[insn.src]))
                t.use_relevant |= bit(insn.dst) | bit(insn.src);
            continue;
        }
        if (is_load(op)) {
            t.use_live |= bit(insn.src);
            t.use_relevant |= bit(insn.src);
            t.def = bit(insn.dst);
            u64 slots = fp.regs[insn.src].kind == FpValue::Fp ? slots_of(fp.regs[insn.src].offset + static_cast<i64>(insn.offset), access_size(op))
                                                              : slots_through(fp.regs[insn.src]);
            t.gen_live_slots |= slots;
            continue;
        }
        if (is_store_reg(op) || is_store_imm(op)) {
            t.use_live |= bit(insn.dst);
            t.use_relevant |= bit(insn.dst);
            if (is_store_reg(op))
                t.use_live |= bit(insn.src);
            FpValue base = fp.regs[insn.dst];
            if (base.kind == FpValue::Fp) {
                i64 start = base.offset + static_cast<i64>(insn.offset);
                if (access_size(op) == 8 && start % 8 == 0)
                    t.kill_slots |= slots_of(start, 8);
            }
            continue;
        }
        if (is_atomic(op)) {
            t.use_live |= bit(insn.dst) | bit(insn.src);
            t.use_relevant |= bit(insn.dst) | bit(insn.src);
            if (op == Op::AtomicCmpxchg32 || op == Op::AtomicCmpxchg64) {
                t.use_live |= bit(0);
                t.use_relevant |= bit(0);
            }
            FpValue base = fp.regs[insn.dst];
            u64 slots = base.kind == FpValue::Fp ? slots_of(base.offset + static_cast<i64>(insn.offset), access_size(op)) : slots_through(base);
            t.gen_live_slots |= slots;
            t.gen_relevant_slots |= slots;
            continue;
        }
        if (is_cond_jump(op)) {
            t.use_live |= bit(insn.dst);
            t.use_relevant |= bit(insn.dst);
            u32 variant = (static_cast<u32>(op) - static_cast<u32>(Op::JeqImm)) % 4;
            if (variant == 1 || variant == 3) {
                t.use_live |= bit(insn.src);
                t.use_relevant |= bit(insn.src);
            }
            continue;
        }
        switch (op) {
        case Op::LdImm64:
            t.def = bit(insn.dst);
            break;
        case Op::LdAbsB: case Op::LdAbsH: case Op::LdAbsW: case Op::LdIndB: case Op::LdIndH: case Op::LdIndW:
            t.use_live |= bit(6);
            t.use_relevant |= bit(6);
            if (op >= Op::LdIndB)
                t.use_live |= bit(insn.src);
            t.def = caller_saved;
            break;
        case Op::Call:
        case Op::CallUnwind:
            helper_uses(static_cast<u32>(insn.offset), fp, t, key_sizes);
            t.def = caller_saved;
            break;
        case Op::TailCall:
            helper_uses(12, fp, t, key_sizes);
            t.def = caller_saved;
            break;
        case Op::Callx:
            helper_uses(~0u, fp, t, key_sizes);
            t.use_live |= bit(insn.dst);
            t.def = caller_saved;
            break;
        case Op::CallLocal:
            t.use_live |= argument_regs;
            t.use_relevant |= argument_regs;
            for (u32 r = 1; r <= 5; ++r) {
                t.gen_live_slots |= slots_through(fp.regs[r]);
                t.gen_relevant_slots |= slots_through(fp.regs[r]);
            }
            t.def = caller_saved;
            break;
        case Op::Exit:
            t.use_live |= bit(0); // relevance: see exit_relevant below
            break;
        default:
            break;
        }
        (void)in_subprog;
    }

    // Whether r0 is relevant at the EXITs of each subprogram.
    auto subprog_index = [&](u32 start) -> u32 {
        for (u32 s = 0; s < subprog_starts.size(); ++s) {
            if (subprog_starts[s] == start)
                return s;
        }
        return 0;
    };
    Vector<bool> exit_relevant;
    TRY(exit_relevant.try_resize(subprog_starts.size()));
    exit_relevant[0] = main_return_checked;
    for (u32 i = 0; i < count; ++i) {
        if (insns[i].op == Op::LdImm64 && insns[i].pseudo == pseudo_func)
            exit_relevant[subprog_index(static_cast<u32>(insns[i].imm))] = true;
    }

    // Backward fixpoint. Relevance of stores depends on the relevance after them, so it is
    // part of the iteration rather than of the fixed transfer above.
    bool changed = true;
    while (changed) {
        changed = false;
        for (u32 i = 0; i < count; ++i) {
            if (insns[i].op != Op::CallLocal || i + 1 >= count)
                continue;
            u32 callee = subprog_index(insns[i].target);
            if (!exit_relevant[callee] && (m_in[i + 1].relevant_regs & bit(0))) {
                exit_relevant[callee] = true;
                changed = true;
            }
        }
        for (u32 i = count; i-- > 0;) {
            Instruction const& insn = insns[i];
            LiveSet out;
            u32 next[2];
            u32 n = successors(insns, i, next);
            for (u32 k = 0; k < n; ++k) {
                LiveSet const& s = m_in[next[k]];
                out.live_regs |= s.live_regs;
                out.relevant_regs |= s.relevant_regs;
                out.live_slots |= s.live_slots;
                out.relevant_slots |= s.relevant_slots;
            }
            Transfer const& t = transfer[i];
            Op op = insn.op;
            u16 relevant_use = t.use_relevant;
            if (op == Op::Exit && exit_relevant[subprog_of[i]])
                relevant_use |= bit(0);
            u64 relevant_slot_use = t.gen_relevant_slots;
            if (is_alu(op) && (out.relevant_regs & bit(insn.dst))) {
                relevant_use |= t.use_live;
            }
            if (is_load(op) && (out.relevant_regs & bit(insn.dst)))
                relevant_slot_use |= t.gen_live_slots;
            if (is_store_reg(op)) {
                FpValue base = fp_in[i].regs[insn.dst];
                bool relevant_value;
                if (base.kind == FpValue::Fp)
                    relevant_value = out.relevant_slots & slots_of(base.offset + static_cast<i64>(insn.offset), access_size(op));
                else if (base.kind == FpValue::Top)
                    relevant_value = out.relevant_slots != 0;
                else
                    relevant_value = subprog_of[i] != 0; // may be a caller's stack slot
                if (relevant_value)
                    relevant_use |= bit(insn.src);
            }
            LiveSet in;
            in.live_regs = static_cast<u16>((out.live_regs & ~t.def) | t.use_live);
            in.relevant_regs = static_cast<u16>((out.relevant_regs & ~t.def) | relevant_use);
            in.live_slots = (out.live_slots & ~t.kill_slots) | t.gen_live_slots;
            in.relevant_slots = (out.relevant_slots & ~t.kill_slots) | relevant_slot_use;
            in.relevant_regs &= in.live_regs | relevant_use;
            in.live_regs |= in.relevant_regs;
            in.live_slots |= in.relevant_slots;
            if (!(in == m_in[i])) {
                m_in[i] = in;
                changed = true;
            }
        }
    }
    return {};
}

LiveSet Liveness::caller_frame(u32 callsite, bool callback_call) const
{
    LiveSet result;
    LiveSet const& at_call = m_in[callsite];
    u16 preserved = 0x3c0; // r6..r9
    if (callsite + 1 < m_in.size()) {
        LiveSet const& after = m_in[callsite + 1];
        result.live_regs = after.live_regs & preserved;
        result.relevant_regs = after.relevant_regs & preserved;
        result.live_slots = after.live_slots;
        result.relevant_slots = after.relevant_slots;
    }
    // Slots passed to the callee are in at_call (the call instruction reads them); a
    // callback returns to the call instruction itself, which reads r1..r5 again.
    u16 from_call = callback_call ? static_cast<u16>(0x3fe) : preserved;
    result.live_regs |= at_call.live_regs & from_call;
    result.relevant_regs |= at_call.relevant_regs & from_call;
    result.live_slots |= at_call.live_slots;
    result.relevant_slots |= at_call.relevant_slots;
    return result;
}

}
