// x86-64 instruction length decoder (see InsnDecoder.h). The opcode tables give, per opcode
// byte, whether a ModRM byte follows and which immediate: one character per opcode,
//   .  nothing          m  ModRM            x  invalid in 64-bit mode
//   b  imm8             B  ModRM + imm8     w  imm16          e  imm16 + imm8 (ENTER)
//   z  imm16/32 (66)    Z  ModRM + imm16/32 v  imm16/32/64 (MOV r, imm: 66 / REX.W)
//   j  rel32 (CALL/JMP/Jcc; 64-bit mode ignores 66 for these, as Intel CPUs do)
//   o  moffs (8 bytes, 4 with 67)
//   f  ModRM, imm8 if reg is 0/1 (F6)   F  ModRM, imm16/32 if reg is 0/1 (F7)
//   p  prefix or escape (handled before the table)   3  3DNow! (0F 0F: ModRM + imm8)
#include "arch/x86_64/InsnDecoder.h"

namespace x86 {

namespace {

constexpr char one_byte_table[] =
    "mmmmbzxxmmmmbzxp" // 00
    "mmmmbzxxmmmmbzxx" // 10
    "mmmmbzpxmmmmbzpx" // 20
    "mmmmbzpxmmmmbzpx" // 30
    "pppppppppppppppp" // 40 REX
    "................" // 50
    "xxpmppppzZbB...." // 60
    "bbbbbbbbbbbbbbbb" // 70
    "BZxBmmmmmmmmmmmm" // 80
    "..........x....." // 90
    "oooo....bz......" // A0
    "bbbbbbbbvvvvvvvv" // B0
    "BBw.ppBZe.w..bx." // C0
    "mmmmxxx.mmmmmmmm" // D0
    "bbbbbbbbjjxb...." // E0
    "p.pp..fF......mm"; // F0

constexpr char two_byte_table[] =
    "mmmmx.....x.xm.3" // 00
    "mmmmmmmmmmmmmmmm" // 10
    "mmmmxxxxmmmmmmmm" // 20
    "......x.pxpxxxxx" // 30
    "mmmmmmmmmmmmmmmm" // 40
    "mmmmmmmmmmmmmmmm" // 50
    "mmmmmmmmmmmmmmmm" // 60
    "BBBBmmm.mmxxmmmm" // 70
    "jjjjjjjjjjjjjjjj" // 80
    "mmmmmmmmmmmmmmmm" // 90
    "...mBmxx...mBmmm" // A0
    "mmmmmmmmmmBmmmmm" // B0
    "mmBmBBBm........" // C0
    "mmmmmmmmmmmmmmmm" // D0
    "mmmmmmmmmmmmmmmm" // E0
    "mmmmmmmmmmmmmmmm"; // F0

static_assert(sizeof(one_byte_table) == 257 && sizeof(two_byte_table) == 257);

bool is_legacy_prefix(u8 byte)
{
    switch (byte) {
    case 0xF0: case 0xF2: case 0xF3: case 0x2E: case 0x36: case 0x3E: case 0x26: case 0x64: case 0x65: case 0x66: case 0x67:
        return true;
    default:
        return false;
    }
}

// VEX/EVEX map 1 (0F) opcodes that take an imm8.
bool map1_has_imm8(u8 opcode)
{
    return (opcode >= 0x70 && opcode <= 0x73) || opcode == 0xC2 || (opcode >= 0xC4 && opcode <= 0xC6);
}

class Reader {
public:
    Reader(u8 const* bytes, usize available)
        : m_bytes(bytes)
        , m_available(available < max_instruction_length ? available : max_instruction_length)
    {
    }
    bool has(usize count) const { return m_position + count <= m_available; }
    u8 peek(usize ahead = 0) const { return m_bytes[m_position + ahead]; }
    u8 position() const { return static_cast<u8>(m_position); }
    void skip(usize count) { m_position += count; }
    i64 read_signed(usize size)
    {
        u64 value = 0;
        for (usize i = 0; i < size; ++i)
            value |= static_cast<u64>(m_bytes[m_position + i]) << (8 * i);
        m_position += size;
        if (size < 8 && (value >> (8 * size - 1)) & 1)
            value |= ~0ULL << (8 * size);
        return static_cast<i64>(value);
    }

private:
    u8 const* m_bytes;
    usize m_available;
    usize m_position { 0 };
};

ErrorOr<void> decode_modrm(Reader& reader, Instruction& insn)
{
    if (!reader.has(1))
        return Error(EILSEQ);
    insn.has_modrm = true;
    insn.modrm_offset = reader.position();
    insn.modrm = reader.peek();
    reader.skip(1);
    u8 mod = insn.modrm_mod(), rm = insn.modrm_rm();
    if (mod == 3)
        return {};
    u8 displacement = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (rm == 4) {
        if (!reader.has(1))
            return Error(EILSEQ);
        insn.has_sib = true;
        insn.sib = reader.peek();
        reader.skip(1);
        if (mod == 0 && (insn.sib & 7) == 5)
            displacement = 4;
    } else if (mod == 0 && rm == 5) {
        insn.rip_relative = true;
        displacement = 4;
    }
    if (displacement) {
        if (!reader.has(displacement))
            return Error(EILSEQ);
        insn.displacement_offset = reader.position();
        insn.displacement_size = displacement;
        insn.displacement = reader.read_signed(displacement);
    }
    return {};
}

ErrorOr<void> read_immediate(Reader& reader, Instruction& insn, u8 size)
{
    if (!size)
        return {};
    if (!reader.has(size))
        return Error(EILSEQ);
    insn.immediate_offset = reader.position();
    insn.immediate_size = size;
    insn.immediate = reader.read_signed(size);
    return {};
}

// VEX (C4/C5), EVEX (62) and XOP (8F) prefixes: the map comes from the prefix; every
// instruction has a ModRM byte except VZEROUPPER/VZEROALL (VEX map 1, opcode 77).
ErrorOr<void> decode_extended(Reader& reader, Instruction& insn, u8 first)
{
    u8 map_select;
    usize prefix_length;
    if (first == 0xC5) {
        insn.encoding = Encoding::Vex;
        prefix_length = 2;
        map_select = 1;
    } else {
        prefix_length = first == 0x62 ? 4 : 3;
        if (!reader.has(2))
            return Error(EILSEQ);
        map_select = reader.peek(1) & (first == 0x62 ? 0x07 : 0x1F);
        insn.encoding = first == 0xC4 ? Encoding::Vex : first == 0x62 ? Encoding::Evex : Encoding::Xop;
    }
    if (!reader.has(prefix_length + 1))
        return Error(EILSEQ);
    reader.skip(prefix_length);
    insn.opcode_offset = reader.position();
    insn.opcode = reader.peek();
    reader.skip(1);
    u8 immediate = 0;
    bool modrm = true;
    switch (insn.encoding) {
    case Encoding::Xop:
        if (map_select < 8 || map_select > 10)
            return Error(EILSEQ);
        insn.map = OpcodeMap::Other;
        immediate = map_select == 8 ? 1 : map_select == 10 ? 4 : 0;
        break;
    default:
        switch (map_select) {
        case 1:
            insn.map = OpcodeMap::Map0F;
            immediate = map1_has_imm8(insn.opcode) ? 1 : 0;
            modrm = !(insn.encoding == Encoding::Vex && insn.opcode == 0x77);
            break;
        case 2:
            insn.map = OpcodeMap::Map0F38;
            break;
        case 3:
            insn.map = OpcodeMap::Map0F3A;
            immediate = 1;
            break;
        case 5:
        case 6:
            if (insn.encoding != Encoding::Evex)
                return Error(EILSEQ);
            insn.map = OpcodeMap::Other;
            break;
        default:
            return Error(EILSEQ);
        }
    }
    if (modrm)
        TRY(decode_modrm(reader, insn));
    return read_immediate(reader, insn, immediate);
}

}

ErrorOr<Instruction> decode_instruction(u8 const* bytes, usize available)
{
    Reader reader(bytes, available);
    Instruction insn;
    // Legacy prefixes, then at most one REX immediately before the opcode (a REX followed by
    // another prefix is ignored, as the CPU does).
    for (;;) {
        if (!reader.has(1))
            return Error(EILSEQ);
        u8 byte = reader.peek();
        if (is_legacy_prefix(byte)) {
            ++insn.prefix_count;
            insn.rex = 0;
            insn.operand_size_prefix |= byte == 0x66;
            insn.address_size_prefix |= byte == 0x67;
            insn.lock_prefix |= byte == 0xF0;
            insn.rep_prefix |= byte == 0xF3;
            insn.repne_prefix |= byte == 0xF2;
        } else if ((byte & 0xF0) == 0x40) {
            insn.rex = byte;
        } else {
            break;
        }
        reader.skip(1);
    }

    u8 first = reader.peek();
    if (first == 0xC4 || first == 0xC5 || first == 0x62 || (first == 0x8F && reader.has(2) && (reader.peek(1) & 0x1F) >= 8)) {
        TRY(decode_extended(reader, insn, first));
        insn.length = reader.position();
        return insn;
    }

    char kind;
    insn.opcode_offset = reader.position();
    reader.skip(1);
    if (first != 0x0F) {
        insn.map = OpcodeMap::OneByte;
        insn.opcode = first;
        kind = one_byte_table[first];
    } else {
        if (!reader.has(1))
            return Error(EILSEQ);
        u8 second = reader.peek();
        reader.skip(1);
        if (second == 0x38 || second == 0x3A) {
            if (!reader.has(1))
                return Error(EILSEQ);
            insn.map = second == 0x38 ? OpcodeMap::Map0F38 : OpcodeMap::Map0F3A;
            insn.opcode = reader.peek();
            reader.skip(1);
            kind = second == 0x38 ? 'm' : 'B';
        } else {
            insn.map = OpcodeMap::Map0F;
            insn.opcode = second;
            kind = two_byte_table[second];
        }
    }

    u8 operand_size = insn.rex_w() ? 8 : insn.operand_size_prefix ? 2 : 4;
    u8 z_size = operand_size == 2 ? 2 : 4;
    switch (kind) {
    case '.':
        break;
    case 'x':
    case 'p':
        return Error(EILSEQ);
    case 'm':
        TRY(decode_modrm(reader, insn));
        break;
    case 'b':
        TRY(read_immediate(reader, insn, 1));
        break;
    case 'B':
        TRY(decode_modrm(reader, insn));
        TRY(read_immediate(reader, insn, 1));
        break;
    case 'w':
        TRY(read_immediate(reader, insn, 2));
        break;
    case 'e':
        TRY(read_immediate(reader, insn, 2));
        if (!reader.has(1))
            return Error(EILSEQ);
        reader.skip(1);
        insn.immediate2_size = 1;
        break;
    case 'z':
        TRY(read_immediate(reader, insn, z_size));
        break;
    case 'Z':
        TRY(decode_modrm(reader, insn));
        TRY(read_immediate(reader, insn, z_size));
        break;
    case 'v':
        TRY(read_immediate(reader, insn, operand_size));
        break;
    case 'j':
        TRY(read_immediate(reader, insn, 4));
        break;
    case 'o': {
        u8 size = insn.address_size_prefix ? 4 : 8;
        if (!reader.has(size))
            return Error(EILSEQ);
        insn.displacement_offset = reader.position();
        insn.displacement_size = size;
        insn.displacement = reader.read_signed(size);
        break;
    }
    case 'f':
    case 'F':
        TRY(decode_modrm(reader, insn));
        if (insn.modrm_reg() < 2)
            TRY(read_immediate(reader, insn, kind == 'f' ? 1 : z_size));
        break;
    case '3':
        insn.map = OpcodeMap::ThreeDNow;
        TRY(decode_modrm(reader, insn));
        if (!reader.has(1))
            return Error(EILSEQ);
        insn.opcode = reader.peek();
        reader.skip(1);
        break;
    default:
        return Error(EILSEQ);
    }
    insn.length = reader.position();
    return insn;
}

}
