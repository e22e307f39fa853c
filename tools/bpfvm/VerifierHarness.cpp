// Host plumbing around the verifier (see VerifierHarness.h).
#include "VerifierHarness.h"
#include "HostContextHelpers.h"
#include "BpfObject.h"
#include "Hex.h"
#include "VerifierCase.h"
#include "bpf/isa/Assembler.h"
#include "bpf/isa/Diagnostic.h"
#include "bpf/maps/ArrayMap.h"
#include "bpf/maps/MapFactory.h"
#include "bpf/verifier/ProgramType.h"
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

namespace bpfvm {

namespace {

struct NamedType {
    char const* name;
    uint32_t type;
};

NamedType const s_map_types[] = {
    { "hash", BPF_MAP_TYPE_HASH },
    { "array", BPF_MAP_TYPE_ARRAY },
    { "prog_array", BPF_MAP_TYPE_PROG_ARRAY },
    { "perf_event_array", BPF_MAP_TYPE_PERF_EVENT_ARRAY },
    { "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH },
    { "percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY },
    { "stack_trace", BPF_MAP_TYPE_STACK_TRACE },
    { "lru_hash", BPF_MAP_TYPE_LRU_HASH },
    { "lru_percpu_hash", BPF_MAP_TYPE_LRU_PERCPU_HASH },
    { "lpm_trie", BPF_MAP_TYPE_LPM_TRIE },
    { "array_of_maps", BPF_MAP_TYPE_ARRAY_OF_MAPS },
    { "hash_of_maps", BPF_MAP_TYPE_HASH_OF_MAPS },
    { "queue", BPF_MAP_TYPE_QUEUE },
    { "stack", BPF_MAP_TYPE_STACK },
    { "ringbuf", BPF_MAP_TYPE_RINGBUF },
    { "bloom_filter", BPF_MAP_TYPE_BLOOM_FILTER },
};

NamedType const s_prog_types[] = {
    { "socket_filter", BPF_PROG_TYPE_SOCKET_FILTER },
    { "kprobe", BPF_PROG_TYPE_KPROBE },
    { "tracepoint", BPF_PROG_TYPE_TRACEPOINT },
    { "xdp", BPF_PROG_TYPE_XDP },
    { "perf_event", BPF_PROG_TYPE_PERF_EVENT },
    { "raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT },
};

std::vector<std::string> split(std::string const& text, char separator)
{
    std::vector<std::string> parts;
    std::string current;
    for (char c : text) {
        if (c == separator) {
            parts.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    parts.push_back(current);
    return parts;
}

bool parse_u32(std::string const& text, uint32_t& out)
{
    if (text.empty())
        return false;
    char* end = nullptr;
    errno = 0;
    unsigned long long value = std::strtoull(text.c_str(), &end, 0);
    if (errno || *end || value > 0xffffffffull)
        return false;
    out = static_cast<uint32_t>(value);
    return true;
}

bool ends_with(std::string const& text, char const* suffix)
{
    size_t length = std::strlen(suffix);
    return text.size() >= length && text.compare(text.size() - length, length, suffix) == 0;
}

}

std::optional<MapSpec> parse_map_spec(std::string const& text, std::string& error)
{
    auto parts = split(text, ':');
    if (parts.size() < 4 || parts.size() > 5) {
        error = "map '" + text + "': expected TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES[:FLAGS]";
        return std::nullopt;
    }
    MapSpec spec;
    spec.text = text;
    bool named = false;
    for (auto const& entry : s_map_types) {
        if (parts[0] == entry.name) {
            spec.type = entry.type;
            named = true;
        }
    }
    if (!named && !parse_u32(parts[0], spec.type)) {
        error = "map '" + text + "': unknown map type '" + parts[0] + "'";
        return std::nullopt;
    }
    if (!parse_u32(parts[1], spec.key_size) || !parse_u32(parts[2], spec.value_size) || !parse_u32(parts[3], spec.max_entries)) {
        error = "map '" + text + "': sizes must be numbers";
        return std::nullopt;
    }
    if (parts.size() == 5) {
        for (auto const& flag : split(parts[4], ',')) {
            if (flag == "no_prealloc")
                spec.flags |= BPF_F_NO_PREALLOC;
            else if (flag == "rdonly_prog")
                spec.flags |= BPF_F_RDONLY_PROG;
            else if (flag == "wronly_prog")
                spec.flags |= BPF_F_WRONLY_PROG;
            else if (flag == "mmapable")
                spec.flags |= BPF_F_MMAPABLE;
            else if (flag == "frozen")
                spec.freeze = true;
            else if (flag.rfind("inner=", 0) == 0) {
                std::string inner_text = flag.substr(6);
                for (char& c : inner_text) {
                    if (c == '/')
                        c = ':';
                }
                auto inner = parse_map_spec(inner_text, error);
                if (!inner)
                    return std::nullopt;
                spec.inner = std::make_shared<MapSpec>(*inner);
            }
            else if (flag.rfind("data=", 0) == 0) {
                auto bytes = parse_hex_bytes(flag.substr(5));
                if (!bytes) {
                    error = "map '" + text + "': bad data= hex";
                    return std::nullopt;
                }
                spec.data = *bytes;
            } else if (!flag.empty()) {
                error = "map '" + text + "': unknown flag '" + flag + "'";
                return std::nullopt;
            }
        }
    }
    return spec;
}

char const* map_type_name(uint32_t type)
{
    for (auto const& entry : s_map_types) {
        if (entry.type == type)
            return entry.name;
    }
    return "unknown";
}

bool MapSet::create(std::vector<MapSpec> const& specs, std::string& error)
{
    for (auto const& spec : specs) {
        RefPtr<bpf::Map> inner;
        if (spec.inner) {
            MapSet inner_set;
            if (!inner_set.create({ *spec.inner }, error))
                return false;
            inner = inner_set.m_maps[0];
            m_hidden.push_back(inner);
        }
        bpf::MapAttributes attributes;
        attributes.map_type = spec.type;
        attributes.key_size = spec.key_size;
        attributes.value_size = spec.value_size;
        attributes.max_entries = spec.max_entries;
        attributes.map_flags = spec.flags;
        struct InnerResolver final : bpf::ObjectResolver {
            RefPtr<bpf::Map> map;
            ErrorOr<RefPtr<bpf::Map>> map_from_fd(u32) override { return map; }
        } resolver;
        resolver.map = inner;
        auto created = bpf::create_map(attributes, inner ? &resolver : nullptr);
        if (created.is_error()) {
            error = "cannot create map '" + spec.text + "': " + errno_name(created.error().code());
            return false;
        }
        RefPtr<bpf::Map> map = created.release_value();
        if (!spec.data.empty()) {
            std::vector<uint8_t> value(map->syscall_value_size(), 0);
            std::memcpy(value.data(), spec.data.data(), std::min(value.size(), spec.data.size()));
            uint32_t key = 0;
            if (map->sys_update(&key, value.data(), BPF_ANY, nullptr, bpf::FileAccess::ReadWrite).is_error()) {
                error = "cannot fill map '" + spec.text + "'";
                return false;
            }
        }
        if (spec.freeze && map->sys_freeze(bpf::FileAccess::ReadWrite).is_error()) {
            error = "cannot freeze map '" + spec.text + "'";
            return false;
        }
        m_maps.push_back(map);
    }
    return true;
}

ErrorOr<RefPtr<bpf::Map>> MapSet::map_from_fd(u32 fd)
{
    if (fd >= m_maps.size())
        return Error(EBADF);
    return m_maps[fd];
}

bool program_type_by_name(std::string const& name, uint32_t& type)
{
    for (auto const& entry : s_prog_types) {
        if (name == entry.name) {
            type = entry.type;
            return true;
        }
    }
    return false;
}

char const* program_type_name(uint32_t type)
{
    for (auto const& entry : s_prog_types) {
        if (entry.type == type)
            return entry.name;
    }
    return "unknown";
}

char const* errno_name(int error)
{
    switch (error) {
    case 0:
        return "0";
    case EPERM:
        return "EPERM";
    case ENOENT:
        return "ENOENT";
    case E2BIG:
        return "E2BIG";
    case EBADF:
        return "EBADF";
    case ENOMEM:
        return "ENOMEM";
    case EACCES:
        return "EACCES";
    case EFAULT:
        return "EFAULT";
    case EINVAL:
        return "EINVAL";
    case ENOSPC:
        return "ENOSPC";
    case EPROTO:
        return "EPROTO";
    case ENOTSUPP:
        return "ENOTSUPP";
    case EOPNOTSUPP:
        return "EOPNOTSUPP";
    default:
        return "E?";
    }
}

std::optional<LoadedProgram> load_program_file(std::string const& path_spec, std::string& error)
{
    std::string path = path_spec, section;
    {
        std::ifstream probe(path, std::ios::binary);
        if (!probe) {
            size_t colon = path_spec.find(':');
            if (colon != std::string::npos) {
                path = path_spec.substr(0, colon);
                section = path_spec.substr(colon + 1);
            }
        }
    }
    std::ifstream input(path, std::ios::binary);
    if (!input) {
        error = "cannot read " + path;
        return std::nullopt;
    }
    std::ostringstream buffer;
    buffer << input.rdbuf();
    std::string text = buffer.str();
    LoadedProgram loaded;
    if (text.size() >= 4 && std::memcmp(text.data(), "\x7f" "ELF", 4) == 0) {
        auto object = load_bpf_object(path, error);
        if (!object)
            return std::nullopt;
        auto program = object->program(section, error);
        if (!program)
            return std::nullopt;
        loaded.instructions = program->instructions;
        loaded.section = program->section;
        return loaded;
    }
    if (ends_with(path, ".case")) {
        auto parsed = parse_verifier_case(text, error);
        if (!parsed)
            return std::nullopt;
        loaded.instructions = parsed->instructions;
        return loaded;
    }
    bool hex = ends_with(path, ".hex");
    if (!hex) {
        // Text made only of hex pairs and whitespace is raw bytes too.
        hex = !text.empty();
        for (char c : text) {
            if (!std::isxdigit(static_cast<unsigned char>(c)) && !std::isspace(static_cast<unsigned char>(c)))
                hex = false;
        }
    }
    if (hex) {
        auto bytes = parse_hex_bytes(text);
        if (!bytes || bytes->size() % 8) {
            error = path + ": hex input must be whole 8-byte instructions";
            return std::nullopt;
        }
        loaded.instructions.resize(bytes->size() / 8);
        std::memcpy(loaded.instructions.data(), bytes->data(), bytes->size());
        return loaded;
    }
    bpf::isa::Diagnostic diag;
    auto assembled = bpf::isa::assemble(StringView(text.data(), text.size()), &diag);
    if (assembled.is_error()) {
        error = path + ": " + diag.message();
        return std::nullopt;
    }
    loaded.instructions.assign(assembled.value().begin(), assembled.value().end());
    return loaded;
}

uint64_t monotonic_ns()
{
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1000000000ull + static_cast<uint64_t>(now.tv_nsec);
}

VerifyOutcome run_verifier(std::vector<bpf::isa::RawInstruction> const& program, MapSet& maps, VerifyOptions const& options)
{
    register_host_context_helpers();
    VerifyOutcome outcome;
    bpf::verifier::VerifierLog log(options.log_level, options.log_level ? options.log_size : 0, options.log_level != 0);
    bpf::verifier::VerifyRequest request;
    request.prog_type = options.prog_type;
    request.instructions = Span<bpf::isa::RawInstruction const>(program.data(), program.size());
    request.gpl_compatible = options.gpl;
    request.privileges = options.privileges;
    request.maps = &maps;
    request.tracepoint_id = options.tracepoint_id;
    request.clock_ns = monotonic_ns;
    auto result = bpf::verifier::verify(request, log);
    auto contents = log.contents();
    outcome.log.assign(contents.chars(), contents.length());
    if (result.is_error()) {
        outcome.error = result.error().code();
        return outcome;
    }
    outcome.verified.emplace(result.release_value());
    return outcome;
}

}
