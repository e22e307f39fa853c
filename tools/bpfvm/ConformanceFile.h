// Parser for the conformance suite's .data files. Sections start with "-- name": asm, raw, mem,
// result, error, plus the informational "c" and "no register offset"; any other section is an
// error. `#` lines outside asm are comments. The asm text keeps the file's line numbering (lines
// of other sections become blank), so assembler errors point at the right line of the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bpfvm {

struct ConformanceFile {
    bool has_asm { false };
    std::string asm_source;
    bool has_raw { false };
    std::vector<uint8_t> raw; // instruction bytes, little-endian
    std::vector<uint8_t> memory;
    std::optional<uint64_t> result;
    std::optional<std::string> error; // present when the file expects failure (text may be empty)
};

struct ParseResult {
    std::optional<ConformanceFile> file;
    std::string error; // "line N: ..." when file is empty
};

ParseResult parse_conformance_file(std::string const& text);

}
