// op_name(): the Op list's spelling of each decoded operation.
#include "bpf/isa/Instruction.h"

namespace bpf::isa {

char const* op_name(Op op)
{
    static char const* const names[] = {
#define BPF_ISA_NAME(name) #name,
        BPF_ISA_ENUMERATE_OPS(BPF_ISA_NAME)
#undef BPF_ISA_NAME
    };
    auto index = static_cast<usize>(op);
    return index < sizeof(names) / sizeof(names[0]) ? names[index] : "?";
}

}
