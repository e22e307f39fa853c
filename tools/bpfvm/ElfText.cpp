// BPF ELF .text extraction (see ElfText.h).
#include "ElfText.h"
#include <cstring>
#include <elf.h>
#include <fstream>
#include <iterator>

namespace bpfvm {

std::optional<std::vector<bpf::isa::RawInstruction>> load_elf_text(std::string const& path, std::string& error)
{
    std::ifstream input(path, std::ios::binary);
    std::vector<char> image((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
    auto fail = [&](std::string const& message) -> std::optional<std::vector<bpf::isa::RawInstruction>> {
        error = path + ": " + message;
        return std::nullopt;
    };
    if (image.size() < sizeof(Elf64_Ehdr))
        return fail("not an ELF file");
    Elf64_Ehdr header;
    std::memcpy(&header, image.data(), sizeof(header));
    if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_machine != EM_BPF)
        return fail("not a 64-bit BPF ELF object");
    if (header.e_shoff + static_cast<uint64_t>(header.e_shnum) * sizeof(Elf64_Shdr) > image.size() || header.e_shstrndx >= header.e_shnum)
        return fail("truncated section table");
    std::vector<Elf64_Shdr> sections(header.e_shnum);
    std::memcpy(sections.data(), image.data() + header.e_shoff, header.e_shnum * sizeof(Elf64_Shdr));
    auto in_image = [&](Elf64_Shdr const& s) { return s.sh_type == SHT_NOBITS || s.sh_offset + s.sh_size <= image.size(); };
    for (auto const& s : sections) {
        if (!in_image(s))
            return fail("section outside the file");
    }
    char const* names = image.data() + sections[header.e_shstrndx].sh_offset;
    int text = -1, symtab = -1;
    for (size_t i = 0; i < sections.size(); ++i) {
        if (std::strcmp(names + sections[i].sh_name, ".text") == 0)
            text = static_cast<int>(i);
        if (sections[i].sh_type == SHT_SYMTAB)
            symtab = static_cast<int>(i);
    }
    if (text < 0 || symtab < 0)
        return fail("no .text section or symbol table");
    for (auto const& s : sections) {
        if ((s.sh_type == SHT_REL || s.sh_type == SHT_RELA) && static_cast<int>(s.sh_info) == text)
            return fail(".text needs relocations (maps or globals); benchmark programs must be self-contained");
    }
    auto const& symbols_section = sections[symtab];
    char const* symbol_names = image.data() + sections[symbols_section.sh_link].sh_offset;
    bool entry_at_start = false;
    for (size_t offset = 0; offset + sizeof(Elf64_Sym) <= symbols_section.sh_size; offset += sizeof(Elf64_Sym)) {
        Elf64_Sym symbol;
        std::memcpy(&symbol, image.data() + symbols_section.sh_offset + offset, sizeof(symbol));
        if (symbol.st_shndx == text && std::strcmp(symbol_names + symbol.st_name, "entry") == 0)
            entry_at_start = symbol.st_value == 0;
    }
    if (!entry_at_start)
        return fail("function 'entry' is not at the start of .text");
    auto const& code = sections[text];
    if (code.sh_size % 8)
        return fail(".text is not a whole number of instructions");
    std::vector<bpf::isa::RawInstruction> program(code.sh_size / 8);
    std::memcpy(program.data(), image.data() + code.sh_offset, code.sh_size);
    return program;
}

}
