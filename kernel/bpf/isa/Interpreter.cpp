// The interpreter loop (see Interpreter.h). One function template, instantiated unchecked and
// bounds-checked; dispatch is a computed goto through a label table generated from the Op list,
// so adding an Op without a handler fails to compile.
#include "bpf/isa/Interpreter.h"
#include "bpf/isa/ExecutionState.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the interpreter assumes a little-endian host");

namespace bpf {

TailCallLookup tail_call_lookup = nullptr;

}

namespace bpf::isa {

namespace {

template<typename T>
inline T load(u64 address)
{
    T value;
    __builtin_memcpy(&value, reinterpret_cast<void const*>(address), sizeof(T));
    return value;
}

template<typename T>
inline void store(u64 address, T value)
{
    __builtin_memcpy(reinterpret_cast<void*>(address), &value, sizeof(T));
}

bool is_accessible(ExecutionState const& state, u64 address, u64 size)
{
    u64 stack_start = reinterpret_cast<u64>(state.stack);
    u64 end;
    if (__builtin_add_overflow(address, size, &end))
        return false;
    if (address >= stack_start && end <= stack_start + sizeof(state.stack))
        return true;
    for (auto const& region : state.options->regions) {
        if (address >= region.start && end <= region.start + region.size)
            return true;
    }
    return false;
}

u64 fault(ExecutionState& state, Instruction const* code, Instruction const* insn, int error, char const* what)
{
    state.fault = error;
    state.stop = true;
    BPF_ISA_REPORT(state.diag, Instruction, static_cast<u32>(insn - code), "%s", what);
    return 0;
}

u64 memory_fault(ExecutionState& state, Instruction const* code, Instruction const* insn, char const* what, u64 address)
{
    state.fault = EFAULT;
    state.stop = true;
    BPF_ISA_REPORT(state.diag, Instruction, static_cast<u32>(insn - code), "%s at address 0x%llx", what,
        static_cast<unsigned long long>(address));
    return 0;
}

template<bool Checked>
u64 execute(ExecutionState& state, Program const* program, u32 entry, Arguments const& arguments)
{
    static void* const dispatch[] = {
#define BPF_ISA_LABEL_ADDRESS(name) &&op_##name,
        BPF_ISA_ENUMERATE_OPS(BPF_ISA_LABEL_ADDRESS)
#undef BPF_ISA_LABEL_ADDRESS
    };
    static_assert(sizeof(dispatch) / sizeof(dispatch[0]) == static_cast<usize>(Op::Count));

    u32 const base_depth = state.depth;
    u64 reg[11];
    reg[0] = 0;
    reg[1] = arguments.r1;
    reg[2] = arguments.r2;
    reg[3] = arguments.r3;
    reg[4] = arguments.r4;
    reg[5] = arguments.r5;
    reg[6] = reg[7] = reg[8] = reg[9] = 0;
    reg[10] = state.frame_pointer(state.depth);

    Instruction const* code = program->instructions().data();
    Instruction const* insn = code + entry;

#define DISPATCH()                                                                              \
    do {                                                                                        \
        if constexpr (Checked) {                                                                \
            ++state.executed;                                                                   \
            if (state.budget && --state.budget == 0) [[unlikely]]                               \
                return fault(state, code, insn, ELOOP, "instruction budget exhausted");         \
        }                                                                                       \
        goto* dispatch[static_cast<u8>(insn->op)];                                              \
    } while (0)
#define NEXT()     \
    do {           \
        ++insn;    \
        DISPATCH(); \
    } while (0)
#define JUMP_TO(index)         \
    do {                       \
        insn = code + (index); \
        DISPATCH();            \
    } while (0)
#define CHECK_ACCESS(address, size, what)                                                  \
    do {                                                                                   \
        if constexpr (Checked) {                                                           \
            if (!is_accessible(state, (address), (size))) [[unlikely]]                     \
                return memory_fault(state, code, insn, what, (address));                  \
        }                                                                                  \
    } while (0)

#define DST reg[insn->dst]
#define SRC reg[insn->src]
#define IMM insn->imm

    DISPATCH();

op_Invalid:
op_LdImm64Tail:
    return fault(state, code, insn, EINVAL, "executed an invalid instruction slot");

    // ALU: the four variants of each binary operation. 32-bit results are zero-extended.
#define ALU_OP(name, expr64, expr32)           \
    op_##name##64Imm : {                       \
        u64 const src = IMM;                   \
        DST = (expr64);                        \
        NEXT();                                \
    }                                          \
    op_##name##64Reg : {                       \
        u64 const src = SRC;                   \
        DST = (expr64);                        \
        NEXT();                                \
    }                                          \
    op_##name##32Imm : {                       \
        u32 const src = static_cast<u32>(IMM); \
        [[maybe_unused]] u32 const dst = static_cast<u32>(DST); \
        DST = static_cast<u32>(expr32);        \
        NEXT();                                \
    }                                          \
    op_##name##32Reg : {                       \
        u32 const src = static_cast<u32>(SRC); \
        [[maybe_unused]] u32 const dst = static_cast<u32>(DST); \
        DST = static_cast<u32>(expr32);        \
        NEXT();                                \
    }

    ALU_OP(Add, DST + src, dst + src)
    ALU_OP(Sub, DST - src, dst - src)
    ALU_OP(Mul, DST * src, dst * src)
    ALU_OP(Or, DST | src, dst | src)
    ALU_OP(And, DST & src, dst & src)
    ALU_OP(Xor, DST ^ src, dst ^ src)
    ALU_OP(Lsh, DST << (src & 63), dst << (src & 31))
    ALU_OP(Rsh, DST >> (src & 63), dst >> (src & 31))
    ALU_OP(Arsh, static_cast<u64>(static_cast<i64>(DST) >> (src & 63)), static_cast<u32>(static_cast<i32>(dst) >> (src & 31)))
    ALU_OP(Mov, src, src)
    ALU_OP(Div, src ? DST / src : 0, src ? dst / src : 0)
    ALU_OP(Mod, src ? DST % src : DST, src ? dst % src : dst)
    ALU_OP(Sdiv,
        src == 0 ? 0 : static_cast<i64>(src) == -1 ? 0 - DST : static_cast<u64>(static_cast<i64>(DST) / static_cast<i64>(src)),
        src == 0 ? 0 : static_cast<i32>(src) == -1 ? 0u - dst : static_cast<u32>(static_cast<i32>(dst) / static_cast<i32>(src)))
    ALU_OP(Smod,
        src == 0 ? DST : static_cast<i64>(src) == -1 ? 0 : static_cast<u64>(static_cast<i64>(DST) % static_cast<i64>(src)),
        src == 0 ? dst : static_cast<i32>(src) == -1 ? 0 : static_cast<u32>(static_cast<i32>(dst) % static_cast<i32>(src)))
