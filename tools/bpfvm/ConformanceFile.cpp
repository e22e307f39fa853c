// .data parsing (see ConformanceFile.h).
#include "ConformanceFile.h"
#include "Hex.h"
#include <sstream>

namespace bpfvm {

namespace {

std::string trim(std::string const& text)
{
    size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos)
        return {};
    size_t end = text.find_last_not_of(" \t\r\n");
    return text.substr(begin, end - begin + 1);
}

std::string strip_comment(std::string const& text)
{
    size_t hash = text.find('#');
    return trim(hash == std::string::npos ? text : text.substr(0, hash));
}

// A raw section holds either 64-bit words ("0x5566778800000018", one instruction each) or bytes.
bool append_raw(std::string const& line, std::vector<uint8_t>& raw)
{
    std::istringstream tokens(line);
    std::string token;
    while (tokens >> token) {
        if (token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) {
            uint64_t word = 0;
            try {
                size_t used = 0;
                word = std::stoull(token, &used, 16);
                if (used != token.size())
                    return false;
            } catch (...) {
                return false;
            }
            for (int i = 0; i < 8; ++i)
                raw.push_back(static_cast<uint8_t>(word >> (8 * i)));
        } else {
            auto bytes = parse_hex_bytes(token);
            if (!bytes || bytes->size() != 1)
                return false;
            raw.push_back((*bytes)[0]);
        }
    }
    return true;
}

}

ParseResult parse_conformance_file(std::string const& text)
{
    enum class Section { None, Asm, Raw, Mem, Result, Error, Ignored } section = Section::None;
    ConformanceFile file;
    std::istringstream input(text);
    std::string line;
    unsigned number = 0;
    std::string result_text;
    auto fail = [&](std::string const& message) {
        return ParseResult { std::nullopt, "line " + std::to_string(number) + ": " + message };
    };
    while (std::getline(input, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.rfind("--", 0) == 0) {
            std::string name = trim(line.substr(2));
            if (name == "asm") {
                section = Section::Asm;
                file.has_asm = true;
            } else if (name == "raw") {
                section = Section::Raw;
                file.has_raw = true;
            } else if (name == "mem") {
                section = Section::Mem;
            } else if (name == "result") {
                section = Section::Result;
            } else if (name == "error") {
                section = Section::Error;
                file.error = std::string();
            } else if (name == "c" || name == "no register offset") {
                section = Section::Ignored;
            } else {
                return fail("unknown section '-- " + name + "'");
            }
            file.asm_source += '\n';
            continue;
        }
        if (section == Section::Asm) {
            file.asm_source += line;
            file.asm_source += '\n';
            continue;
        }
        file.asm_source += '\n';
        std::string content = strip_comment(line);
        if (content.empty())
            continue;
        switch (section) {
        case Section::None:
            return fail("text outside any section");
        case Section::Raw:
            if (!append_raw(content, file.raw))
                return fail("invalid raw instruction data '" + content + "'");
            break;
        case Section::Mem: {
            auto bytes = parse_hex_bytes(content);
            if (!bytes)
                return fail("invalid memory bytes '" + content + "'");
            file.memory.insert(file.memory.end(), bytes->begin(), bytes->end());
            break;
        }
        case Section::Result:
            result_text = content;
            break;
        case Section::Error:
            *file.error += (file.error->empty() ? "" : " ") + content;
            break;
        case Section::Asm:
        case Section::Ignored:
            break;
        }
    }
    if (!file.has_asm && !file.has_raw)
        return fail("no '-- asm' or '-- raw' section: nothing to run");
    if (!result_text.empty()) {
        try {
            size_t used = 0;
            bool hex = result_text.rfind("0x", 0) == 0;
            file.result = std::stoull(result_text, &used, hex ? 16 : 10);
            if (used != result_text.size())
                return fail("invalid result '" + result_text + "'");
        } catch (...) {
            return fail("invalid result '" + result_text + "'");
        }
    }
    if (!file.result && !file.error)
        return fail("no '-- result' or '-- error' section: nothing to check");
    if (file.has_raw && file.raw.size() % 8 != 0)
        return fail("raw section is not a whole number of 8-byte instructions");
    return ParseResult { file, {} };
}

}
