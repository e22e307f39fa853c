// The x86-64 instruction length decoder (kernel/arch/x86_64/InsnDecoder.cpp): hand-picked
// encodings with their parts, then every instruction objdump finds in the kernel image's
// text (objdump is the oracle for the lengths; $KERNEL_ELF names the image).
#include "arch/x86_64/InsnDecoder.h"
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

x86::Instruction decode(std::vector<u8> const& bytes)
{
    auto result = x86::decode_instruction(bytes.data(), bytes.size());
    REQUIRE(!result.is_error());
    return result.release_value();
}

bool rejects(std::vector<u8> const& bytes)
{
    return x86::decode_instruction(bytes.data(), bytes.size()).is_error();
}

}

TEST_CASE("decoder: plain instructions and their lengths", "[kprobes][decoder]")
{
    CHECK(decode({ 0x55 }).length == 1);                                        // push %rbp
    CHECK(decode({ 0x48, 0x89, 0xe5 }).length == 3);                            // mov %rsp,%rbp
    CHECK(decode({ 0xc3 }).length == 1);                                        // ret
    CHECK(decode({ 0xc2, 0x08, 0x00 }).length == 3);                            // ret $8
    CHECK(decode({ 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 }).length == 10);         // movabs $imm64,%rax
    CHECK(decode({ 0xb8, 1, 2, 3, 4 }).length == 5);                            // mov $imm32,%eax
    CHECK(decode({ 0x66, 0xb8, 1, 2 }).length == 4);                            // mov $imm16,%ax
    CHECK(decode({ 0x66, 0x81, 0xc0, 1, 2 }).length == 5);                      // add $imm16,%ax
    CHECK(decode({ 0x48, 0x81, 0xc4, 1, 2, 3, 4 }).length == 7);                // add $imm32,%rsp
    CHECK(decode({ 0xf6, 0xc1, 0x01 }).length == 3);                            // test $1,%cl
    CHECK(decode({ 0xf6, 0xd1 }).length == 2);                                  // not %cl
    CHECK(decode({ 0xf7, 0xc1, 1, 0, 0, 0 }).length == 6);                      // test $1,%ecx
    CHECK(decode({ 0xc8, 0x10, 0x00, 0x00 }).length == 4);                      // enter $16,$0
    CHECK(decode({ 0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8 }).length == 10);         // movabs moffs64,%rax
    CHECK(decode({ 0x67, 0xa1, 1, 2, 3, 4 }).length == 6);                      // mov moffs32 (addr32)
    CHECK(decode({ 0x0f, 0x0b }).length == 2);                                  // ud2
    CHECK(decode({ 0x0f, 0x05 }).length == 2);                                  // syscall
    CHECK(decode({ 0xf3, 0x0f, 0x1e, 0xfa }).length == 4);                      // endbr64
    CHECK(decode({ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 }).length == 6);          // nopw 0(%rax,%rax)
    CHECK(decode({ 0x0f, 0xba, 0xe0, 0x05 }).length == 4);                      // bt $5,%eax
    CHECK(decode({ 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08 }).length == 6);          // palignr $8,%xmm1,%xmm0
    CHECK(decode({ 0x66, 0x0f, 0x38, 0x00, 0xc1 }).length == 5);                // pshufb %xmm1,%xmm0
    CHECK(decode({ 0x0f, 0x0f, 0xc1, 0x9e }).length == 4);                      // pfadd (3DNow!)
}

TEST_CASE("decoder: ModRM, SIB, displacements and RIP-relative operands", "[kprobes][decoder]")
{
    auto rip = decode({ 0x48, 0x8b, 0x05, 0x10, 0x20, 0x30, 0x00 }); // mov 0x302010(%rip),%rax
    CHECK(rip.length == 7);
    CHECK(rip.rip_relative);
    CHECK(rip.displacement_offset == 3);
    CHECK(rip.displacement_size == 4);
    CHECK(rip.displacement == 0x302010);

    auto sib = decode({ 0x8b, 0x44, 0x24, 0xf8 }); // mov -8(%rsp),%eax
    CHECK(sib.length == 4);
    CHECK(sib.has_sib);
    CHECK(!sib.rip_relative);
    CHECK(sib.displacement == -8);

    auto sib_no_base = decode({ 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00 }); // mov 0x1000,%eax
    CHECK(sib_no_base.length == 7);
    CHECK(!sib_no_base.rip_relative);
    CHECK(sib_no_base.displacement_size == 4);

    auto rip_imm = decode({ 0xc7, 0x05, 1, 0, 0, 0, 0x2a, 0, 0, 0 }); // movl $42,1(%rip)
    CHECK(rip_imm.length == 10);
    CHECK(rip_imm.rip_relative);
    CHECK(rip_imm.immediate_offset == 6);
    CHECK(rip_imm.immediate == 42);

    auto cmp_rip = decode({ 0x80, 0x3d, 1, 0, 0, 0, 0x00 }); // cmpb $0,1(%rip)
    CHECK(cmp_rip.length == 7);
    CHECK(cmp_rip.rip_relative);

    auto disp32 = decode({ 0x48, 0x8b, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00 }); // mov 0x100(%rsp),%rax
    CHECK(disp32.length == 8);
    CHECK(disp32.displacement == 0x100);
}