#undef ALU_OP

op_Neg64:
    DST = 0 - DST;
    NEXT();
op_Neg32:
    DST = static_cast<u32>(0u - static_cast<u32>(DST));
    NEXT();
op_Movsx8To64:
    DST = static_cast<u64>(static_cast<i64>(static_cast<i8>(SRC)));
    NEXT();
op_Movsx16To64:
    DST = static_cast<u64>(static_cast<i64>(static_cast<i16>(SRC)));
    NEXT();
op_Movsx32To64:
    DST = static_cast<u64>(static_cast<i64>(static_cast<i32>(SRC)));
    NEXT();
op_Movsx8To32:
    DST = static_cast<u32>(static_cast<i32>(static_cast<i8>(SRC)));
    NEXT();
op_Movsx16To32:
    DST = static_cast<u32>(static_cast<i32>(static_cast<i16>(SRC)));
    NEXT();

    // Byte order: the host is little-endian, so "to LE" truncates and "to BE" swaps.
op_Le16:
    DST = static_cast<u16>(DST);
    NEXT();
op_Le32:
    DST = static_cast<u32>(DST);
    NEXT();
op_Le64:
    NEXT();
op_Be16:
op_Bswap16:
    DST = __builtin_bswap16(static_cast<u16>(DST));
    NEXT();
op_Be32:
op_Bswap32:
    DST = __builtin_bswap32(static_cast<u32>(DST));
    NEXT();
op_Be64:
op_Bswap64:
    DST = __builtin_bswap64(DST);
    NEXT();

op_LdImm64:
    DST = IMM;
    insn += 2;
    DISPATCH();

    // Legacy packet loads: r6 is the context; a miss ends the program with r0 = 0.
#define LD_PACKET(name, type, swap, offset_expr)                                                   \
    op_##name : {                                                                                  \
        type value;                                                                                \
        u32 const offset = (offset_expr);                                                          \
        auto loader = program->environment().load_packet;                                          \
        if (!loader || !loader(reg[6], offset, sizeof(type), &value)) {                            \
            state.stop = true;                                                                     \
            return 0;                                                                              \
        }                                                                                          \
        reg[0] = swap(value);                                                                      \
        NEXT();                                                                                    \
    }
