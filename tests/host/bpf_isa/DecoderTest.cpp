// Decoder tests: the set of accepted opcodes equals RFC 9669's table plus Linux's legacy packet
// loads and callx; decoded fields (targets, immediates, variants); rejections name the index.
#include "TestSupport.h"
#include <set>

using namespace bpf::isa;

namespace {

RawInstruction raw(u8 opcode, u8 dst = 0, u8 src = 0, i16 offset = 0, i32 imm = 0)
{
    return RawInstruction::make(opcode, dst, src, offset, imm);
}

RawInstruction const exit_insn = raw(0x95);

// The opcodes of RFC 9669 (Appendix A) plus LD_ABS/LD_IND (Linux legacy), callx and the 8/16-bit
// STX|ATOMIC forms that only load-acquire/store-release use (Linux 6.15), written out from the
// tables rather than derived from the decoder's own constants.
std::set<int> reference_opcodes()
{
    std::set<int> ops;
    for (int cls : { 0x04, 0x07 }) {
        for (int op : { 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0 }) {
            ops.insert(cls | op);        // K
            ops.insert(cls | op | 0x08); // X
        }
        ops.insert(cls | 0x80); // neg
    }
    ops.insert(0xd4); // le
    ops.insert(0xdc); // be
    ops.insert(0xd7); // bswap
    for (int cls : { 0x05, 0x06 }) {
        ops.insert(cls | 0x00); // ja / gotol
        for (int op : { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0 }) {
            ops.insert(cls | op);
            ops.insert(cls | op | 0x08);
        }
    }
    ops.insert(0x85); // call
    ops.insert(0x8d); // callx
    ops.insert(0x95); // exit
    ops.insert(0x18); // lddw
    for (int op : { 0x20, 0x28, 0x30, 0x40, 0x48, 0x50 })
        ops.insert(op); // ld_abs / ld_ind b h w
    for (int op : { 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91 })
        ops.insert(op); // ldx, ldxs
    for (int op : { 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb, 0xcb, 0xd3 })
        ops.insert(op); // st, stx, atomics
    return ops;
}

bool some_encoding_decodes(u8 opcode)
{
    // Field combinations that make each valid opcode well-formed.
    struct Fields {
        u8 dst, src;
        i16 offset;
        i32 imm;
    };
    static Fields const combinations[] = {
        { 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 1, 2, 0, 0 }, { 0, 2, 0, 0 }, { 1, 0, 0, 16 }, { 1, 2, 0, 0x100 },
    };
    for (auto const& f : combinations) {
        std::vector<RawInstruction> program { raw(opcode, f.dst, f.src, f.offset, f.imm) };
        if (opcode == 0x18)
            program.push_back(raw(0));
        program.push_back(exit_insn);
        if (isa_test::decode_error(program).empty())
            return true;
    }
    return false;
}

Instruction decode_single(std::vector<RawInstruction> program, u32 index = 0)
{
    Diagnostic diag;
    auto decoded = decode(Span<RawInstruction const>(program.data(), program.size()), &diag);
    INFO(diag.message());
    REQUIRE_FALSE(decoded.is_error());
    return decoded.value()[index];
}

}

TEST_CASE("the decoder accepts exactly the ISA's opcodes", "[decoder]")
{
    auto reference = reference_opcodes();
    for (int opcode = 0; opcode < 256; ++opcode) {
        INFO("opcode 0x" << std::hex << opcode);
        CHECK(some_encoding_decodes(static_cast<u8>(opcode)) == (reference.count(opcode) == 1));
    }
}

