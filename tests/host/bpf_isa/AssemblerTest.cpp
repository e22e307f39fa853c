// Assembler and disassembler: round trips over the whole conformance suite, the LLVM-style
// listing, pseudo LD_IMM64 syntax, and error messages with line numbers.
#include "ConformanceFile.h"
#include "ConformanceRunner.h"
#include "TestSupport.h"
#include "bpf/isa/Disassembler.h"
#include <cstring>

using namespace bpf::isa;

namespace {

std::string disassemble_text(std::vector<RawInstruction> const& program, Syntax syntax)
{
    StringBuilder out;
    Diagnostic diag;
    auto result = disassemble(Span<RawInstruction const>(program.data(), program.size()), syntax, out, &diag);
    INFO(diag.message());
    REQUIRE_FALSE(result.is_error());
    return std::string(out.view().chars(), out.view().length());
}

std::string assembler_error(std::string const& source)
{
    Diagnostic diag;
    auto result = assemble(StringView(source.data(), source.size()), &diag);
    if (!result.is_error())
        return {};
    return diag.message();
}

bool same(std::vector<RawInstruction> const& a, std::vector<RawInstruction> const& b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 8) == 0;
}

}

TEST_CASE("disassembling every conformance program reassembles to the same bytes", "[assembler][disassembler]")
{
    for (auto const& path : isa_test::data_files(BPF_CONFORMANCE_DIR "/tests")) {
        std::string error;
        auto program = bpfvm::program_of_file(isa_test::read_file(path), error);
        INFO(path << " " << error);
        REQUIRE(program);
        std::string text = disassemble_text(*program, Syntax::Asm);
        INFO(text);
        CHECK(same(isa_test::assemble_or_fail(text), *program));
        CHECK_FALSE(disassemble_text(*program, Syntax::Llvm).empty());
    }
}

TEST_CASE("the LLVM listing reads like llvm-objdump -d", "[disassembler]")
{
    auto program = isa_test::assemble_or_fail(R"(
        mov32 %r0, 42
        ldxw %r1, [%r1+4]
        ldxsh %r2, [%r10-2]
        stxdw [%r10-8], %r1
        stb [%r10-16], 7
        jeq %r1, 5, +3
        jsgt32 %r1, %r2, -1
        lddw %r3, 0x1122334455667788
        lock add32 [%r10-4], %r1
        lock fetch or [%r10-8], %r2
        lock xchg [%r10-8], %r2
        lock cmpxchg32 [%r10-4], %r3
        sdiv %r0, %r1
        arsh32 %r0, 3
        be16 %r0
        bswap64 %r1
        movsx1664 %r4, %r5
        neg32 %r0
        call 1
        callx %r2
        ja32 +0
        ldacqh %r3, [%r1+2]
        streldw [%r10-8], %r4
        exit
    )");
    std::string expected =
        "       0:\tb4 00 00 00 2a 00 00 00\tw0 = 42\n"
        "       1:\t61 11 04 00 00 00 00 00\tr1 = *(u32 *)(r1 + 4)\n"
        "       2:\t89 a2 fe ff 00 00 00 00\tr2 = *(s16 *)(r10 - 2)\n"
        "       3:\t7b 1a f8 ff 00 00 00 00\t*(u64 *)(r10 - 8) = r1\n"
        "       4:\t72 0a f0 ff 07 00 00 00\t*(u8 *)(r10 - 16) = 7\n"
        "       5:\t15 01 03 00 05 00 00 00\tif r1 == 5 goto +3\n"
        "       6:\t6e 21 ff ff 00 00 00 00\tif w1 s> w2 goto -1\n"
        "       7:\t18 03 00 00 88 77 66 55 00 00 00 00 44 33 22 11\tr3 = 0x1122334455667788 ll\n"
        "       9:\tc3 1a fc ff 00 00 00 00\tlock *(u32 *)(r10 - 4) += w1\n"
        "      10:\tdb 2a f8 ff 41 00 00 00\tr2 = atomic_fetch_or((u64 *)(r10 - 8), r2)\n"
        "      11:\tdb 2a f8 ff e1 00 00 00\tr2 = xchg_64(r10 - 8, r2)\n"
        "      12:\tc3 3a fc ff f1 00 00 00\tw0 = cmpxchg32_32(r10 - 4, w0, w3)\n"
        "      13:\t3f 10 01 00 00 00 00 00\tr0 s/= r1\n"
        "      14:\tc4 00 00 00 03 00 00 00\tw0 s>>= 3\n"
        "      15:\tdc 00 00 00 10 00 00 00\tr0 = be16 r0\n"
        "      16:\td7 01 00 00 40 00 00 00\tr1 = bswap64 r1\n"
        "      17:\tbf 54 10 00 00 00 00 00\tr4 = (s16)r5\n"
        "      18:\t84 00 00 00 00 00 00 00\tw0 = -w0\n"
        "      19:\t85 00 00 00 01 00 00 00\tcall 1\n"
        "      20:\t8d 02 00 00 00 00 00 00\tcallx r2\n"
        "      21:\t06 00 00 00 00 00 00 00\tgotol +0\n"
        "      22:\tcb 13 02 00 00 01 00 00\tw3 = load_acquire((u16 *)(r1 + 2))\n"
        "      23:\tdb 4a f8 ff 10 01 00 00\tstore_release((u64 *)(r10 - 8), r4)\n"
        "      24:\t95 00 00 00 00 00 00 00\texit\n";
    CHECK(disassemble_text(program, Syntax::Llvm) == expected);
}

