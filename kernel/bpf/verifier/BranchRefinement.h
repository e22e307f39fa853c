// Conditional jumps on abstract values: whether a comparison is decided by the operands'
// ranges (Linux's is_branch_taken), and the narrowing each side of an undecided comparison
// implies (regs_refine_cond_op). Scalars only, apart from the pointer-vs-NULL and
// packet-pointer-vs-end cases of branch_taken.
#pragma once

#include "bpf/verifier/RegisterState.h"

namespace bpf::verifier {

enum class Cmp : u8 {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Sgt,
    Sge,
    Slt,
    Sle,
    Set,
    NotSet, // the false side of Set
};

// The comparison that holds on the other side (a > b <=> !(a <= b)).
Cmp reverse(Cmp cmp);
// a CMP b <=> b FLIP(CMP) a.
Cmp flip(Cmp cmp);
// 1: always taken, 0: never taken, -1: either, for every pair of values of r1 and r2.
int branch_taken(RegisterState const& r1, RegisterState const& r2, Cmp cmp, bool is32);
// Narrows r1 and r2 to values that satisfy "r1 CMP r2" (call sync_bounds() afterwards).
void refine(RegisterState& r1, RegisterState& r2, Cmp cmp, bool is32);

}