#define IDENTITY(x) (x)
    LD_PACKET(LdAbsB, u8, IDENTITY, static_cast<u32>(IMM))
    LD_PACKET(LdAbsH, u16, __builtin_bswap16, static_cast<u32>(IMM))
    LD_PACKET(LdAbsW, u32, __builtin_bswap32, static_cast<u32>(IMM))
    LD_PACKET(LdIndB, u8, IDENTITY, static_cast<u32>(SRC) + static_cast<u32>(IMM))
    LD_PACKET(LdIndH, u16, __builtin_bswap16, static_cast<u32>(SRC) + static_cast<u32>(IMM))
    LD_PACKET(LdIndW, u32, __builtin_bswap32, static_cast<u32>(SRC) + static_cast<u32>(IMM))
#undef IDENTITY
#undef LD_PACKET

#define LOAD(name, type, result_type)                                   \
    op_##name : {                                                       \
        u64 const address = SRC + static_cast<i64>(insn->offset);       \
        CHECK_ACCESS(address, sizeof(type), "out-of-bounds load");      \
        DST = static_cast<u64>(static_cast<result_type>(load<type>(address))); \
        NEXT();                                                         \
    }
    LOAD(LdxB, u8, u64)
    LOAD(LdxH, u16, u64)
    LOAD(LdxW, u32, u64)
    LOAD(LdxDW, u64, u64)
    LOAD(LdxsB, i8, i64)
    LOAD(LdxsH, i16, i64)
    LOAD(LdxsW, i32, i64)
#undef LOAD

#define STORE(name, type, value)                                    \
    op_##name : {                                                   \
        u64 const address = DST + static_cast<i64>(insn->offset);   \
        CHECK_ACCESS(address, sizeof(type), "out-of-bounds store"); \
        store<type>(address, static_cast<type>(value));             \
        NEXT();                                                     \
    }
    STORE(StB, u8, IMM)
    STORE(StH, u16, IMM)
    STORE(StW, u32, IMM)
    STORE(StDW, u64, IMM)
    STORE(StxB, u8, SRC)
    STORE(StxH, u16, SRC)
    STORE(StxW, u32, SRC)
    STORE(StxDW, u64, SRC)
#undef STORE

#define ATOMIC_ADDRESS(type)                                                                   \
    u64 const address = DST + static_cast<i64>(insn->offset);                                  \
    CHECK_ACCESS(address, sizeof(type), "out-of-bounds atomic access");                        \
    if constexpr (Checked) {                                                                   \
        if (address % sizeof(type)) [[unlikely]]                                               \
            return memory_fault(state, code, insn, "misaligned atomic access", address);      \
    }                                                                                          \
    type* const pointer = reinterpret_cast<type*>(address)
#define ATOMIC_RMW(name, builtin)                                                             \
    op_Atomic##name##32 : {                                                                   \
        ATOMIC_ADDRESS(u32);                                                                  \
        builtin(pointer, static_cast<u32>(SRC), __ATOMIC_SEQ_CST);                            \
        NEXT();                                                                               \
    }                                                                                         \
    op_Atomic##name##64 : {                                                                   \
        ATOMIC_ADDRESS(u64);                                                                  \
        builtin(pointer, SRC, __ATOMIC_SEQ_CST);                                              \
        NEXT();                                                                               \
    }                                                                                         \
    op_Atomic##name##Fetch32 : {                                                              \
        ATOMIC_ADDRESS(u32);                                                                  \
        SRC = builtin(pointer, static_cast<u32>(SRC), __ATOMIC_SEQ_CST);                      \
        NEXT();                                                                               \
    }                                                                                         \
    op_Atomic##name##Fetch64 : {                                                              \
        ATOMIC_ADDRESS(u64);                                                                  \
        SRC = builtin(pointer, SRC, __ATOMIC_SEQ_CST);                                        \
        NEXT();                                                                               \
    }
    ATOMIC_RMW(Add, __atomic_fetch_add)
    ATOMIC_RMW(Or, __atomic_fetch_or)
    ATOMIC_RMW(And, __atomic_fetch_and)
    ATOMIC_RMW(Xor, __atomic_fetch_xor)
#undef ATOMIC_RMW