TEST_CASE("pseudo LD_IMM64 forms and packet loads round-trip", "[assembler][disassembler]")
{
    std::string source =
        "lddw %r1, map_fd(3)\n"
        "lddw %r2, map_value(1, 16)\n"
        "lddw %r3, btf_id(42, 7)\n"
        "lddw %r4, func(+8)\n"
        "lddw %r5, map_idx(2)\n"
        "lddw %r6, map_idx_value(0, 8)\n"
        "ldabsw 12\n"
        "ldindb %r2, -1\n"
        "call local -13\n"
        "exit\n";
    auto program = isa_test::assemble_or_fail(source);
    REQUIRE(program.size() == 16);
    CHECK(program[0].src == 1);
    CHECK(program[2].src == 2);
    CHECK(program[3].imm == 16);
    CHECK(program[5].imm == 7);
    CHECK(program[6].src == 4);
    CHECK(program[6].imm == 8);
    CHECK(program[10].src == 6);
    CHECK(disassemble_text(program, Syntax::Asm) == source);
}

TEST_CASE("assembler errors name the line", "[assembler]")
{
    CHECK(assembler_error("mov %r0, 1\n\nfoo %r0\nexit") == "line 3: invalid mnemonic 'foo'");
    CHECK(assembler_error("# comment\nmov %r11, 1\nexit") == "line 2: invalid register '%r11'");
    CHECK(assembler_error("mov32 %r0, 2147483648\nexit") == "line 1: immediate 2147483648 is outside the 32-bit range");
    CHECK(assembler_error("mov32 %r0, 0xffffffff\nmov32 %r0, -2147483648\nexit").empty());
    CHECK(assembler_error("ldxb %r0, [%r1+32768]\nexit") == "line 1: offset +32768 is outside the 16-bit range");
    CHECK(assembler_error("exit\n\n\nja nowhere") == "line 4: unknown label 'nowhere'");
    CHECK(assembler_error("a:\na:\nexit") == "line 2: duplicate label 'a'");
    CHECK(assembler_error("lock add [%r10-8]\nexit").rfind("line 1: invalid number of operands for lock", 0) == 0);
    CHECK(assembler_error("lddw %r0\nexit") == "line 1: 'lddw' takes 2 operands, found 1");
    CHECK(assembler_error("lddw %r0, map_value(1)\nexit") == "line 1: 'map_value' takes 2 arguments");
    CHECK(assembler_error("# nothing\n") == "no instructions");
}

TEST_CASE("labels: forward, backward, default exit, same-line instruction", "[assembler]")
{
    auto program = isa_test::assemble_or_fail("top: mov %r0, 1\njeq %r0, 1, exit\nja top\nexit\n");
    REQUIRE(program.size() == 4);
    CHECK(program[1].offset == 1);  // to the first exit
    CHECK(program[2].offset == -3); // back to top
}
