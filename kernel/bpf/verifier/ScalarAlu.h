// Transfer functions of the scalar ALU: given the abstract values of dst and src, the
// abstract value of (dst op src), as Linux's adjust_scalar_min_max_vals() computes it. Each
// function keeps every concrete result inside the returned state (soundness); precision
// follows Linux's so that the same programs verify.
#pragma once

#include "bpf/verifier/RegisterState.h"

namespace bpf::verifier {

enum class AluOp : u8 {
    Add,
    Sub,
    Mul,
    Div,
    Sdiv,
    Mod,
    Smod,
    Or,
    And,
    Xor,
    Lsh,
    Rsh,
    Arsh,
    Neg,
};

// dst = dst op src on scalars. `alu32`: the 32-bit operation, result zero-extended.
void scalar_alu(RegisterState& dst, RegisterState const& src, AluOp op, bool alu32);

// The 32- and 64-bit range parts of addition, shared with linked-register updates.
void scalar32_add(RegisterState& dst, RegisterState const& src);
void scalar64_add(RegisterState& dst, RegisterState const& src);

}