TEST_CASE("decoded forms carry resolved variants and targets", "[decoder]")
{
    CHECK(decode_single({ raw(0x3f, 1, 2, 1), exit_insn }).op == Op::Sdiv64Reg);
    CHECK(decode_single({ raw(0x94, 1, 0, 1, -3), exit_insn }).op == Op::Smod32Imm);
    CHECK(decode_single({ raw(0xbf, 1, 2, 16), exit_insn }).op == Op::Movsx16To64);
    CHECK(decode_single({ raw(0xbc, 1, 2, 8), exit_insn }).op == Op::Movsx8To32);
    CHECK(decode_single({ raw(0xdc, 1, 0, 0, 32), exit_insn }).op == Op::Be32);
    CHECK(decode_single({ raw(0xd7, 1, 0, 0, 64), exit_insn }).op == Op::Bswap64);
    CHECK(decode_single({ raw(0x91, 1, 2, -4), exit_insn }).op == Op::LdxsB);
    CHECK(decode_single({ raw(0xc3, 10, 1, -4, 0xa1), exit_insn }).op == Op::AtomicXorFetch32);
    CHECK(decode_single({ raw(0xdb, 10, 1, -8, 0xf1), exit_insn }).op == Op::AtomicCmpxchg64);
    CHECK(decode_single({ raw(0x85, 0, 0, 0, 12), exit_insn }).op == Op::TailCall);
    CHECK(decode_single({ raw(0xd3, 1, 2, 0, 0x100), exit_insn }).op == Op::LoadAcquireB);
    CHECK(decode_single({ raw(0xdb, 1, 2, 8, 0x110), exit_insn }).op == Op::StoreReleaseDW);
    CHECK(isa_test::decode_error({ raw(0xcb, 1, 2, 0, 0x01), exit_insn }) == "instruction 0: atomic operations exist only for 32 and 64 bits (opcode 0xcb)");
    CHECK(isa_test::decode_error({ raw(0xdb, 10, 2, 0, 0x100), exit_insn }) == "instruction 0: writes to r10, the read-only frame pointer (opcode 0xdb)");
    CHECK(decode_single({ raw(0x8d, 3), exit_insn }).op == Op::Callx);
    CHECK(decode_single({ raw(0x48, 0, 3, 0, 2), exit_insn }).op == Op::LdIndH);

    Instruction imm = decode_single({ raw(0x07, 1, 0, 0, -1), exit_insn });
    CHECK(imm.op == Op::Add64Imm);
    CHECK(imm.imm == ~0ull); // sign-extended

    Instruction jump = decode_single({ raw(0xb7), raw(0x2e, 1, 2, 1), exit_insn, exit_insn }, 1);
    CHECK(jump.op == Op::Jgt32Reg);
    CHECK(jump.target == 3);

    Instruction gotol = decode_single({ raw(0x06, 0, 0, 0, 1), exit_insn, exit_insn });
    CHECK(gotol.op == Op::Gotol);
    CHECK(gotol.target == 2);

    Instruction wide = decode_single({ raw(0x18, 2, 0, 0, 0x55667788), raw(0, 0, 0, 0, 0x11223344), exit_insn });
    CHECK(wide.op == Op::LdImm64);
    CHECK(wide.imm == 0x1122334455667788ull);
    CHECK(decode_single({ raw(0x18, 2, 0, 0, 1), raw(0), exit_insn }, 1).op == Op::LdImm64Tail);

    Instruction func = decode_single({ raw(0x18, 2, 4, 0, 2), raw(0), exit_insn, exit_insn });
    CHECK(func.pseudo == 4);
    CHECK(func.imm == 3); // function value = absolute index of the subprogram

    Instruction map_value = decode_single({ raw(0x18, 2, 2, 0, 5), raw(0, 0, 0, 0, 24), exit_insn });
    CHECK(map_value.pseudo == 2);
    CHECK(map_value.imm == 5);
    CHECK(map_value.offset == 24);
}

TEST_CASE("malformed instructions are rejected with their index", "[decoder]")
{
    auto nop = raw(0xb7, 0, 0, 0, 0);
    CHECK(isa_test::decode_error({ nop, nop, raw(0xb7, 11), exit_insn }) == "instruction 2: invalid register r11 in dst_reg (opcode 0xb7)");
    CHECK(isa_test::decode_error({ nop, raw(0xbf, 10, 1), exit_insn }) == "instruction 1: writes to r10, the read-only frame pointer (opcode 0xbf)");
    CHECK(isa_test::decode_error({ nop, raw(0x18, 1, 0, 0, 1) }) == "instruction 1: LD_IMM64 is missing its second half (opcode 0x18)");
    CHECK(isa_test::decode_error({ raw(0xff), exit_insn }) == "instruction 0: invalid ALU opcode (opcode 0xff)");
    CHECK(isa_test::decode_error({ exit_insn, raw(0xf5) }) == "instruction 1: invalid jump opcode (opcode 0xf5)");
    CHECK(isa_test::decode_error({ nop, nop, nop, raw(0x07, 1, 0, 2, 1), exit_insn }) == "instruction 3: reserved field offset is 2, must be 0 (opcode 0x07)");
    CHECK(isa_test::decode_error({}) == "program has no instructions");
    // Writes through r10 as a base register are fine; only writing r10 itself is not.
    CHECK(isa_test::decode_error({ raw(0x7a, 10, 0, -8, 1), raw(0x7b, 10, 1, -16), nop, exit_insn }).empty());
}