op_AtomicXchg32: {
    ATOMIC_ADDRESS(u32);
    SRC = __atomic_exchange_n(pointer, static_cast<u32>(SRC), __ATOMIC_SEQ_CST);
    NEXT();
}
op_AtomicXchg64: {
    ATOMIC_ADDRESS(u64);
    SRC = __atomic_exchange_n(pointer, SRC, __ATOMIC_SEQ_CST);
    NEXT();
}
op_AtomicCmpxchg32: {
    ATOMIC_ADDRESS(u32);
    u32 expected = static_cast<u32>(reg[0]);
    __atomic_compare_exchange_n(pointer, &expected, static_cast<u32>(SRC), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    reg[0] = expected; // the old value, zero-extended
    NEXT();
}
op_AtomicCmpxchg64: {
    ATOMIC_ADDRESS(u64);
    u64 expected = reg[0];
    __atomic_compare_exchange_n(pointer, &expected, SRC, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    reg[0] = expected;
    NEXT();
}

#define LOAD_ACQUIRE(name, type)                                                              \
    op_##name : {                                                                             \
        u64 const address = SRC + static_cast<i64>(insn->offset);                             \
        CHECK_ACCESS(address, sizeof(type), "out-of-bounds load-acquire");                    \
        if constexpr (Checked) {                                                              \
            if (address % sizeof(type)) [[unlikely]]                                          \
                return memory_fault(state, code, insn, "misaligned atomic access", address);  \
        }                                                                                     \
        DST = __atomic_load_n(reinterpret_cast<type*>(address), __ATOMIC_ACQUIRE);            \
        NEXT();                                                                               \
    }
#define STORE_RELEASE(name, type)                                                                    \
    op_##name : {                                                                                    \
        ATOMIC_ADDRESS(type);                                                                        \
        __atomic_store_n(pointer, static_cast<type>(SRC), __ATOMIC_RELEASE);                        \
        NEXT();                                                                                      \
    }
    LOAD_ACQUIRE(LoadAcquireB, u8)
    LOAD_ACQUIRE(LoadAcquireH, u16)
    LOAD_ACQUIRE(LoadAcquireW, u32)
    LOAD_ACQUIRE(LoadAcquireDW, u64)
    STORE_RELEASE(StoreReleaseB, u8)
    STORE_RELEASE(StoreReleaseH, u16)
    STORE_RELEASE(StoreReleaseW, u32)
    STORE_RELEASE(StoreReleaseDW, u64)
#undef STORE_RELEASE
#undef LOAD_ACQUIRE
#undef ATOMIC_ADDRESS

op_Ja:
op_Gotol:
    JUMP_TO(insn->target);

#define JUMP_OP(name, cmp64, cmp32, type64, type32)                                  \
    op_##name##Imm : if (static_cast<type64>(DST) cmp64 static_cast<type64>(IMM))    \
                         JUMP_TO(insn->target);                                    \
    NEXT();                                                                          \
    op_##name##Reg : if (static_cast<type64>(DST) cmp64 static_cast<type64>(SRC))    \
                         JUMP_TO(insn->target);                                    \
    NEXT();                                                                          \
    op_##name##32Imm : if (static_cast<type32>(DST) cmp32 static_cast<type32>(IMM))  \
                           JUMP_TO(insn->target);                                  \
    NEXT();                                                                          \
    op_##name##32Reg : if (static_cast<type32>(DST) cmp32 static_cast<type32>(SRC))  \
                           JUMP_TO(insn->target);                                  \
    NEXT();
    JUMP_OP(Jeq, ==, ==, u64, u32)
    JUMP_OP(Jne, !=, !=, u64, u32)
    JUMP_OP(Jgt, >, >, u64, u32)
    JUMP_OP(Jge, >=, >=, u64, u32)
    JUMP_OP(Jlt, <, <, u64, u32)
    JUMP_OP(Jle, <=, <=, u64, u32)
    JUMP_OP(Jsgt, >, >, i64, i32)
    JUMP_OP(Jsge, >=, >=, i64, i32)
    JUMP_OP(Jslt, <, <, i64, i32)
    JUMP_OP(Jsle, <=, <=, i64, i32)
#undef JUMP_OP
op_JsetImm:
    if (DST & IMM)
        JUMP_TO(insn->target);
    NEXT();
op_JsetReg:
    if (DST & SRC)
        JUMP_TO(insn->target);
    NEXT();
op_Jset32Imm:
    if (static_cast<u32>(DST) & static_cast<u32>(IMM))
        JUMP_TO(insn->target);
    NEXT();
op_Jset32Reg:
    if (static_cast<u32>(DST) & static_cast<u32>(SRC))
        JUMP_TO(insn->target);
    NEXT();

op_Call:
    state.current_program = program;
    reg[0] = insn->helper(reg[1], reg[2], reg[3], reg[4], reg[5]);
    if (state.stop) [[unlikely]]
        return 0;
    NEXT();
