// Program linking: pseudo LD_IMM64 resolution, subprogram discovery, control-flow containment
// and helper linking. See Program.h for the invariants this establishes.
#include "bpf/isa/Program.h"

namespace bpf {

using namespace isa;

namespace {

bool is_jump(Op op) { return op >= Op::Ja && op <= Op::Jset32Reg; }

ErrorOr<void> resolve_pseudo_loads(Vector<Instruction>& instructions, Diagnostic* diag, PseudoResolver const* resolver)
{
    for (u32 index = 0; index < instructions.size(); ++index) {
        Instruction& insn = instructions[index];
        if (insn.op != Op::LdImm64 || insn.pseudo == encoding::pseudo_none || insn.pseudo == encoding::pseudo_func)
            continue;
        if (!resolver || !resolver->resolve) {
            BPF_ISA_REPORT(diag, Instruction, index, "LD_IMM64 with src_reg=%u (map/BTF reference) needs a resolver", insn.pseudo);
            return Error(EINVAL);
        }
        auto value = resolver->resolve(resolver->context, insn.pseudo, static_cast<u32>(insn.imm), static_cast<u32>(insn.offset));
        if (value.is_error()) {
            BPF_ISA_REPORT(diag, Instruction, index, "cannot resolve LD_IMM64 src_reg=%u imm=%u (errno %d)", insn.pseudo,
                static_cast<u32>(insn.imm), value.error().code());
            return value.release_error();
        }
        insn.imm = value.value();
    }
    return {};
}

ErrorOr<Vector<Subprogram>> find_subprograms(Vector<Instruction> const& instructions)
{
    // Mark every subprogram start, then cut the instruction range at the marks.
    Vector<bool> starts;
    TRY(starts.try_resize(instructions.size()));
    starts[0] = true;
    for (auto const& insn : instructions) {
        if (insn.op == Op::CallLocal)
            starts[insn.target] = true;
        else if (insn.op == Op::LdImm64 && insn.pseudo == encoding::pseudo_func)
            starts[static_cast<u32>(insn.imm)] = true;
    }
    Vector<Subprogram> subprograms;
    for (u32 index = 0; index < instructions.size(); ++index) {
        if (!starts[index])
            continue;
        if (!subprograms.is_empty())
            subprograms.last().end = index;
        TRY(subprograms.try_append(Subprogram { index, static_cast<u32>(instructions.size()) }));
    }
    return subprograms;
}

ErrorOr<void> check_control_flow(Vector<Instruction> const& instructions, Vector<Subprogram> const& subprograms, Diagnostic* diag)
{
    for (auto const& sub : subprograms) {
        for (u32 index = sub.start; index < sub.end; ++index) {
            Instruction const& insn = instructions[index];
            if (is_jump(insn.op) && (insn.target < sub.start || insn.target >= sub.end)) {
                BPF_ISA_REPORT(diag, Instruction, index, "jump to %u leaves the subprogram [%u, %u)", insn.target, sub.start, sub.end);
                return Error(EINVAL);
            }
        }
        Op last = instructions[sub.end - 1].op;
        if (last != Op::Exit && last != Op::Ja && last != Op::Gotol) {
            BPF_ISA_REPORT(diag, Instruction, sub.end - 1, "last instruction of the subprogram at %u is not EXIT or an unconditional jump", sub.start);
            return Error(EINVAL);
        }
    }
    return {};
}

ErrorOr<void> link_helpers(Vector<Instruction>& instructions, ExecutionEnvironment const& environment, Diagnostic* diag)
{
    for (u32 index = 0; index < instructions.size(); ++index) {
        Instruction& insn = instructions[index];
        if (insn.op != Op::Call)
            continue;
        u32 id = static_cast<u32>(insn.offset);
        if (id >= environment.helper_count || !environment.helpers[id]) {
            BPF_ISA_REPORT(diag, Instruction, index, "call to unknown helper id %u", id);
            return Error(EINVAL);
        }
        insn.helper = environment.helpers[id];
        if (static_cast<i32>(id) == environment.unwind_helper_id)
            insn.op = Op::CallUnwind;
    }
    return {};
}

}

ErrorOr<RefPtr<Program>> Program::try_create(Vector<Instruction>&& instructions, ExecutionEnvironment const& environment, Diagnostic* diag,
    PseudoResolver const* resolver)
{
    if (instructions.is_empty()) {
        BPF_ISA_REPORT(diag, None, 0, "program has no instructions");
        return Error(EINVAL);
    }
    TRY(resolve_pseudo_loads(instructions, diag, resolver));
    auto subprograms = TRY(find_subprograms(instructions));
    TRY(check_control_flow(instructions, subprograms, diag));
    TRY(link_helpers(instructions, environment, diag));
    return adopt_ref_or_enomem(new (std::nothrow) Program(move(instructions), move(subprograms), environment));
}

u32 Program::subprogram_of(u32 index) const
{
    u32 low = 0, high = static_cast<u32>(m_subprograms.size());
    while (high - low > 1) {
        u32 middle = (low + high) / 2;
        if (m_subprograms[middle].start <= index)
            low = middle;
        else
            high = middle;
    }
    return low;
}

}
