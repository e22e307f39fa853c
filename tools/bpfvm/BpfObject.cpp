// BPF ELF objects (see BpfObject.h): sections, symbols, relocations, BTF-defined maps.
#include "BpfObject.h"
#include <algorithm>
#include <cstring>
#include <elf.h>
#include <fstream>
#include <iterator>

namespace bpfvm {

using bpf::isa::RawInstruction;

namespace {

constexpr uint32_t r_bpf_64_64 = 1;
constexpr uint32_t r_bpf_64_abs64 = 2;
constexpr uint32_t r_bpf_64_32 = 10;

template<typename T>
bool read_at(std::vector<uint8_t> const& bytes, uint64_t offset, T& out)
{
    if (offset + sizeof(T) > bytes.size())
        return false;
    std::memcpy(&out, bytes.data() + offset, sizeof(T));
    return true;
}

// Minimal BTF reader: enough to decode the map definitions of ".maps".
class Btf {
public:
    bool parse(std::vector<uint8_t> const& data)
    {
        struct Header {
            uint16_t magic;
            uint8_t version, flags;
            uint32_t hdr_len, type_off, type_len, str_off, str_len;
        } header;
        if (!read_at(data, 0, header) || header.magic != 0xeb9f)
            return false;
        uint64_t types = header.hdr_len + header.type_off;
        uint64_t strings = header.hdr_len + header.str_off;
        if (types + header.type_len > data.size() || strings + header.str_len > data.size())
            return false;
        m_strings.assign(data.begin() + static_cast<long>(strings), data.begin() + static_cast<long>(strings + header.str_len));
        m_types.push_back({}); // id 0 = void
        uint64_t at = types, end = types + header.type_len;
        while (at < end) {
            Type type;
            uint32_t raw[3];
            if (!read_at(data, at, raw))
                return false;
            type.name_off = raw[0];
            type.vlen = raw[1] & 0xffff;
            type.kind = (raw[1] >> 24) & 0x1f;
            type.size_or_type = raw[2];
            at += 12;
            uint64_t extra = 0;
            switch (type.kind) {
            case 1: // INT
                extra = 4;
                break;
            case 3: // ARRAY
                extra = 12;
                if (!read_at(data, at, type.array))
                    return false;
                break;
            case 4: // STRUCT
            case 5: // UNION
                extra = 12ull * type.vlen;
                for (uint32_t i = 0; i < type.vlen; ++i) {
                    uint32_t member[3];
                    if (!read_at(data, at + 12ull * i, member))
                        return false;
                    type.members.push_back({ member[0], member[1], member[2] });
                }
                break;
            case 6: // ENUM
                extra = 8ull * type.vlen;
                break;
            case 13: // FUNC_PROTO
                extra = 8ull * type.vlen;
                break;
            case 14: // VAR
                extra = 4;
                break;
            case 15: // DATASEC
                extra = 12ull * type.vlen;
                for (uint32_t i = 0; i < type.vlen; ++i) {
                    uint32_t var[3];
                    if (!read_at(data, at + 12ull * i, var))
                        return false;
                    type.members.push_back({ var[0], var[1], var[2] }); // type, offset, size
                }
                break;
            case 17: // DECL_TAG
                extra = 4;
                break;
            case 19: // ENUM64
                extra = 12ull * type.vlen;
                break;
            default:
                break;
            }
            at += extra;
            m_types.push_back(type);
        }
        return true;
    }

    struct Member {
        uint32_t a, b, c;
    };
    struct Type {
        uint32_t name_off { 0 };
        uint32_t vlen { 0 };
        uint32_t kind { 0 };
        uint32_t size_or_type { 0 };
        struct {
            uint32_t type, index_type, nelems;
        } array {};
        std::vector<Member> members;
    };

    std::string name(uint32_t offset) const
    {
        if (offset >= m_strings.size())
            return {};
        return std::string(reinterpret_cast<char const*>(m_strings.data() + offset));
    }
    Type const* type(uint32_t id) const { return id < m_types.size() ? &m_types[id] : nullptr; }
    size_t count() const { return m_types.size(); }

