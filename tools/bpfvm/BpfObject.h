// A clang-built BPF ELF object (`clang -O2 -g -target bpf -c`) as libbpf sees it: program
// sections (section name -> program type, libbpf's conventions), map definitions (BTF-defined
// in ".maps", or legacy struct bpf_map_def in "maps"), the license, and programs with their
// relocations applied: map references become LD_IMM64 BPF_PSEUDO_MAP_FD with imm = the map's
// index in maps(), calls and function references into .text are resolved by appending the
// .text code after the program. Global data sections (.data*, .rodata*, .bss) become
// one-entry ARRAY maps after the declared ones (.rodata frozen and read-only for programs,
// as libbpf does) referenced with BPF_PSEUDO_MAP_VALUE. A section may hold several programs
// (one per global function). Host-only.
#pragma once

#include "VerifierHarness.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bpfvm {

struct ObjectProgram {
    std::string section;
    std::string name;             // the program's function
    uint32_t prog_type { 0 };     // 0 when the section name names no known type
    std::vector<bpf::isa::RawInstruction> instructions;
};

class BpfObject {
public:
    std::vector<std::string> program_sections() const;
    // "section/function" of every program.
    std::vector<std::string> program_names() const;
    std::vector<MapSpec> const& maps() const { return m_maps; }
    std::string const& license() const { return m_license; }
    bool has_symbol(std::string const& name, std::string const& section) const;
    // `which`: a section name (its first program), a function name, or "section/function";
    // empty: the first program.
    std::optional<ObjectProgram> program(std::string const& which, std::string& error) const;

    struct Section {
        std::string name;
        uint32_t type;
        uint64_t flags;
        std::vector<uint8_t> data;
        uint32_t link;
        uint32_t info;
        uint64_t entsize;
        uint64_t size;
    };
    struct Symbol {
        std::string name;
        uint16_t section;
        uint64_t value;
        uint64_t size;
        uint8_t type;
        uint8_t bind;
    };

private:
    friend std::optional<BpfObject> load_bpf_object(std::string const& path, std::string& error);
    bool parse_maps(std::string& error);
    int section_index(std::string const& name) const;
    struct ProgramSymbol {
        int section;
        std::string name;
        uint64_t offset;
        uint64_t size;
    };
    std::vector<ProgramSymbol> program_symbols() const;

    std::vector<Section> m_sections;
    std::vector<Symbol> m_symbols;
    std::vector<MapSpec> m_maps;
    std::vector<std::pair<uint16_t, uint64_t>> m_map_symbols; // (section, offset) per declared map
    std::vector<int> m_data_sections;                         // sections of the global data maps
    std::vector<MapSpec> m_data_maps;
    std::string m_license;
};

std::optional<BpfObject> load_bpf_object(std::string const& path, std::string& error);
// libbpf's section name -> program type (0 if unknown).
uint32_t program_type_of_section(std::string const& section);

}
