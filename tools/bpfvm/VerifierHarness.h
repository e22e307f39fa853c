// Host-side plumbing around the verifier, shared by `bpfvm verify`, the verifier tests, the
// differential test and the fuzzer: map specifications ("array:4:8:1"), a set of real
// bpf::Map objects that stands in for the fd table (fd N = the N-th map), program type names,
// loading a program from asm text, hex bytes, a corpus case or an ELF object, and one call
// that verifies with a log.
#pragma once

#include "bpf/isa/Encoding.h"
#include "bpf/maps/Map.h"
#include "bpf/verifier/Verifier.h"
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bpfvm {

struct MapSpec {
    uint32_t type { 0 };
    uint32_t key_size { 0 };
    uint32_t value_size { 0 };
    uint32_t max_entries { 0 };
    uint32_t flags { 0 };
    bool freeze { false };
    std::vector<uint8_t> data; // initial value of key 0 (array maps)
    std::string text;          // as written
    std::shared_ptr<MapSpec> inner; // maps of maps: the inner map template
};

// "TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES[:FLAG,FLAG...]" with TYPE a name (array, hash,
// percpu_array, percpu_hash, lru_hash, lru_percpu_hash, ringbuf, queue, stack, prog_array,
// perf_event_array, stack_trace, bloom_filter, lpm_trie) or a number, and flags among
// no_prealloc, rdonly_prog, wronly_prog, mmapable, frozen, data=HEX, and for maps of maps
// inner=TYPE/KEY_SIZE/VALUE_SIZE/MAX_ENTRIES (the inner map template).
std::optional<MapSpec> parse_map_spec(std::string const& text, std::string& error);
char const* map_type_name(uint32_t type);

// The maps of one verification; map_from_fd(N) is the N-th map.
class MapSet final : public bpf::ObjectResolver {
public:
    // EINVAL/ENOMEM etc. from bpf::create_map, with a message.
    bool create(std::vector<MapSpec> const& specs, std::string& error);
    ErrorOr<RefPtr<bpf::Map>> map_from_fd(u32 fd) override;
    std::vector<RefPtr<bpf::Map>> const& maps() const { return m_maps; }

private:
    std::vector<RefPtr<bpf::Map>> m_maps;
    std::vector<RefPtr<bpf::Map>> m_hidden; // inner map templates
};

bool program_type_by_name(std::string const& name, uint32_t& type);
char const* program_type_name(uint32_t type);
char const* errno_name(int error);

// Loads FILE: a corpus case (.case), an ELF object (optionally FILE:SECTION), hex bytes
// (.hex, or text of hex pairs), or asm text (anything else).
struct LoadedProgram {
    std::vector<bpf::isa::RawInstruction> instructions;
    std::string section;     // ELF: the program's section
};
std::optional<LoadedProgram> load_program_file(std::string const& path, std::string& error);

struct VerifyOptions {
    uint32_t prog_type { 0 };
    uint32_t log_level { 1 };
    uint32_t log_size { 16u << 20 };
    bool gpl { true };
    bpf::verifier::Privileges privileges {};
    uint32_t tracepoint_id { 0 };
};

struct VerifyOutcome {
    int error { 0 }; // 0 = accepted
    std::string log;
    std::optional<bpf::verifier::VerifiedProgram> verified;
};

VerifyOutcome run_verifier(std::vector<bpf::isa::RawInstruction> const& program, MapSet& maps, VerifyOptions const& options);

uint64_t monotonic_ns();

}
