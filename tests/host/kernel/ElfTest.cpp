// proc/Elf.cpp: accepts static x86_64 executables, rejects everything else with ENOEXEC.
#include "proc/Elf.h"
#include <catch2/catch.hpp>
#include <elf.h>
#include <string.h>
#include <vector>

namespace {

struct Builder {
    Elf64_Ehdr ehdr {};
    std::vector<Elf64_Phdr> phdrs;
    u64 file_size = 0x3000;

    Builder()
    {
        memcpy(ehdr.e_ident, ELFMAG, SELFMAG);
        ehdr.e_ident[EI_CLASS] = ELFCLASS64;
        ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
        ehdr.e_ident[EI_VERSION] = EV_CURRENT;
        ehdr.e_type = ET_EXEC;
        ehdr.e_machine = EM_X86_64;
        ehdr.e_entry = 0x401000;
        ehdr.e_phoff = sizeof(Elf64_Ehdr);
        ehdr.e_phentsize = sizeof(Elf64_Phdr);
        add(PT_LOAD, PF_R, 0, 0x400000, 0x200, 0x200);
        add(PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x800, 0x800);
        add(PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0x100, 0x900);
    }
    void add(u32 type, u32 flags, u64 offset, u64 vaddr, u64 filesz, u64 memsz)
    {
        Elf64_Phdr p {};
        p.p_type = type;
        p.p_flags = flags;
        p.p_offset = offset;
        p.p_vaddr = vaddr;
        p.p_filesz = filesz;
        p.p_memsz = memsz;
        p.p_align = 0x1000;
        phdrs.push_back(p);
    }
    std::vector<u8> bytes()
    {
        ehdr.e_phnum = static_cast<u16>(phdrs.size());
        std::vector<u8> out(sizeof(ehdr) + phdrs.size() * sizeof(Elf64_Phdr));
        memcpy(out.data(), &ehdr, sizeof(ehdr));
        memcpy(out.data() + sizeof(ehdr), phdrs.data(), phdrs.size() * sizeof(Elf64_Phdr));
        return out;
    }
    ErrorOr<ElfImage> parse()
    {
        auto b = bytes();
        return parse_elf(ReadonlyBytes(b.data(), b.size()), file_size);
    }
};

int error_of(ErrorOr<ElfImage> result) { return result.is_error() ? result.error().code() : 0; }

}

TEST_CASE("ELF: a static executable parses into its segments", "[elf]")
{
    Builder b;
    auto image = b.parse();
    REQUIRE_FALSE(image.is_error());
    CHECK(image.value().entry == 0x401000);
    CHECK_FALSE(image.value().position_independent);
    REQUIRE(image.value().segments.size() == 3);
    auto const& data = image.value().segments[2];
    CHECK(data.writable);
    CHECK_FALSE(data.executable);
    CHECK(data.file_size == 0x100);
    CHECK(data.memory_size == 0x900);
    CHECK(image.value().program_header_count == 3);
}

TEST_CASE("ELF: static-pie (ET_DYN without an interpreter) is position independent", "[elf]")
{
    Builder b;
    b.ehdr.e_type = ET_DYN;
    auto image = b.parse();
    REQUIRE_FALSE(image.is_error());
    CHECK(image.value().position_independent);
}

TEST_CASE("ELF: malformed or foreign files give ENOEXEC", "[elf]")
{
    {
        Builder b;
        b.ehdr.e_ident[0] = 0;
        CHECK(error_of(b.parse()) == ENOEXEC);
    }
    {
        Builder b;
        b.ehdr.e_machine = EM_AARCH64;
        CHECK(error_of(b.parse()) == ENOEXEC);
    }
    {
        Builder b;
        b.ehdr.e_ident[EI_CLASS] = ELFCLASS32;
        CHECK(error_of(b.parse()) == ENOEXEC);
    }
    {
        Builder b; // file data beyond the end of the file
        b.file_size = 0x2050;
        CHECK(error_of(b.parse()) == ENOEXEC);
    }
    {
        Builder b; // filesz > memsz
        b.phdrs[2].p_filesz = 0x1000;
        CHECK(error_of(b.parse()) == ENOEXEC);
    }
    {
        Builder b; // offset and address disagree modulo the page size
        b.phdrs[1].p_offset = 0x1008;
        CHECK(error_of(b.parse()) == ENOEXEC);
    }
    {
        Builder b; // dynamically linked
        b.add(PT_INTERP, PF_R, 0x200, 0x400200, 0x1c, 0x1c);
        CHECK(error_of(b.parse()) == ENOEXEC);
    }
    {
        Builder b; // entry outside every executable segment
        b.ehdr.e_entry = 0x402000;
        CHECK(error_of(b.parse()) == ENOEXEC);
    }
    {
        Builder b; // segment reaching into the kernel half
        b.phdrs[2].p_vaddr = 0x7ffffffff000ULL;
        b.phdrs[2].p_offset = 0x2000;
        CHECK(error_of(b.parse()) == ENOEXEC);
    }
    {
        Builder b; // program headers cut off
        auto bytes = b.bytes();
        CHECK(error_of(parse_elf(ReadonlyBytes(bytes.data(), sizeof(Elf64_Ehdr) + 10), 0x3000)) == ENOEXEC);
    }
}