op_CallUnwind:
    state.current_program = program;
    reg[0] = insn->helper(reg[1], reg[2], reg[3], reg[4], reg[5]);
    if (state.stop || reg[0] == 0) [[unlikely]] {
        state.stop = true;
        return 0;
    }
    NEXT();
op_Callx: {
    u64 const id = DST;
    ExecutionEnvironment const& environment = program->environment();
    if (id >= environment.helper_count || !environment.helpers[id]) [[unlikely]]
        return fault(state, code, insn, EINVAL, "callx to an unknown helper id");
    state.current_program = program;
    reg[0] = environment.helpers[id](reg[1], reg[2], reg[3], reg[4], reg[5]);
    if (state.stop || (static_cast<i64>(id) == environment.unwind_helper_id && reg[0] == 0)) [[unlikely]] {
        state.stop = true;
        return 0;
    }
    NEXT();
}
op_TailCall: {
    if (state.tail_calls < max_tail_calls && tail_call_lookup) {
        Program* target = tail_call_lookup(reg[2], static_cast<u32>(reg[3]));
        if (target) {
            ++state.tail_calls;
            program = target;
            code = program->instructions().data();
            JUMP_TO(0);
        }
    }
    NEXT();
}
op_CallLocal: {
    if (state.depth + 1 >= max_call_frames) [[unlikely]]
        return fault(state, code, insn, E2BIG, "bpf-to-bpf call exceeds 8 frames");
    Frame& frame = state.frames[++state.depth];
    frame.return_to = insn + 1;
    frame.program = program;
    frame.saved[0] = reg[6];
    frame.saved[1] = reg[7];
    frame.saved[2] = reg[8];
    frame.saved[3] = reg[9];
    reg[10] = state.frame_pointer(state.depth);
    JUMP_TO(insn->target);
}
op_Exit: {
    if (state.depth == base_depth)
        return reg[0];
    Frame const& frame = state.frames[state.depth--];
    reg[6] = frame.saved[0];
    reg[7] = frame.saved[1];
    reg[8] = frame.saved[2];
    reg[9] = frame.saved[3];
    reg[10] = state.frame_pointer(state.depth);
    program = frame.program;
    code = program->instructions().data();
    insn = frame.return_to;
    DISPATCH();
}

#undef DST
#undef SRC
#undef IMM
#undef CHECK_ACCESS
#undef JUMP_TO
#undef NEXT
#undef DISPATCH
}

u64 execute_in(ExecutionState& state, Program const* program, u32 entry, Arguments const& arguments)
{
    if (state.options->bounds_checked)
        return execute<true>(state, program, entry, arguments);
    return execute<false>(state, program, entry, arguments);
}

}

ErrorOr<u64> run(Program const& program, Arguments const& arguments, RunOptions const& options, Diagnostic* diag)
{
    ExecutionState state;
    state.options = &options;
    state.diag = diag;
    state.current_program = &program;
    if (options.bounds_checked) {
        __builtin_memset(state.stack, 0, sizeof(state.stack));
        state.budget = options.instruction_budget;
    }
    ExecutionState* previous = current_execution();
    set_current_execution(&state);
    u64 r0 = execute_in(state, &program, 0, arguments);
    set_current_execution(previous);
    if (options.executed_instructions)
        *options.executed_instructions = state.executed;
    if (state.fault)
        return Error(state.fault);
    return r0;
}

}

namespace bpf {

u64 call_bpf_function(u64 function_value, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
    using namespace isa;
    ExecutionState* state = current_execution();
    VERIFY(state); // helpers call this only while a program runs
    Program const* program = state->current_program;
    Span<Subprogram const> subprograms = program->subprograms();
    u32 subprogram = function_value < program->instructions().size() ? program->subprogram_of(static_cast<u32>(function_value)) : 0;
    if (function_value >= program->instructions().size() || subprograms[subprogram].start != function_value) {
        state->fault = EINVAL;
        state->stop = true;
        BPF_ISA_REPORT(state->diag, None, 0, "callback function value %llu is not a subprogram", static_cast<unsigned long long>(function_value));
        return 0;
    }
    if (state->depth + 1 >= max_call_frames) {
        state->fault = E2BIG;
        state->stop = true;
        BPF_ISA_REPORT(state->diag, None, 0, "callback exceeds 8 frames");
        return 0;
    }
    u32 saved_depth = state->depth;
    ++state->depth;
    u64 r0 = execute_in(*state, program, static_cast<u32>(function_value), Arguments { a1, a2, a3, a4, a5 });
    state->depth = saved_depth;
    state->current_program = program;
    return r0;
}

}
