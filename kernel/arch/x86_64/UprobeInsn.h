// x86-64 instruction kinds of uprobes (shared by UprobeInsn.cpp and UprobeEmulate.cpp).
#pragma once

#include "klib/Types.h"

namespace x86::uprobe {

enum Emulation : u8 {
    ExecuteInSlot = 0,
    Call,            // call rel32
    Jump,            // jmp rel8/rel32
    ConditionalJump, // jcc rel8/rel32
    Loop,            // loop, loope, loopne, jrcxz
    CallIndirect,    // call *r/m64
    JumpIndirect,    // jmp *r/m64
};

}
