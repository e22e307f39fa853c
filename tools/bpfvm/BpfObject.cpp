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
    // A libbpf section name is the kind, alone or followed by "/" and an attach target.
    auto is = [&](char const* kind) {
        size_t length = std::strlen(kind);
        return section.compare(0, length, kind) == 0 && (section.size() == length || section[length] == '/');
    };
    if (is("socket"))
        return BPF_PROG_TYPE_SOCKET_FILTER;
    if (is("xdp") || is("xdp.frags"))
        return BPF_PROG_TYPE_XDP;
    if (is("kprobe") || is("kretprobe") || is("uprobe") || is("uretprobe") || is("uprobe.s") || is("uretprobe.s"))
        return BPF_PROG_TYPE_KPROBE;
    if (is("tracepoint") || is("tp"))
        return BPF_PROG_TYPE_TRACEPOINT;
    if (is("raw_tracepoint") || is("raw_tp"))
        return BPF_PROG_TYPE_RAW_TRACEPOINT;
    if (is("perf_event"))
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

std::vector<BpfObject::ProgramSymbol> BpfObject::program_symbols() const
{
    auto sections = program_sections();
    bool only_text = sections.size() == 1 && sections[0] == ".text";
    std::vector<ProgramSymbol> programs;
    for (auto const& symbol : m_symbols) {
        if (symbol.type != STT_FUNC || symbol.bind != STB_GLOBAL || symbol.section >= m_sections.size())
            continue;
        auto const& section = m_sections[symbol.section];
        if (!(section.flags & SHF_EXECINSTR) || (section.name == ".text" && !only_text))
            continue;
        programs.push_back({ symbol.section, symbol.name, symbol.value, symbol.size });
    }
    std::sort(programs.begin(), programs.end(), [](auto const& a, auto const& b) { return a.section != b.section ? a.section < b.section : a.offset < b.offset; });
    return programs;
}

std::vector<std::string> BpfObject::program_names() const
{
    std::vector<std::string> names;
    for (auto const& program : program_symbols())
        names.push_back(m_sections[program.section].name + "/" + program.name);
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
    // Global data: one map per .data*, .rodata* and .bss section, after the declared maps.
    auto add_data_maps = [&]() {
        for (size_t i = 0; i < m_sections.size(); ++i) {
            auto const& section = m_sections[i];
            bool rodata = section.name.rfind(".rodata", 0) == 0;
            bool data = section.name.rfind(".data", 0) == 0 && section.type == SHT_PROGBITS;
            bool bss = section.name == ".bss";
            if (!rodata && !data && !bss)
                continue;
            MapSpec spec;
            spec.text = section.name;
            spec.type = BPF_MAP_TYPE_ARRAY;
            spec.key_size = 4;
            spec.value_size = static_cast<uint32_t>(bss ? 0 : section.data.size());
            if (bss)
                spec.value_size = static_cast<uint32_t>(section.size);
            spec.max_entries = 1;
            spec.flags = BPF_F_MMAPABLE | (rodata ? BPF_F_RDONLY_PROG : 0);
            spec.freeze = rodata;
            if (!bss)
                spec.data = section.data;
            if (spec.value_size == 0)
                continue;
            m_data_sections.push_back(static_cast<int>(i));
            m_data_maps.push_back(spec);
        }
    };
    add_data_maps();
    if (m_map_symbols.empty()) {
        m_maps.insert(m_maps.end(), m_data_maps.begin(), m_data_maps.end());
        return true;
    }

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
                    } else if (field == "values") {
                        // __array(values, struct inner): ARRAY of PTR to the inner definition.
                        if (spec.type != BPF_MAP_TYPE_ARRAY_OF_MAPS && spec.type != BPF_MAP_TYPE_HASH_OF_MAPS)
                            continue; // prog arrays list their programs here
                        auto const* array = btf.type(btf.resolve(member.b));
                        auto const* ptr = array && array->kind == 3 ? btf.type(btf.resolve(array->array.type)) : nullptr;
                        auto const* inner = ptr && ptr->kind == 2 ? btf.type(btf.resolve(ptr->size_or_type)) : nullptr;
                        if (!inner || inner->kind != 4) {
                            error = "map '" + symbol_name + "': bad values definition";
                            return false;
                        }
                        auto inner_spec = std::make_shared<MapSpec>();
                        inner_spec->text = symbol_name + ".inner";
                        for (auto const& inner_member : inner->members) {
                            std::string inner_field = btf.name(inner_member.a);
                            if (inner_field == "key" || inner_field == "value") {
                                auto const* inner_ptr = btf.type(btf.resolve(inner_member.b));
                                auto size = inner_ptr && inner_ptr->kind == 2 ? btf.size_of(inner_ptr->size_or_type) : std::nullopt;
                                if (size)
                                    (inner_field == "key" ? inner_spec->key_size : inner_spec->value_size) = static_cast<uint32_t>(*size);
                                continue;
                            }
                            auto value = btf.uint_member(inner_member.b);
                            if (!value)
                                continue;
                            if (inner_field == "type")
                                inner_spec->type = *value;
                            else if (inner_field == "key_size")
                                inner_spec->key_size = *value;
                            else if (inner_field == "value_size")
                                inner_spec->value_size = *value;
                            else if (inner_field == "max_entries")
                                inner_spec->max_entries = *value;
                            else if (inner_field == "map_flags")
                                inner_spec->flags = *value;
                        }
                        spec.inner = inner_spec;
                    } else if (field == "pinning" || field == "map_extra" || field == "numa_node") {
                        continue;
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
        if (spec.type == BPF_MAP_TYPE_ARRAY_OF_MAPS || spec.type == BPF_MAP_TYPE_HASH_OF_MAPS || spec.type == BPF_MAP_TYPE_PROG_ARRAY
            || spec.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
            if (!spec.key_size)
                spec.key_size = 4;
            if (!spec.value_size)
                spec.value_size = 4;
        }
        if (spec.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !spec.max_entries)
            spec.max_entries = 64; // libbpf uses the number of possible CPUs
        m_maps.push_back(spec);
    }
    m_maps.insert(m_maps.end(), m_data_maps.begin(), m_data_maps.end());
    return true;
}