TEST_CASE("decoder: branches carry their relative immediates", "[kprobes][decoder]")
{
    auto call = decode({ 0xe8, 0xfb, 0xff, 0xff, 0xff });
    CHECK(call.length == 5);
    CHECK(call.opcode == 0xe8);
    CHECK(call.immediate == -5);
    auto jcc8 = decode({ 0x74, 0x80 });
    CHECK(jcc8.length == 2);
    CHECK(jcc8.immediate == -128);
    auto jcc32 = decode({ 0x0f, 0x85, 0x00, 0x01, 0x00, 0x00 });
    CHECK(jcc32.length == 6);
    CHECK(jcc32.map == x86::OpcodeMap::Map0F);
    CHECK(jcc32.opcode == 0x85);
    CHECK(jcc32.immediate == 0x100);
    auto indirect = decode({ 0x41, 0xff, 0xd3 }); // call *%r11
    CHECK(indirect.length == 3);
    CHECK(indirect.rex_b());
    CHECK(indirect.modrm_reg() == 2);
    CHECK(indirect.modrm_mod() == 3);
}

TEST_CASE("decoder: VEX, EVEX and XOP encodings", "[kprobes][decoder]")
{
    CHECK(decode({ 0xc5, 0xf8, 0x77 }).length == 3);                            // vzeroupper
    CHECK(decode({ 0xc5, 0xf9, 0x6f, 0xc1 }).length == 4);                      // vmovdqa %xmm1,%xmm0
    CHECK(decode({ 0xc5, 0xf9, 0x70, 0xc1, 0x1b }).length == 5);                // vpshufd $0x1b
    CHECK(decode({ 0xc4, 0xe2, 0x79, 0x00, 0xc1 }).length == 5);                // vpshufb (map 0F38)
    CHECK(decode({ 0xc4, 0xe3, 0x79, 0x0f, 0xc1, 0x08 }).length == 6);          // vpalignr (map 0F3A)
    auto vex_rip = decode({ 0xc5, 0xfa, 0x6f, 0x05, 1, 0, 0, 0 });              // vmovdqu 1(%rip),%xmm0
    CHECK(vex_rip.length == 8);
    CHECK(vex_rip.rip_relative);
    CHECK(vex_rip.encoding == x86::Encoding::Vex);
    CHECK(decode({ 0x62, 0xf1, 0x7d, 0x48, 0x6f, 0x44, 0x24, 0x01 }).length == 8); // vmovdqa32 0x40(%rsp),%zmm0
    CHECK(decode({ 0x62, 0xf3, 0x7d, 0x48, 0x0f, 0xc1, 0x08 }).length == 7);       // EVEX map 3 + imm8
    CHECK(decode({ 0x8f, 0xe8, 0x78, 0xc0, 0xc1, 0x05 }).length == 6);             // vprotb $5 (XOP map 8)
    CHECK(decode({ 0x8f, 0xc0 }).length == 2);                                     // pop %rax (8F /0, not XOP)
}

TEST_CASE("decoder: invalid and truncated input is EILSEQ", "[kprobes][decoder]")
{
    CHECK(rejects({ 0x06 }));             // push %es: invalid in 64-bit mode
    CHECK(rejects({ 0x9a, 0, 0, 0, 0, 0, 0 })); // far call absolute
    CHECK(rejects({ 0xd4, 0x0a }));       // aam
    CHECK(rejects({ 0x48, 0x8b }));       // ModRM missing
    CHECK(rejects({ 0xe8, 0x00, 0x00 })); // rel32 cut short
    CHECK(rejects({ 0x66 }));             // only a prefix
    std::vector<u8> too_long(15, 0x66);
    too_long.push_back(0x90);
    CHECK(rejects(too_long));             // 16 bytes
    std::vector<u8> longest(14, 0x66);
    longest.push_back(0x90);
    CHECK(decode(longest).length == 15);
    CHECK(decode({ 0x48, 0x66, 0x90 }).rex == 0); // a REX followed by a prefix is ignored
}

