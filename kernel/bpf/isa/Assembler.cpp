// Assembler implementation (see Assembler.h for the dialect). One pass turns each line into
// instructions, recording label uses; a second pass patches label references.
#include "bpf/isa/Assembler.h"
#include "bpf/isa/Mnemonics.h"
#include "klib/Format.h"
#include <stdarg.h>

namespace bpf::isa {

using namespace encoding;

namespace {

constexpr usize max_operands = 4;

struct Line {
    StringView mnemonic;
    StringView operands[max_operands];
    usize operand_count { 0 };
};

struct Label {
    StringView name;
    u32 index;
};

struct Fixup {
    u32 index;      // instruction to patch
    StringView label;
    u32 line;
    bool in_imm;    // CALL local / LD_IMM64 func(): the target goes to imm, else to offset
};

class Assembler {
public:
    Assembler(Diagnostic* diag)
        : m_diag(diag)
    {
    }

    ErrorOr<Vector<RawInstruction>> run(StringView source);

private:
    Error fail(char const* fmt, ...) __attribute__((format(printf, 2, 3)));
    ErrorOr<void> parse_line(StringView text, Line& line);
    ErrorOr<void> assemble_line(Line const& line);
    ErrorOr<void> expect_operands(Line const& line, usize count);
    ErrorOr<u8> parse_register(StringView text);
    ErrorOr<i32> parse_imm32(StringView text);
    ErrorOr<u64> parse_imm64(StringView text);
    ErrorOr<i16> parse_offset(StringView text);
    ErrorOr<void> parse_memory(StringView text, u8& reg, i16& offset);
    // Parses +N/-N, or records a label fixup for the instruction about to be emitted.
    ErrorOr<i32> parse_target(StringView text, bool in_imm, bool wide);
    ErrorOr<void> emit(RawInstruction raw) { return m_output.try_append(raw); }
    u32 next_index() const { return static_cast<u32>(m_output.size()); }

    ErrorOr<void> assemble_alu(Line const& line, AluMnemonic const&);
    ErrorOr<void> assemble_jump(Line const& line, JumpMnemonic const&);
    ErrorOr<void> assemble_memory(Line const& line, MemoryMnemonic const&);
    ErrorOr<void> assemble_lock(Line const& line);
    ErrorOr<void> assemble_call(Line const& line);
    ErrorOr<void> assemble_lddw(Line const& line);