std::optional<ObjectProgram> BpfObject::program(std::string const& which, std::string& error) const
{
    auto programs = program_symbols();
    ProgramSymbol const* chosen = nullptr;
    for (auto const& candidate : programs) {
        std::string const& section_name = m_sections[candidate.section].name;
        if (which.empty() || which == candidate.name || which == section_name || which == section_name + "/" + candidate.name) {
            chosen = &candidate;
            break;
        }
    }
    if (!chosen) {
        error = which.empty() ? "no programs in the object" : "no program '" + which + "'";
        return std::nullopt;
    }
    int index = chosen->section;
    std::string name = m_sections[index].name;
    ObjectProgram program;
    program.section = name;
    program.name = chosen->name;
    program.prog_type = program_type_of_section(name);
    auto const& code = m_sections[index].data;
    uint64_t size = chosen->size ? chosen->size : code.size() - chosen->offset;
    if (name == ".text") {
        // An object with only .text: the program is the whole section (its static functions
        // follow it there), starting with the chosen function.
        if (chosen->offset != 0) {
            error = "function '" + chosen->name + "' is not at the start of .text";
            return std::nullopt;
        }
        size = code.size();
    }
    if (chosen->offset % 8 || size % 8 || chosen->offset + size > code.size()) {
        error = "program " + chosen->name + " is not whole instructions";
        return std::nullopt;
    }
    program.instructions.resize(size / 8);
    std::memcpy(program.instructions.data(), code.data() + chosen->offset, size);
    uint64_t program_start = chosen->offset;

    // Functions the program calls (or takes the address of) are appended after it, each once,
    // as libbpf does; their own calls are resolved the same way.
    struct Appended {
        int section;
        uint64_t offset;
        uint64_t size;
        size_t base;
    };
    std::vector<Appended> appended { { index, program_start, size, 0 } };
    std::vector<size_t> pending;
    auto function_at = [&](int section, uint64_t offset, uint64_t& start, uint64_t& length) -> bool {
        for (auto const& symbol : m_symbols) {
            if (symbol.type != STT_FUNC || static_cast<int>(symbol.section) != section)
                continue;
            uint64_t symbol_size = symbol.size ? symbol.size : m_sections[section].data.size() - symbol.value;
            if (offset >= symbol.value && offset < symbol.value + symbol_size) {
                start = symbol.value;
                length = symbol_size;
                return true;
            }
        }
        return false;
    };
    // Program index of byte `offset` of `section`, appending its function if needed.
    auto locate = [&](int section, uint64_t offset, int64_t& at) -> bool {
        for (auto const& piece : appended) {
            if (piece.section == section && offset >= piece.offset && offset < piece.offset + piece.size) {
                at = static_cast<int64_t>(piece.base + (offset - piece.offset) / 8);
                return true;
            }
        }
        uint64_t start = 0, length = 0;
        if (section < 0 || !function_at(section, offset, start, length) || start % 8 || length % 8
            || start + length > m_sections[section].data.size()) {
            error = "reference to code that is not a function (section " + (section >= 0 ? m_sections[section].name : std::string("?")) + ")";
            return false;
        }
        size_t base = program.instructions.size();
        program.instructions.resize(base + length / 8);
        std::memcpy(program.instructions.data() + base, m_sections[section].data.data() + start, length);
        appended.push_back({ section, start, length, base });
        pending.push_back(appended.size() - 1);
        at = static_cast<int64_t>(base + (offset - start) / 8);
        return true;
    };

    auto relocate = [&](size_t piece_index) -> bool {
        Appended const piece = appended[piece_index];
        std::vector<bool> relocated(piece.size / 8, false);
        for (auto const& section : m_sections) {
            if (section.type != SHT_REL || static_cast<int>(section.info) != piece.section)
                continue;
            for (size_t at = 0; at + sizeof(Elf64_Rel) <= section.data.size(); at += sizeof(Elf64_Rel)) {
                Elf64_Rel rel;
                std::memcpy(&rel, section.data.data() + at, sizeof(rel));
                uint32_t type = ELF64_R_TYPE(rel.r_info);
                uint32_t symbol_index = ELF64_R_SYM(rel.r_info);
                if (type == r_bpf_64_abs64)
                    continue; // data relocations (BTF, .maps contents)
                if (rel.r_offset < piece.offset || rel.r_offset >= piece.offset + piece.size)
                    continue;
                if (symbol_index >= m_symbols.size() || rel.r_offset % 8) {
                    error = "bad relocation in " + m_sections[piece.section].name;
                    return false;
                }
                Symbol const& symbol = m_symbols[symbol_index];
                size_t insn_index = piece.base + (rel.r_offset - piece.offset) / 8;
                relocated[(rel.r_offset - piece.offset) / 8] = true;
                RawInstruction insn = program.instructions[insn_index];
                std::string symbol_section = symbol.section < m_sections.size() ? m_sections[symbol.section].name : "";
                if (insn.opcode == (bpf::isa::encoding::class_jmp | bpf::isa::encoding::jmp_call) && type == r_bpf_64_32) {
                    uint64_t target = symbol.type == STT_FUNC ? symbol.value : symbol.value + static_cast<uint64_t>((static_cast<int64_t>(insn.imm) + 1) * 8);
                    int64_t callee = 0;
                    if (!locate(symbol.section, target, callee))
                        return false;
                    program.instructions[insn_index].imm = static_cast<int32_t>(callee - static_cast<int64_t>(insn_index) - 1);
                    program.instructions[insn_index].src = bpf::isa::encoding::call_pseudo;
                    continue;
                }
                if (insn.opcode != bpf::isa::encoding::lddw_opcode || type != r_bpf_64_64) {
                    error = "unsupported relocation type " + std::to_string(type) + " at " + m_sections[piece.section].name;
                    return false;
                }
                if (symbol_section == "maps" || symbol_section == ".maps") {
                    auto key = std::make_pair(symbol.section, symbol.value);
                    auto found = std::find(m_map_symbols.begin(), m_map_symbols.end(), key);
                    if (found == m_map_symbols.end()) {
                        error = "reference to unknown map '" + symbol.name + "'";
                        return false;
                    }
                    program.instructions[insn_index].src = bpf::isa::encoding::pseudo_map_fd;
                    program.instructions[insn_index].imm = static_cast<int32_t>(found - m_map_symbols.begin());
                    continue;
                }
                if (symbol.section < m_sections.size() && (m_sections[symbol.section].flags & SHF_EXECINSTR)) {
                    uint64_t target = symbol.type == STT_FUNC ? symbol.value : symbol.value + static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
                    int64_t callee = 0;
                    if (!locate(symbol.section, target, callee))
                        return false;
                    program.instructions[insn_index].src = bpf::isa::encoding::pseudo_func;
                    program.instructions[insn_index].imm = static_cast<int32_t>(callee - static_cast<int64_t>(insn_index) - 1);
                    continue;
                }
                auto data = std::find(m_data_sections.begin(), m_data_sections.end(), static_cast<int>(symbol.section));
                if (data != m_data_sections.end()) {
                    size_t map_index = m_maps.size() - m_data_sections.size() + static_cast<size_t>(data - m_data_sections.begin());
                    program.instructions[insn_index + 1].imm = static_cast<int32_t>(insn.imm + static_cast<int64_t>(symbol.value));
                    program.instructions[insn_index].src = bpf::isa::encoding::pseudo_map_value;
                    program.instructions[insn_index].imm = static_cast<int32_t>(map_index);
                    continue;
                }
                error = "reference to '" + symbol.name + "' in unsupported section " + symbol_section;
                return false;
            }
        }
        // Calls LLVM resolved itself (static functions of one section) may leave the piece.
        for (size_t k = 0; k < relocated.size(); ++k) {
            RawInstruction insn = program.instructions[piece.base + k];
            bool call = insn.opcode == (bpf::isa::encoding::class_jmp | bpf::isa::encoding::jmp_call) && insn.src == bpf::isa::encoding::call_pseudo;
            bool func = insn.opcode == bpf::isa::encoding::lddw_opcode && insn.src == bpf::isa::encoding::pseudo_func;
            if (relocated[k] || (!call && !func))
                continue;
            int64_t target_offset = static_cast<int64_t>(piece.offset + k * 8) + (static_cast<int64_t>(insn.imm) + 1) * 8;
            if (target_offset >= static_cast<int64_t>(piece.offset) && target_offset < static_cast<int64_t>(piece.offset + piece.size))
                continue;
            int64_t callee = 0;
            if (target_offset < 0 || !locate(piece.section, static_cast<uint64_t>(target_offset), callee))
                return false;
            program.instructions[piece.base + k].imm = static_cast<int32_t>(callee - static_cast<int64_t>(piece.base + k) - 1);
        }
        return true;
    };
    if (!relocate(0))
        return std::nullopt;
    while (!pending.empty()) {
        size_t next = pending.back();
        pending.pop_back();
        if (!relocate(next))
            return std::nullopt;
    }
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
        section.size = sh.sh_size;
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