    // Skips typedefs and qualifiers (TYPEDEF 8, VOLATILE 9, CONST 10, RESTRICT 11, TYPE_TAG 18).
    uint32_t resolve(uint32_t id) const
    {
        for (int guard = 0; guard < 32; ++guard) {
            Type const* t = type(id);
            if (!t || (t->kind != 8 && t->kind != 9 && t->kind != 10 && t->kind != 11 && t->kind != 18))
                return id;
            id = t->size_or_type;
        }
        return id;
    }

    std::optional<uint64_t> size_of(uint32_t id) const
    {
        id = resolve(id);
        Type const* t = type(id);
        if (!t)
            return std::nullopt;
        switch (t->kind) {
        case 1: // INT
        case 4: // STRUCT
        case 5: // UNION
        case 6: // ENUM
        case 19: // ENUM64
        case 16: // FLOAT
            return t->size_or_type;
        case 2: // PTR
            return 8;
        case 3: { // ARRAY
            auto element = size_of(t->array.type);
            if (!element)
                return std::nullopt;
            return *element * t->array.nelems;
        }
        default:
            return std::nullopt;
        }
    }

    // __uint(name, N) is "int (*name)[N]": PTR -> ARRAY with nelems N.
    std::optional<uint32_t> uint_member(uint32_t type_id) const
    {
        Type const* ptr = type(resolve(type_id));
        if (!ptr || ptr->kind != 2)
            return std::nullopt;
        Type const* array = type(resolve(ptr->size_or_type));
        if (!array || array->kind != 3)
            return std::nullopt;
        return array->array.nelems;
    }

private:
    std::vector<uint8_t> m_strings;
    std::vector<Type> m_types;
};

}

uint32_t program_type_of_section(std::string const& section)
{
    auto starts = [&](char const* prefix) { return section.rfind(prefix, 0) == 0; };
    if (starts("socket"))
        return BPF_PROG_TYPE_SOCKET_FILTER;
    if (starts("xdp"))
        return BPF_PROG_TYPE_XDP;
    if (starts("kprobe/") || starts("kretprobe/") || starts("uprobe") || starts("uretprobe") || section == "kprobe" || section == "kretprobe")
        return BPF_PROG_TYPE_KPROBE;
    if (starts("tracepoint/") || starts("tp/"))
        return BPF_PROG_TYPE_TRACEPOINT;
    if (starts("raw_tracepoint/") || starts("raw_tp/"))
        return BPF_PROG_TYPE_RAW_TRACEPOINT;
    if (starts("perf_event"))
        return BPF_PROG_TYPE_PERF_EVENT;
    return 0;
}

int BpfObject::section_index(std::string const& name) const
{
    for (size_t i = 0; i < m_sections.size(); ++i) {
        if (m_sections[i].name == name)
            return static_cast<int>(i);
    }
    return -1;
}

std::vector<std::string> BpfObject::program_sections() const
{
    std::vector<std::string> names;
    for (auto const& section : m_sections) {
        if (section.type == SHT_PROGBITS && (section.flags & SHF_EXECINSTR) && !section.data.empty())
            names.push_back(section.name);
    }
    return names;
}

bool BpfObject::has_symbol(std::string const& name, std::string const& section) const
{
    int index = section_index(section);
    for (auto const& symbol : m_symbols) {
        if (symbol.name == name && static_cast<int>(symbol.section) == index)
            return true;
    }
    return false;
}

bool BpfObject::parse_maps(std::string& error)
{
    // Map symbols in "maps" (legacy) and ".maps" (BTF), ordered by section and offset.
    for (auto const& symbol : m_symbols) {
        if (symbol.section == 0 || symbol.section >= m_sections.size())
            continue;
        std::string const& name = m_sections[symbol.section].name;
        if ((name == "maps" || name == ".maps") && symbol.type == STT_OBJECT)
            m_map_symbols.emplace_back(symbol.section, symbol.value);
    }
    std::sort(m_map_symbols.begin(), m_map_symbols.end());
    if (m_map_symbols.empty())
        return true;

    Btf btf;
    int btf_index = section_index(".BTF");
    bool have_btf = btf_index >= 0 && btf.parse(m_sections[btf_index].data);
    for (auto const& [section, offset] : m_map_symbols) {
        MapSpec spec;
        std::string const& section_name = m_sections[section].name;
        std::string symbol_name;
        for (auto const& symbol : m_symbols) {
            if (symbol.section == section && symbol.value == offset && symbol.type == STT_OBJECT)
                symbol_name = symbol.name;
        }
        spec.text = symbol_name;
        if (section_name == "maps") {
            uint32_t def[5] {};
            auto const& data = m_sections[section].data;
            if (offset + 16 > data.size()) {
                error = "map '" + symbol_name + "': truncated definition";
                return false;
            }
            std::memcpy(def, data.data() + offset, std::min<size_t>(sizeof(def), data.size() - offset));
            spec.type = def[0];
            spec.key_size = def[1];
            spec.value_size = def[2];
            spec.max_entries = def[3];
            spec.flags = def[4];
            m_maps.push_back(spec);
            continue;
        }
        if (!have_btf) {
            error = "map '" + symbol_name + "' in .maps needs a .BTF section";
            return false;
        }
        // Find the VAR of this symbol in the .maps DATASEC, then its struct.
        bool found = false;
        for (uint32_t id = 1; id < btf.count() && !found; ++id) {
            auto const* datasec = btf.type(id);
            if (datasec->kind != 15 || btf.name(datasec->name_off) != ".maps")
                continue;
            for (auto const& var : datasec->members) {
                auto const* var_type = btf.type(var.a);
                if (!var_type || var_type->kind != 14 || btf.name(var_type->name_off) != symbol_name)
                    continue;
                auto const* def = btf.type(btf.resolve(var_type->size_or_type));
                if (!def || def->kind != 4) {
                    error = "map '" + symbol_name + "': definition is not a struct";
                    return false;
                }
                for (auto const& member : def->members) {
                    std::string field = btf.name(member.a);
                    if (field == "type" || field == "key_size" || field == "value_size" || field == "max_entries" || field == "map_flags") {
                        auto value = btf.uint_member(member.b);
                        if (!value) {
                            error = "map '" + symbol_name + "': field " + field + " is not __uint()";
                            return false;
                        }
                        if (field == "type")
                            spec.type = *value;
                        else if (field == "key_size")
                            spec.key_size = *value;
                        else if (field == "value_size")
                            spec.value_size = *value;
                        else if (field == "max_entries")
                            spec.max_entries = *value;
                        else
                            spec.flags = *value;
                    } else if (field == "key" || field == "value") {
                        auto const* ptr = btf.type(btf.resolve(member.b));
                        auto size = ptr && ptr->kind == 2 ? btf.size_of(ptr->size_or_type) : std::nullopt;
                        if (!size) {
                            error = "map '" + symbol_name + "': cannot size field " + field;
                            return false;
                        }
                        (field == "key" ? spec.key_size : spec.value_size) = static_cast<uint32_t>(*size);
                    } else {
                        error = "map '" + symbol_name + "': unsupported field " + field;
                        return false;
                    }
                }
                found = true;
                break;
            }
        }
        if (!found) {
            error = "map '" + symbol_name + "': no BTF definition";
            return false;
        }
        m_maps.push_back(spec);
    }
    return true;
}

std::optional<ObjectProgram> BpfObject::program(std::string const& wanted, std::string& error) const
{
    auto sections = program_sections();
    std::string name = wanted;
    if (name.empty()) {
        for (auto const& candidate : sections) {
            if (candidate != ".text") {
                name = candidate;
                break;
            }
        }
        if (name.empty() && !sections.empty())
            name = sections.front();
    }
    int index = section_index(name);
    if (index < 0 || std::find(sections.begin(), sections.end(), name) == sections.end()) {
        error = "no program section '" + name + "'";
        return std::nullopt;
    }
    ObjectProgram program;
    program.section = name;
    program.prog_type = program_type_of_section(name);
    auto const& code = m_sections[index].data;
    if (code.size() % 8) {
        error = "section " + name + " is not whole instructions";
        return std::nullopt;
    }
    program.instructions.resize(code.size() / 8);
    std::memcpy(program.instructions.data(), code.data(), code.size());

    int text = section_index(".text");
    size_t text_base = 0;
    bool text_appended = name == ".text";
    auto append_text = [&]() -> bool {
        if (text_appended)
            return true;
        if (text < 0) {
            error = "call into .text, but there is no .text";
            return false;
        }
        text_base = program.instructions.size();
        auto const& text_code = m_sections[text].data;
        size_t count = text_code.size() / 8;
        program.instructions.resize(text_base + count);
        std::memcpy(program.instructions.data() + text_base, text_code.data(), count * 8);
        text_appended = true;
        return true;
    };

    // Applies the relocations of `target` whose code starts at `base` in the program.
    auto relocate = [&](int target, size_t base) -> bool {
        for (auto const& section : m_sections) {
            if (section.type != SHT_REL || static_cast<int>(section.info) != target)
                continue;
            for (size_t at = 0; at + sizeof(Elf64_Rel) <= section.data.size(); at += sizeof(Elf64_Rel)) {
                Elf64_Rel rel;
                std::memcpy(&rel, section.data.data() + at, sizeof(rel));
                uint32_t type = ELF64_R_TYPE(rel.r_info);
                uint32_t symbol_index = ELF64_R_SYM(rel.r_info);
                if (type == r_bpf_64_abs64)
                    continue; // data relocations (BTF, .maps contents)
                if (symbol_index >= m_symbols.size() || rel.r_offset % 8) {
                    error = "bad relocation in " + m_sections[target].name;
                    return false;
                }
                Symbol const& symbol = m_symbols[symbol_index];
                size_t insn_index = base + rel.r_offset / 8;
                if (insn_index >= program.instructions.size()) {
                    error = "relocation outside the code";
                    return false;
                }
                RawInstruction& insn = program.instructions[insn_index];
                std::string symbol_section = symbol.section < m_sections.size() ? m_sections[symbol.section].name : "";
                if (insn.opcode == (bpf::isa::encoding::class_jmp | bpf::isa::encoding::jmp_call) && type == r_bpf_64_32) {
                    if (static_cast<int>(symbol.section) != text) {
                        error = "call to '" + symbol.name + "' outside .text";
                        return false;
                    }
                    if (!append_text())
                        return false;
                    int64_t callee = static_cast<int64_t>(text_base) + static_cast<int64_t>(symbol.value / 8) + insn.imm + 1;
                    if (symbol.type == STT_FUNC)
                        callee = static_cast<int64_t>(text_base) + static_cast<int64_t>(symbol.value / 8);
                    insn.imm = static_cast<int32_t>(callee - static_cast<int64_t>(insn_index) - 1);
                    insn.src = bpf::isa::encoding::call_pseudo;
                    continue;
                }
                if (insn.opcode != bpf::isa::encoding::lddw_opcode || type != r_bpf_64_64) {
                    error = "unsupported relocation type " + std::to_string(type) + " at " + m_sections[target].name;
                    return false;
                }
                if (symbol_section == "maps" || symbol_section == ".maps") {
                    auto key = std::make_pair(symbol.section, symbol.value);
                    auto found = std::find(m_map_symbols.begin(), m_map_symbols.end(), key);
                    if (found == m_map_symbols.end()) {
                        error = "reference to unknown map '" + symbol.name + "'";
                        return false;
                    }
                    insn.src = bpf::isa::encoding::pseudo_map_fd;
                    insn.imm = static_cast<int32_t>(found - m_map_symbols.begin());
                    continue;
                }
                if (static_cast<int>(symbol.section) == text) {
                    if (!append_text())
                        return false;
                    int64_t offset = symbol.type == STT_FUNC ? static_cast<int64_t>(symbol.value) : static_cast<int64_t>(symbol.value) + insn.imm;
                    int64_t callee = static_cast<int64_t>(text_base) + offset / 8;
                    insn.src = bpf::isa::encoding::pseudo_func;
                    insn.imm = static_cast<int32_t>(callee - static_cast<int64_t>(insn_index) - 1);
                    continue;
                }
                error = "reference to '" + symbol.name + "' in " + symbol_section + ": global data is not supported";
                return false;
            }
        }
        return true;
    };
    if (!relocate(index, 0))
        return std::nullopt;
    if (text_appended && name != ".text" && !relocate(text, text_base))
        return std::nullopt;
    return program;
}

std::optional<BpfObject> load_bpf_object(std::string const& path, std::string& error)
{
    std::ifstream input(path, std::ios::binary);
    std::vector<uint8_t> image((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
    auto fail = [&](std::string const& message) -> std::optional<BpfObject> {
        error = path + ": " + message;
        return std::nullopt;
    };
    Elf64_Ehdr header;
    if (!read_at(image, 0, header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64
        || header.e_machine != EM_BPF)
        return fail("not a 64-bit BPF ELF object");
    if (header.e_shoff + static_cast<uint64_t>(header.e_shnum) * sizeof(Elf64_Shdr) > image.size() || header.e_shstrndx >= header.e_shnum)
        return fail("truncated section table");
    std::vector<Elf64_Shdr> headers(header.e_shnum);
    std::memcpy(headers.data(), image.data() + header.e_shoff, header.e_shnum * sizeof(Elf64_Shdr));
    Elf64_Shdr const& names = headers[header.e_shstrndx];
    BpfObject object;
    for (auto const& sh : headers) {
        BpfObject::Section section;
        if (names.sh_offset + sh.sh_name >= image.size())
            return fail("bad section name");
        section.name = reinterpret_cast<char const*>(image.data() + names.sh_offset + sh.sh_name);
        section.type = sh.sh_type;
        section.flags = sh.sh_flags;
        section.link = sh.sh_link;
        section.info = sh.sh_info;
        section.entsize = sh.sh_entsize;
        if (sh.sh_type != SHT_NOBITS) {
            if (sh.sh_offset + sh.sh_size > image.size())
                return fail("section outside the file");
            section.data.assign(image.begin() + static_cast<long>(sh.sh_offset), image.begin() + static_cast<long>(sh.sh_offset + sh.sh_size));
        }
        object.m_sections.push_back(std::move(section));
    }
    for (auto const& section : object.m_sections) {
        if (section.type != SHT_SYMTAB)
            continue;
        if (section.link >= object.m_sections.size())
            return fail("bad symbol table");
        auto const& strings = object.m_sections[section.link].data;
        for (size_t at = 0; at + sizeof(Elf64_Sym) <= section.data.size(); at += sizeof(Elf64_Sym)) {
            Elf64_Sym sym;
            std::memcpy(&sym, section.data.data() + at, sizeof(sym));
            BpfObject::Symbol symbol;
            symbol.name = sym.st_name < strings.size() ? reinterpret_cast<char const*>(strings.data() + sym.st_name) : "";
            symbol.section = sym.st_shndx;
            symbol.value = sym.st_value;
            symbol.size = sym.st_size;
            symbol.type = ELF64_ST_TYPE(sym.st_info);
            symbol.bind = ELF64_ST_BIND(sym.st_info);
            object.m_symbols.push_back(symbol);
        }
    }
    int license = object.section_index("license");
    if (license >= 0 && !object.m_sections[license].data.empty())
        object.m_license = reinterpret_cast<char const*>(object.m_sections[license].data.data());
    if (!object.parse_maps(error))
        return fail(error);
    return object;
}

}