    Diagnostic* m_diag;
    u32 m_line { 0 };
    Vector<RawInstruction> m_output;
    Vector<Label> m_labels;
    Vector<Fixup> m_fixups;
    i64 m_first_exit { -1 };
};

Error Assembler::fail(char const* fmt, ...)
{
    if (m_diag) {
        char text[160];
        va_list args;
        va_start(args, fmt);
        klib::vformat(text, sizeof(text), fmt, args);
        va_end(args);
        m_diag->report(m_line ? Diagnostic::Location::Line : Diagnostic::Location::None, m_line, "%s", text);
    }
    return Error(EINVAL);
}

bool is_separator(char c) { return c == ',' || StringView::is_space(c); }

ErrorOr<void> Assembler::parse_line(StringView text, Line& line)
{
    // Tokens are separated by commas and blanks; a [...] memory operand is one token.
    usize i = 0;
    auto next_token = [&](StringView& token) -> bool {
        while (i < text.length() && is_separator(text[i]))
            ++i;
        if (i >= text.length())
            return false;
        usize start = i;
        if (text[i] == '[') {
            while (i < text.length() && text[i] != ']')
                ++i;
            if (i < text.length())
                ++i;
        } else {
            while (i < text.length() && !is_separator(text[i]))
                ++i;
        }
        token = text.substring(start, i - start);
        return true;
    };
    if (!next_token(line.mnemonic))
        return {};
    StringView token;
    while (next_token(token)) {
        if (line.operand_count == max_operands)
            return fail("too many operands for '%.*s'", static_cast<int>(line.mnemonic.length()), line.mnemonic.chars());
        line.operands[line.operand_count++] = token;
    }
    return {};
}

ErrorOr<void> Assembler::expect_operands(Line const& line, usize count)
{
    if (line.operand_count != count)
        return fail("'%.*s' takes %zu operand%s, found %zu", static_cast<int>(line.mnemonic.length()), line.mnemonic.chars(), count,
            count == 1 ? "" : "s", line.operand_count);
    return {};
}

ErrorOr<u8> Assembler::parse_register(StringView text)
{
    StringView digits = text;
    if (digits.starts_with("%r"))
        digits = digits.substring(2);
    else if (digits.starts_with("r"))
        digits = digits.substring(1);
    else
        return fail("expected a register, found '%.*s'", static_cast<int>(text.length()), text.chars());
    u64 number;
    if (!digits.to_u64(number, false) || number > 10)
        return fail("invalid register '%.*s'", static_cast<int>(text.length()), text.chars());
    return static_cast<u8>(number);
}

// Parses [+-]digits or [+-]0xhex. `is_hex` tells which form was used.
bool parse_number(StringView text, bool& negative, u64& magnitude, bool& is_hex)
{
    negative = false;
    if (!text.is_empty() && (text[0] == '-' || text[0] == '+')) {
        negative = text[0] == '-';
        text = text.substring(1);
    }
    is_hex = text.length() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    return text.to_u64(magnitude, true);
}

ErrorOr<i32> Assembler::parse_imm32(StringView text)
{
    bool negative, is_hex;
    u64 magnitude;
    if (!parse_number(text, negative, magnitude, is_hex))
        return fail("invalid immediate '%.*s'", static_cast<int>(text.length()), text.chars());
    if (negative) {
        if (magnitude > 0x80000000ull)
            return fail("immediate %.*s is outside the 32-bit range", static_cast<int>(text.length()), text.chars());
        return static_cast<i32>(static_cast<u32>(0 - magnitude));
    }
    u64 limit = is_hex ? 0xffffffffull : 0x7fffffffull;
    if (magnitude > limit)
        return fail("immediate %.*s is outside the 32-bit range", static_cast<int>(text.length()), text.chars());
    return static_cast<i32>(static_cast<u32>(magnitude));
}

ErrorOr<u64> Assembler::parse_imm64(StringView text)
{
    bool negative, is_hex;
    u64 magnitude;
    if (!parse_number(text, negative, magnitude, is_hex))
        return fail("invalid 64-bit immediate '%.*s'", static_cast<int>(text.length()), text.chars());
    if (negative) {
        if (magnitude > 0x8000000000000000ull)
            return fail("immediate %.*s is outside the 64-bit range", static_cast<int>(text.length()), text.chars());
        return 0 - magnitude;
    }
    return magnitude;
}

ErrorOr<i16> Assembler::parse_offset(StringView text)
{
    bool negative, is_hex;
    u64 magnitude;
    if (!parse_number(text, negative, magnitude, is_hex))
        return fail("invalid offset '%.*s'", static_cast<int>(text.length()), text.chars());
    if (negative ? magnitude > 0x8000 : magnitude > 0x7fff)
        return fail("offset %.*s is outside the 16-bit range", static_cast<int>(text.length()), text.chars());
    return static_cast<i16>(negative ? -static_cast<i32>(magnitude) : static_cast<i32>(magnitude));
}

ErrorOr<void> Assembler::parse_memory(StringView text, u8& reg, i16& offset)
{
    if (text.length() < 3 || text[0] != '[' || text[text.length() - 1] != ']')
        return fail("expected a memory operand [%%rN+offset], found '%.*s'", static_cast<int>(text.length()), text.chars());
    // Drop the brackets and any blanks inside them.
    char compact[64];
    usize length = 0;
    for (usize i = 1; i + 1 < text.length(); ++i) {
        if (StringView::is_space(text[i]))
            continue;
        if (length + 1 >= sizeof(compact))
            return fail("memory operand too long");
        compact[length++] = text[i];
    }
    StringView inner(compact, length);
    isize sign = inner.find('+');
    if (sign < 0)
        sign = inner.find('-');
    if (sign < 0) {
        reg = TRY(parse_register(inner));
        offset = 0;
        return {};
    }
    reg = TRY(parse_register(inner.substring(0, static_cast<usize>(sign))));
    offset = TRY(parse_offset(inner.substring(static_cast<usize>(sign))));
    return {};
}

bool is_label_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.'; }

ErrorOr<i32> Assembler::parse_target(StringView text, bool in_imm, bool wide)
{
    if (!text.is_empty() && (text[0] == '+' || text[0] == '-')) {
        if (wide)
            return parse_imm32(text);
        return static_cast<i32>(TRY(parse_offset(text)));
    }
    if (text.is_empty() || !is_label_start(text[0]))
        return fail("jump target must be a label or +N/-N, found '%.*s'", static_cast<int>(text.length()), text.chars());
    TRY(m_fixups.try_append(Fixup { next_index(), text, m_line, in_imm }));
    return 0;
}

ErrorOr<void> Assembler::assemble_alu(Line const& line, AluMnemonic const& m)
{
    u8 cls = m.is64 ? class_alu64 : class_alu;
    if (m.kind == AluMnemonic::Kind::Unary) {
        TRY(expect_operands(line, 1));
        u8 dst = TRY(parse_register(line.operands[0]));
        return emit(RawInstruction::make(cls | m.code, dst, 0, 0, m.imm));
    }
    TRY(expect_operands(line, 2));
    u8 dst = TRY(parse_register(line.operands[0]));
    StringView source = line.operands[1];
    if (m.kind == AluMnemonic::Kind::MoveSignExtend) {
        u8 src = TRY(parse_register(source));
        return emit(RawInstruction::make(cls | alu_mov | source_x, dst, src, m.offset, 0));
    }
    if (source.starts_with("%") || (source.starts_with("r") && source.length() > 1)) {
        u8 src = TRY(parse_register(source));
        return emit(RawInstruction::make(cls | m.code | source_x, dst, src, m.offset, 0));
    }
    i32 imm = TRY(parse_imm32(source));
    return emit(RawInstruction::make(cls | m.code | source_k, dst, 0, m.offset, imm));
}

ErrorOr<void> Assembler::assemble_jump(Line const& line, JumpMnemonic const& m)
{
    u8 cls = m.is64 ? class_jmp : class_jmp32;
    if (m.code == jmp_ja) {
        TRY(expect_operands(line, 1));
        if (m.is64) {
            i32 offset = TRY(parse_target(line.operands[0], false, false));
            return emit(RawInstruction::make(class_jmp | jmp_ja, 0, 0, static_cast<i16>(offset), 0));
        }
        i32 imm = TRY(parse_target(line.operands[0], true, true));
        return emit(RawInstruction::make(class_jmp32 | jmp_ja, 0, 0, 0, imm));
    }
    TRY(expect_operands(line, 3));
    u8 dst = TRY(parse_register(line.operands[0]));
    StringView source = line.operands[1];
    i32 offset = TRY(parse_target(line.operands[2], false, false));
    if (source.starts_with("%")) {
        u8 src = TRY(parse_register(source));
        return emit(RawInstruction::make(cls | m.code | source_x, dst, src, static_cast<i16>(offset), 0));
    }
    i32 imm = TRY(parse_imm32(source));
    return emit(RawInstruction::make(cls | m.code | source_k, dst, 0, static_cast<i16>(offset), imm));
}

ErrorOr<void> Assembler::assemble_memory(Line const& line, MemoryMnemonic const& m)
{
    TRY(expect_operands(line, m.kind == MemoryMnemonic::Kind::PacketAbsolute ? 1 : 2));
    u8 reg;
    i16 offset;
    switch (m.kind) {
    case MemoryMnemonic::Kind::Load: {
        u8 dst = TRY(parse_register(line.operands[0]));
        TRY(parse_memory(line.operands[1], reg, offset));
        return emit(RawInstruction::make(m.opcode, dst, reg, offset, m.imm));
    }
    case MemoryMnemonic::Kind::StoreImm: {
        TRY(parse_memory(line.operands[0], reg, offset));
        i32 imm = TRY(parse_imm32(line.operands[1]));
        return emit(RawInstruction::make(m.opcode, reg, 0, offset, imm));
    }
    case MemoryMnemonic::Kind::StoreReg: {
        TRY(parse_memory(line.operands[0], reg, offset));
        u8 src = TRY(parse_register(line.operands[1]));
        return emit(RawInstruction::make(m.opcode, reg, src, offset, m.imm));
    }
    case MemoryMnemonic::Kind::PacketAbsolute: {
        i32 imm = TRY(parse_imm32(line.operands[0]));
        return emit(RawInstruction::make(m.opcode, 0, 0, 0, imm));
    }
    case MemoryMnemonic::Kind::PacketIndirect: {
        u8 src = TRY(parse_register(line.operands[0]));
        i32 imm = TRY(parse_imm32(line.operands[1]));
        return emit(RawInstruction::make(m.opcode, 0, src, 0, imm));
    }
    }
    VERIFY_NOT_REACHED();
}

ErrorOr<void> Assembler::assemble_lock(Line const& line)
{
    // lock [fetch] <op>[32] [%rD+off], %rS
    usize first = 0;
    bool fetch = false;
    if (line.operand_count > 0 && line.operands[0] == "fetch") {
        fetch = true;
        first = 1;
    }
    if (line.operand_count != first + 3)
        return fail("invalid number of operands for lock: expected 'lock [fetch] op [%%rN+off], %%rM'");
    StringView name = line.operands[first];
    bool is32 = name.ends_with("32");
    if (is32)
        name = name.substring(0, name.length() - 2);
    i32 imm;
    if (name == "add")
        imm = atomic_add;
    else if (name == "or")
        imm = atomic_or;
    else if (name == "and")
        imm = atomic_and;
    else if (name == "xor")
        imm = atomic_xor;
    else if (name == "xchg")
        imm = atomic_xchg;
    else if (name == "cmpxchg")
        imm = atomic_cmpxchg;
    else
        return fail("invalid atomic operation '%.*s'", static_cast<int>(line.operands[first].length()), line.operands[first].chars());
    if (fetch)
        imm |= atomic_fetch;
    u8 dst;
    i16 offset;
    TRY(parse_memory(line.operands[first + 1], dst, offset));
    u8 src = TRY(parse_register(line.operands[first + 2]));
    u8 opcode = class_stx | mode_atomic | (is32 ? size_w : size_dw);
    return emit(RawInstruction::make(opcode, dst, src, offset, imm));
}

ErrorOr<void> Assembler::assemble_call(Line const& line)
{
    // call N | call helper N | call local <target> | call %rN ; callx %rN
    if (line.mnemonic == "callx") {
        TRY(expect_operands(line, 1));
        u8 reg = TRY(parse_register(line.operands[0]));
        return emit(RawInstruction::make(class_jmp | jmp_call | source_x, reg, 0, 0, 0));
    }
    if (line.operand_count == 2 && line.operands[0] == "local") {
        i32 imm = TRY(parse_target(line.operands[1], true, true));
        return emit(RawInstruction::make(class_jmp | jmp_call, 0, call_pseudo, 0, imm));
    }
    StringView target;
    if (line.operand_count == 2 && line.operands[0] == "helper")
        target = line.operands[1];
    else if (line.operand_count == 1)
        target = line.operands[0];
    else
        return fail("invalid call: expected 'call N', 'call helper N', 'call local <target>' or 'call %%rN'");
    if (target.starts_with("%")) {
        u8 reg = TRY(parse_register(target));
        return emit(RawInstruction::make(class_jmp | jmp_call | source_x, reg, 0, 0, 0));
    }
    i32 id = TRY(parse_imm32(target));
    return emit(RawInstruction::make(class_jmp | jmp_call, 0, call_helper, 0, id));
}

// Splits "kind(a, b)" into kind and up to two arguments.
bool split_pseudo(StringView text, StringView& kind, StringView* arguments, usize& count)
{
    isize open = text.find('(');
    if (open <= 0 || text[text.length() - 1] != ')')
        return false;
    kind = text.substring(0, static_cast<usize>(open));
    StringView inner = text.substring(static_cast<usize>(open) + 1, text.length() - static_cast<usize>(open) - 2);
    count = 0;
    while (!inner.is_empty() && count < 2) {
        isize comma = inner.find(',');
        StringView part = comma < 0 ? inner : inner.substring(0, static_cast<usize>(comma));
        arguments[count++] = part.trim_whitespace();
        if (comma < 0)
            return true;
        inner = inner.substring(static_cast<usize>(comma) + 1);
    }
    return inner.is_empty();
}

ErrorOr<void> Assembler::assemble_lddw(Line const& line)
{
    // The pseudo forms' "kind(a, b)" contains a comma, which the tokenizer split; join back.
    if (line.operand_count < 2)
        return expect_operands(line, 2);
    u8 dst = TRY(parse_register(line.operands[0]));
    StringView value = line.operands[1];
    char joined[96];
    if (line.operand_count > 2) {
        usize length = 0;
        for (usize i = 1; i < line.operand_count; ++i) {
            StringView part = line.operands[i];
            if (length + part.length() + 2 >= sizeof(joined))
                return fail("operand too long");
            if (i > 1)
                joined[length++] = ',';
            for (char c : part)
                joined[length++] = c;
        }
        value = StringView(joined, length);
    }
    StringView kind;
    StringView arguments[2];
    usize count = 0;
    if (!split_pseudo(value, kind, arguments, count)) {
        if (line.operand_count != 2)
            return expect_operands(line, 2);
        u64 imm = TRY(parse_imm64(value));
        TRY(emit(RawInstruction::make(lddw_opcode, dst, 0, 0, static_cast<i32>(static_cast<u32>(imm)))));
        return emit(RawInstruction::make(0, 0, 0, 0, static_cast<i32>(static_cast<u32>(imm >> 32))));
    }
    PseudoMnemonic const* pseudo = find_pseudo_mnemonic(kind);
    if (!pseudo)
        return fail("unknown LD_IMM64 form '%.*s'", static_cast<int>(kind.length()), kind.chars());
    if (count != pseudo->argument_count)
        return fail("'%s' takes %u argument%s", pseudo->name, pseudo->argument_count, pseudo->argument_count == 1 ? "" : "s");
    i32 first;
    if (pseudo->kind == pseudo_func)
        first = TRY(parse_target(arguments[0], true, true));
    else
        first = TRY(parse_imm32(arguments[0]));
    i32 second = count == 2 ? TRY(parse_imm32(arguments[1])) : 0;
    TRY(emit(RawInstruction::make(lddw_opcode, dst, pseudo->kind, 0, first)));
    return emit(RawInstruction::make(0, 0, 0, 0, second));
}

ErrorOr<void> Assembler::assemble_line(Line const& line)
{
    StringView m = line.mnemonic;
    if (m == "exit") {
        TRY(expect_operands(line, 0));
        if (m_first_exit < 0)
            m_first_exit = next_index();
        return emit(RawInstruction::make(class_jmp | jmp_exit, 0, 0, 0, 0));
    }
    if (m == "lock")
        return assemble_lock(line);
    if (m == "call" || m == "callx")
        return assemble_call(line);
    if (m == "lddw")
        return assemble_lddw(line);
    if (auto const* alu = find_alu_mnemonic(m))
        return assemble_alu(line, *alu);
    if (auto const* jump = find_jump_mnemonic(m))
        return assemble_jump(line, *jump);
    if (auto const* memory = find_memory_mnemonic(m))
        return assemble_memory(line, *memory);
    return fail("invalid mnemonic '%.*s'", static_cast<int>(m.length()), m.chars());
}

ErrorOr<Vector<RawInstruction>> Assembler::run(StringView source)
{
    usize position = 0;
    while (position <= source.length()) {
        ++m_line;
        isize newline = source.find('\n', position);
        usize end = newline < 0 ? source.length() : static_cast<usize>(newline);
        StringView text = source.substring(position, end - position);
        position = end + 1;
        isize comment = text.find('#');
        if (comment >= 0)
            text = text.substring(0, static_cast<usize>(comment));
        text = text.trim_whitespace();
        // Leading "name:" defines a label; an instruction may follow on the same line.
        isize colon = text.find(':');
        if (colon > 0 && is_label_start(text[0]) && text.find('[') < 0) {
            StringView name = text.substring(0, static_cast<usize>(colon)).trim_whitespace();
            for (auto const& label : m_labels) {
                if (label.name == name)
                    return fail("duplicate label '%.*s'", static_cast<int>(name.length()), name.chars());
            }
            TRY(m_labels.try_append(Label { name, next_index() }));
            text = text.substring(static_cast<usize>(colon) + 1).trim_whitespace();
        }
        Line line;
        TRY(parse_line(text, line));
        if (!line.mnemonic.is_empty())
            TRY(assemble_line(line));
        if (newline < 0)
            break;
    }
    if (m_output.is_empty()) {
        m_line = 0;
        return fail("no instructions");
    }
    for (auto const& fixup : m_fixups) {
        i64 target = -1;
        for (auto const& label : m_labels) {
            if (label.name == fixup.label)
                target = label.index;
        }
        if (target < 0 && fixup.label == "exit")
            target = m_first_exit;
        if (target < 0) {
            m_line = fixup.line;
            return fail("unknown label '%.*s'", static_cast<int>(fixup.label.length()), fixup.label.chars());
        }
        i64 relative = target - static_cast<i64>(fixup.index) - 1;
        RawInstruction& raw = m_output[fixup.index];
        if (fixup.in_imm) {
            raw.imm = static_cast<i32>(relative);
        } else {
            if (relative < -32768 || relative > 32767) {
                m_line = fixup.line;
                return fail("label '%.*s' is too far for a 16-bit offset", static_cast<int>(fixup.label.length()), fixup.label.chars());
            }
            raw.offset = static_cast<i16>(relative);
        }
    }
    return move(m_output);
}

}

ErrorOr<Vector<RawInstruction>> assemble(StringView source, Diagnostic* diag)
{
    Assembler assembler(diag);
    return assembler.run(source);
}

}