namespace {

struct ObjdumpComparison {
    unsigned checked { 0 };
    unsigned mismatches { 0 };
    unsigned skipped_bad { 0 };
};

// Decodes every instruction objdump lists in the .text of `elf` (between __text_start and
// __text_end when the file has them) and counts length mismatches.
ObjdumpComparison compare_with_objdump(char const* elf)
{
    std::string command = std::string("objdump -d -z --insn-width=16 -j .text ") + elf + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe);
    // Lines "ffffffff80100040:\t48 89 e5 \tmov %rsp,%rbp"; symbol lines "ffff... <name>:".
    struct Line {
        u64 address;
        unsigned length;
        bool bad;
    };
    std::vector<Line> lines;
    std::map<u64, u8> bytes;
    u64 text_start = 0, text_end = 0;
    char buffer[1024];
    while (fgets(buffer, sizeof buffer, pipe)) {
        unsigned long long address;
        char name[512];
        if (sscanf(buffer, "%llx <%511[^>]>:", &address, name) == 2) {
            if (!strcmp(name, "__text_start"))
                text_start = address;
            if (!strcmp(name, "__text_end"))
                text_end = address;
            continue;
        }
        char* colon = strchr(buffer, ':');
        if (!colon || colon[1] != '\t' || sscanf(buffer, " %llx:", &address) != 1)
            continue;
        char* field = colon + 2;
        char* tab = strchr(field, '\t');
        std::string hex(field, tab ? static_cast<size_t>(tab - field) : strlen(field));
        unsigned count = 0;
        for (size_t i = 0; i + 1 < hex.size();) {
            if (hex[i] == ' ') {
                ++i;
                continue;
            }
            bytes[address + count++] = static_cast<u8>(strtoul(hex.substr(i, 2).c_str(), nullptr, 16));
            i += 2;
        }
        bool bad = tab && strstr(tab, "(bad)");
        if (count)
            lines.push_back({ address, count, bad || !tab });
    }
    pclose(pipe);
    REQUIRE(lines.size() > 1000);
    if (!text_start)
        text_start = bytes.begin()->first;
    if (!text_end) // __text_end marks the end of the section: no line of its own
        text_end = bytes.rbegin()->first + 1;

    u64 base = bytes.begin()->first;
    std::vector<u8> image(bytes.rbegin()->first - base + 1 + 16, 0);
    for (auto& [address, byte] : bytes)
        image[address - base] = byte;

    ObjdumpComparison result;
    for (auto& line : lines) {
        if (line.address < text_start || line.address >= text_end)
            continue;
        if (line.bad) {
            ++result.skipped_bad;
            continue;
        }
        usize offset = line.address - base;
        auto decoded = x86::decode_instruction(image.data() + offset, image.size() - offset);
        unsigned length = decoded.is_error() ? 0 : decoded.value().length;
        if (length != line.length && ++result.mismatches <= 20) {
            std::string hex;
            for (unsigned i = 0; i < line.length; ++i) {
                char b[4];
                snprintf(b, sizeof b, "%02x ", image[offset + i]);
                hex += b;
            }
            UNSCOPED_INFO(elf << " at " << std::hex << line.address << ": objdump " << std::dec << line.length << " bytes ("
                              << hex << "), decoder " << length);
        }
        ++result.checked;
    }
    return result;
}

}

TEST_CASE("decoder: every instruction of the kernel text has objdump's length", "[kprobes][decoder][objdump]")
{
    char const* elf = getenv("KERNEL_ELF");
    if (!elf || !*elf) {
        WARN("KERNEL_ELF not set (built without the kernel): objdump comparison not run");
        return;
    }
    auto result = compare_with_objdump(elf);
    CHECK(result.checked > 10000);
    CHECK(result.mismatches == 0);
    WARN("objdump comparison on " << elf << ": " << result.checked << " instructions, " << result.mismatches
                                  << " mismatches, " << result.skipped_bad << " (bad) skipped");
}

// The kernel is built without SSE/AVX; a host libc exercises VEX/EVEX encodings as well
// (DECODER_EXTRA_ELF=/lib/x86_64-linux-gnu/libc.so.6).
TEST_CASE("decoder: an extra ELF's text has objdump's lengths", "[kprobes][decoder][objdump]")
{
    char const* elf = getenv("DECODER_EXTRA_ELF");
    if (!elf || !*elf)
        return;
    auto result = compare_with_objdump(elf);
    CHECK(result.mismatches == 0);
    WARN("objdump comparison on " << elf << ": " << result.checked << " instructions, " << result.mismatches
                                  << " mismatches, " << result.skipped_bad << " (bad) skipped");
}
