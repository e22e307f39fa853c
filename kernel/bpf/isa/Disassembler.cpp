// Disassembler implementation (see Disassembler.h). Each Op family has one printer per syntax.
#include "bpf/isa/Disassembler.h"
#include "bpf/isa/Decoder.h"
#include "bpf/isa/Mnemonics.h"

namespace bpf::isa {

using namespace encoding;

namespace {

constexpr u32 first_of(Op op, Op group) { return static_cast<u32>(op) - static_cast<u32>(group); }

// Variant inside a four-member group: bit 0 = register source, bit 1 = 32-bit.
bool variant_is_reg(Op op, Op first) { return (first_of(op, first) & 1) != 0; }
bool variant_is_32(Op op, Op first) { return (first_of(op, first) & 2) != 0; }

i64 relative(u32 index, u32 target) { return static_cast<i64>(target) - static_cast<i64>(index) - 1; }

char const* llvm_alu_operator(char const* base)
{
    StringView name(base);
    if (name == "add") return "+=";
    if (name == "sub") return "-=";
    if (name == "mul") return "*=";
    if (name == "div") return "/=";
    if (name == "sdiv") return "s/=";
    if (name == "mod") return "%=";
    if (name == "smod") return "s%=";
    if (name == "or") return "|=";
    if (name == "and") return "&=";
    if (name == "xor") return "^=";
    if (name == "lsh") return "<<=";
    if (name == "rsh") return ">>=";
    if (name == "arsh") return "s>>=";
    return "=";
}

char const* llvm_jump_operator(char const* base)
{
    StringView name(base);
    if (name == "jeq") return "==";
    if (name == "jne") return "!=";
    if (name == "jgt") return ">";
    if (name == "jge") return ">=";
    if (name == "jlt") return "<";
    if (name == "jle") return "<=";
    if (name == "jsgt") return "s>";
    if (name == "jsge") return "s>=";
    if (name == "jslt") return "s<";
    if (name == "jsle") return "s<=";
    return "&";
}

char const* size_name(Op op)
{
    switch (op) {
    case Op::LdxB: case Op::StB: case Op::StxB: case Op::LdAbsB: case Op::LdIndB:
    case Op::LoadAcquireB: case Op::StoreReleaseB: return "u8";
    case Op::LdxH: case Op::StH: case Op::StxH: case Op::LdAbsH: case Op::LdIndH:
    case Op::LoadAcquireH: case Op::StoreReleaseH: return "u16";
    case Op::LdxW: case Op::StW: case Op::StxW: case Op::LdAbsW: case Op::LdIndW:
    case Op::LoadAcquireW: case Op::StoreReleaseW: return "u32";
    case Op::LdxsB: return "s8";
    case Op::LdxsH: return "s16";
    case Op::LdxsW: return "s32";
    default: return "u64";
    }
}

// "r1 + 4" / "r10 - 8" (LLVM) or "%r1+4" / "%r10-8" (asm).
ErrorOr<void> append_address(StringBuilder& out, Syntax syntax, u8 reg, i32 offset)
{
    if (syntax == Syntax::Llvm)
        return out.try_appendf("r%u %c %d", reg, offset < 0 ? '-' : '+', offset < 0 ? -offset : offset);
    return out.try_appendf("[%%r%u%c%d]", reg, offset < 0 ? '-' : '+', offset < 0 ? -offset : offset);
}

struct AtomicInfo {
    char const* name; // "add", "or", "and", "xor", "xchg", "cmpxchg"
    bool fetch;
    bool is32;
};

bool atomic_info(Op op, AtomicInfo& info)
{
    static char const* const names[] = { "add", "or", "and", "xor" };
    if (op >= Op::AtomicAdd32 && op <= Op::AtomicXorFetch64) {
        u32 offset = first_of(op, Op::AtomicAdd32);
        info = { names[offset / 4], (offset & 2) != 0, (offset & 1) == 0 };
        return true;
    }
    switch (op) {
    case Op::AtomicXchg32: info = { "xchg", true, true }; return true;
    case Op::AtomicXchg64: info = { "xchg", true, false }; return true;
    case Op::AtomicCmpxchg32: info = { "cmpxchg", true, true }; return true;
    case Op::AtomicCmpxchg64: info = { "cmpxchg", true, false }; return true;
    default: return false;
    }
}

ErrorOr<void> print_atomic(StringBuilder& out, Syntax syntax, Instruction const& insn, AtomicInfo const& info)
{
    char const* size = info.is32 ? "u32" : "u64";
    char reg_prefix = info.is32 ? 'w' : 'r';
    if (syntax == Syntax::Asm) {
        bool implicit_fetch = StringView(info.name) == "xchg" || StringView(info.name) == "cmpxchg";
        TRY(out.try_appendf("lock %s%s%s ", info.fetch && !implicit_fetch ? "fetch " : "", info.name, info.is32 ? "32" : ""));
        TRY(append_address(out, syntax, insn.dst, insn.offset));
        return out.try_appendf(", %%r%u", insn.src);
    }
    StringView name(info.name);
    if (name == "cmpxchg") {
        TRY(out.try_appendf("%c0 = %s(", reg_prefix, info.is32 ? "cmpxchg32_32" : "cmpxchg_64"));
        TRY(append_address(out, syntax, insn.dst, insn.offset));
        return out.try_appendf(", %c0, %c%u)", reg_prefix, reg_prefix, insn.src);
    }
    if (name == "xchg") {
        TRY(out.try_appendf("%c%u = %s(", reg_prefix, insn.src, info.is32 ? "xchg32_32" : "xchg_64"));
        TRY(append_address(out, syntax, insn.dst, insn.offset));
        return out.try_appendf(", %c%u)", reg_prefix, insn.src);
    }
    if (info.fetch) {
        TRY(out.try_appendf("%c%u = atomic_fetch_%s((%s *)(", reg_prefix, insn.src, info.name, size));
        TRY(append_address(out, syntax, insn.dst, insn.offset));
        return out.try_appendf("), %c%u)", reg_prefix, insn.src);
    }
    char const* operation = name == "add" ? "+=" : name == "or" ? "|=" : name == "and" ? "&=" : "^=";
    TRY(out.try_appendf("lock *(%s *)(", size));
    TRY(append_address(out, syntax, insn.dst, insn.offset));
    return out.try_appendf(") %s %c%u", operation, reg_prefix, insn.src);
}

ErrorOr<void> print_ld_imm64(StringBuilder& out, Syntax syntax, Instruction const& insn, u32 index)
{
    if (insn.pseudo == pseudo_none) {
        if (syntax == Syntax::Llvm)
            return out.try_appendf("r%u = 0x%llx ll", insn.dst, static_cast<unsigned long long>(insn.imm));
        return out.try_appendf("lddw %%r%u, 0x%llx", insn.dst, static_cast<unsigned long long>(insn.imm));
    }
    PseudoMnemonic const* pseudo = find_pseudo_mnemonic(insn.pseudo);
    VERIFY(pseudo);
    if (syntax == Syntax::Llvm)
        TRY(out.try_appendf("r%u = %s(", insn.dst, pseudo->name));
    else
        TRY(out.try_appendf("lddw %%r%u, %s(", insn.dst, pseudo->name));
    if (insn.pseudo == pseudo_func) {
        i64 delta = relative(index, static_cast<u32>(insn.imm));
        TRY(out.try_appendf("%s%lld", delta < 0 ? "" : "+", static_cast<long long>(delta)));
    } else {
        TRY(out.try_appendf("%d", static_cast<i32>(insn.imm)));
        if (pseudo->argument_count == 2)
            TRY(out.try_appendf(", %d", insn.offset));
    }
    return out.try_append(syntax == Syntax::Llvm ? ") ll" : ")");
}

ErrorOr<void> print_alu(StringBuilder& out, Syntax syntax, Instruction const& insn, char const* base)
{
    bool is_reg = variant_is_reg(insn.op, Op::Add64Imm);
    bool is32 = variant_is_32(insn.op, Op::Add64Imm);
    if (syntax == Syntax::Asm) {
        TRY(out.try_appendf("%s%s %%r%u, ", base, is32 ? "32" : "", insn.dst));
        if (is_reg)
            return out.try_appendf("%%r%u", insn.src);
        return out.try_appendf("%d", static_cast<i32>(insn.imm));
    }
    char prefix = is32 ? 'w' : 'r';
    TRY(out.try_appendf("%c%u %s ", prefix, insn.dst, llvm_alu_operator(base)));
    if (is_reg)
        return out.try_appendf("%c%u", prefix, insn.src);
    return out.try_appendf("%d", static_cast<i32>(insn.imm));
}

ErrorOr<void> print_jump(StringBuilder& out, Syntax syntax, Instruction const& insn, u32 index, char const* base)
{
    bool is_reg = variant_is_reg(insn.op, Op::JeqImm);
    bool is32 = variant_is_32(insn.op, Op::JeqImm);
    i64 delta = relative(index, insn.target);
    char const* sign = delta < 0 ? "" : "+";
    if (syntax == Syntax::Asm) {
        TRY(out.try_appendf("%s%s %%r%u, ", base, is32 ? "32" : "", insn.dst));
        if (is_reg)
            TRY(out.try_appendf("%%r%u", insn.src));
        else
            TRY(out.try_appendf("%d", static_cast<i32>(insn.imm)));
        return out.try_appendf(", %s%lld", sign, static_cast<long long>(delta));
    }
    char prefix = is32 ? 'w' : 'r';
    TRY(out.try_appendf("if %c%u %s ", prefix, insn.dst, llvm_jump_operator(base)));
    if (is_reg)
        TRY(out.try_appendf("%c%u", prefix, insn.src));
    else
        TRY(out.try_appendf("%d", static_cast<i32>(insn.imm)));
    return out.try_appendf(" goto %s%lld", sign, static_cast<long long>(delta));
}

ErrorOr<void> print_memory(StringBuilder& out, Syntax syntax, Instruction const& insn, char const* name)
{
    Op op = insn.op;
    bool is_acquire = op >= Op::LoadAcquireB && op <= Op::LoadAcquireDW;
    bool is_release = op >= Op::StoreReleaseB && op <= Op::StoreReleaseDW;
    bool is_load = (op >= Op::LdxB && op <= Op::LdxsW) || is_acquire;
    bool is_store_imm = op >= Op::StB && op <= Op::StDW;
    bool is_abs = op >= Op::LdAbsB && op <= Op::LdAbsW;
    bool is_ind = op >= Op::LdIndB && op <= Op::LdIndW;
    if (syntax == Syntax::Asm) {
        if (is_abs)
            return out.try_appendf("%s %d", name, static_cast<i32>(insn.imm));
        if (is_ind)
            return out.try_appendf("%s %%r%u, %d", name, insn.src, static_cast<i32>(insn.imm));
        if (is_load) {
            TRY(out.try_appendf("%s %%r%u, ", name, insn.dst));
            return append_address(out, syntax, insn.src, insn.offset);
        }
        TRY(out.try_appendf("%s ", name));
        TRY(append_address(out, syntax, insn.dst, insn.offset));
        if (is_store_imm)
            return out.try_appendf(", %d", static_cast<i32>(insn.imm));
        return out.try_appendf(", %%r%u", insn.src);
    }
    char const* size = size_name(op);
    if (is_acquire) {
        TRY(out.try_appendf("%c%u = load_acquire((%s *)(", op == Op::LoadAcquireDW ? 'r' : 'w', insn.dst, size));
        TRY(append_address(out, syntax, insn.src, insn.offset));
        return out.try_append("))");
    }
    if (is_release) {
        TRY(out.try_appendf("store_release((%s *)(", size));
        TRY(append_address(out, syntax, insn.dst, insn.offset));
        return out.try_appendf("), %c%u)", op == Op::StoreReleaseDW ? 'r' : 'w', insn.src);
    }
    if (is_abs)
        return out.try_appendf("r0 = *(%s *)skb[%d]", size, static_cast<i32>(insn.imm));
    if (is_ind)
        return out.try_appendf("r0 = *(%s *)skb[r%u + %d]", size, insn.src, static_cast<i32>(insn.imm));
    if (is_load) {
        TRY(out.try_appendf("r%u = *(%s *)(", insn.dst, size));
        TRY(append_address(out, syntax, insn.src, insn.offset));
        return out.try_append(")");
    }
    TRY(out.try_appendf("*(%s *)(", size));
    TRY(append_address(out, syntax, insn.dst, insn.offset));
    if (is_store_imm)
        return out.try_appendf(") = %d", static_cast<i32>(insn.imm));
    return out.try_appendf(") = r%u", insn.src);
}

ErrorOr<void> print_unary(StringBuilder& out, Syntax syntax, Instruction const& insn)
{
    Op op = insn.op;
    bool llvm = syntax == Syntax::Llvm;
    switch (op) {
    case Op::Neg64:
        return llvm ? out.try_appendf("r%u = -r%u", insn.dst, insn.dst) : out.try_appendf("neg %%r%u", insn.dst);
    case Op::Neg32:
        return llvm ? out.try_appendf("w%u = -w%u", insn.dst, insn.dst) : out.try_appendf("neg32 %%r%u", insn.dst);
    case Op::Le16: case Op::Le32: case Op::Le64:
    case Op::Be16: case Op::Be32: case Op::Be64:
    case Op::Bswap16: case Op::Bswap32: case Op::Bswap64: {
        char const* family = op <= Op::Le64 ? "le" : op <= Op::Be64 ? "be" : "bswap";
        if (llvm)
            return out.try_appendf("r%u = %s%u r%u", insn.dst, family, static_cast<u32>(insn.imm), insn.dst);
        return out.try_appendf("%s%u %%r%u", family, static_cast<u32>(insn.imm), insn.dst);
    }
    case Op::Movsx8To64: case Op::Movsx16To64: case Op::Movsx32To64:
    case Op::Movsx8To32: case Op::Movsx16To32: {
        static u32 const bits[] = { 8, 16, 32, 8, 16 };
        u32 from = bits[first_of(op, Op::Movsx8To64)];
        bool is32 = op >= Op::Movsx8To32;
        if (llvm) {
            char prefix = is32 ? 'w' : 'r';
            return out.try_appendf("%c%u = (s%u)%c%u", prefix, insn.dst, from, prefix, insn.src);
        }
        return out.try_appendf("movsx%u%u %%r%u, %%r%u", from, is32 ? 32 : 64, insn.dst, insn.src);
    }
    default:
        VERIFY_NOT_REACHED();
    }
}

ErrorOr<void> print_control(StringBuilder& out, Syntax syntax, Instruction const& insn, u32 index)
{
    bool llvm = syntax == Syntax::Llvm;
    switch (insn.op) {
    case Op::Ja: {
        i64 delta = relative(index, insn.target);
        return out.try_appendf(llvm ? "goto %s%lld" : "ja %s%lld", delta < 0 ? "" : "+", static_cast<long long>(delta));
    }
    case Op::Gotol: {
        i64 delta = relative(index, insn.target);
        return out.try_appendf(llvm ? "gotol %s%lld" : "ja32 %s%lld", delta < 0 ? "" : "+", static_cast<long long>(delta));
    }
    case Op::Call:
    case Op::CallUnwind:
        return out.try_appendf("call %d", insn.offset);
    case Op::TailCall:
        return out.try_appendf("call %d", helper_tail_call);
    case Op::CallLocal: {
        i64 delta = relative(index, insn.target);
        return out.try_appendf(llvm ? "call pc%s%lld" : "call local %s%lld", delta < 0 ? "" : "+", static_cast<long long>(delta));
    }
    case Op::Callx:
        return out.try_appendf(llvm ? "callx r%u" : "callx %%r%u", insn.dst);
    case Op::Exit:
        return out.try_append("exit");
    default:
        VERIFY_NOT_REACHED();
    }
}

}

ErrorOr<void> disassemble_instruction(Span<Instruction const> program, u32 index, Syntax syntax, StringBuilder& out)
{
    Instruction const& insn = program[index];
    if (auto const* base = alu_base_name(insn.op))
        return print_alu(out, syntax, insn, base);
    if (auto const* base = jump_base_name(insn.op))
        return print_jump(out, syntax, insn, index, base);
    if (auto const* name = memory_name(insn.op))
        return print_memory(out, syntax, insn, name);
    AtomicInfo atomic;
    if (atomic_info(insn.op, atomic))
        return print_atomic(out, syntax, insn, atomic);
    switch (insn.op) {
    case Op::LdImm64:
        return print_ld_imm64(out, syntax, insn, index);
    case Op::Ja: case Op::Gotol: case Op::Call: case Op::CallUnwind: case Op::TailCall:
    case Op::CallLocal: case Op::Callx: case Op::Exit:
        return print_control(out, syntax, insn, index);
    case Op::LdImm64Tail:
    case Op::Invalid:
    case Op::Count:
        return out.try_append("<invalid>");
    default:
        return print_unary(out, syntax, insn);
    }
}

ErrorOr<void> disassemble(Span<RawInstruction const> program, Syntax syntax, StringBuilder& out, Diagnostic* diag)
{
    auto decoded = TRY(decode(program, diag));
    for (u32 index = 0; index < decoded.size(); ++index) {
        if (decoded[index].op == Op::LdImm64Tail)
            continue;
        if (syntax == Syntax::Llvm) {
            TRY(out.try_appendf("%8u:\t", index));
            u32 slots = decoded[index].op == Op::LdImm64 ? 2 : 1;
            for (u32 slot = 0; slot < slots; ++slot) {
                u8 bytes[8];
                __builtin_memcpy(bytes, &program[index + slot], sizeof(bytes));
                for (u32 i = 0; i < 8; ++i)
                    TRY(out.try_appendf(slot + i == 0 ? "%02x" : " %02x", bytes[i]));
            }
            TRY(out.try_append('\t'));
        }
        TRY(disassemble_instruction(decoded.span(), index, syntax, out));
        TRY(out.try_append('\n'));
    }
    return {};
}

}
