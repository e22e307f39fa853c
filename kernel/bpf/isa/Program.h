// Program: a decoded, linked BPF program ready for the interpreter. Owns its Instructions (the
// decoded form), the subprogram table (entry 0 is the main program; others start at every
// bpf-to-bpf call target and every BPF_PSEUDO_FUNC target) and a copy of its ExecutionEnvironment.
//
// Invariants established by try_create (the interpreter relies on them and checks none):
// - every LD_IMM64 pseudo form is resolved to its final value;
// - every Call names a helper present in the environment (its function pointer is stored in
//   the instruction); calls to the environment's unwind helper are Op::CallUnwind;
// - every branch stays inside its subprogram and every subprogram ends in EXIT or an
//   unconditional jump, so execution can never run off the end of the instructions.
#pragma once

#include "bpf/isa/Diagnostic.h"
#include "bpf/isa/Environment.h"
#include "bpf/isa/Instruction.h"
#include "klib/RefPtr.h"
#include "klib/Span.h"
#include "klib/Vector.h"

namespace bpf {

struct Subprogram {
    u32 start; // first instruction
    u32 end;   // one past the last instruction
};

class Program final : public RefCounted {
public:
    static ErrorOr<RefPtr<Program>> try_create(Vector<isa::Instruction>&& instructions, isa::ExecutionEnvironment const& environment,
        isa::Diagnostic* diag = nullptr, isa::PseudoResolver const* resolver = nullptr);

    Span<isa::Instruction const> instructions() const { return m_instructions.span(); }
    Span<Subprogram const> subprograms() const { return m_subprograms.span(); }
    isa::ExecutionEnvironment const& environment() const { return m_environment; }
    // Index into subprograms() of the subprogram containing instruction `index`.
    u32 subprogram_of(u32 index) const;

private:
    Program(Vector<isa::Instruction>&& instructions, Vector<Subprogram>&& subprograms, isa::ExecutionEnvironment const& environment)
        : m_instructions(move(instructions))
        , m_subprograms(move(subprograms))
        , m_environment(environment)
    {
    }

    Vector<isa::Instruction> m_instructions;
    Vector<Subprogram> m_subprograms;
    isa::ExecutionEnvironment m_environment;
};

}
