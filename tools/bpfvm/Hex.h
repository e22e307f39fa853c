// Base16 helpers for the host tools: the conformance plugin protocol passes programs and
// memory as hex bytes ("b4 00 00 00 2a ..."), optionally separated by whitespace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpfvm {

// Parses hex byte pairs; whitespace may separate bytes. nullopt on any other character or an
// odd digit count.
std::optional<std::vector<uint8_t>> parse_hex_bytes(std::string_view text);

// "b4 00 00 00" style.
std::string format_hex_bytes(std::vector<uint8_t> const& bytes);

}
