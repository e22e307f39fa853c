// Corpus case parsing (see VerifierCase.h).
#include "VerifierCase.h"
#include "Hex.h"
#include "bpf/isa/Assembler.h"
#include "bpf/verifier/TracepointRegistry.h"
#include <algorithm>
#include <cerrno>
#include <cstring>
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

}

int errno_from_name(std::string const& name)
{
    static struct {
        char const* name;
        int value;
    } const names[] = {
        { "EPERM", EPERM }, { "ENOENT", ENOENT }, { "E2BIG", E2BIG }, { "EBADF", EBADF }, { "ENOMEM", ENOMEM }, { "EACCES", EACCES },
        { "EFAULT", EFAULT }, { "EINVAL", EINVAL }, { "ENOSPC", ENOSPC }, { "EPROTO", EPROTO }, { "ENOTSUPP", ENOTSUPP },
    };
    for (auto const& entry : names) {
        if (name == entry.name)
            return entry.value;
    }
    return -1;
}

VerifyOptions VerifierCase::options() const
{
    VerifyOptions options;
    options.prog_type = prog_type;
    options.log_level = log_level;
    options.gpl = gpl;
    options.privileges.bpf_capable = !unprivileged;
    options.privileges.perfmon_capable = !unprivileged && !no_perfmon;
    options.privileges.allow_uninit_stack = allow_uninit_stack;
    options.tracepoint_id = tracepoint_id;
    return options;
}

std::optional<VerifierCase> parse_verifier_case(std::string const& text, std::string& error)
{
    VerifierCase result;
    std::string section = "description";
    std::string asm_text, raw_text, expect_text, type_text;
    bool have_asm = false, have_raw = false, have_type = false, have_expect = false;
    std::istringstream input(text);
    std::string line;
    unsigned line_number = 0;
    auto fail = [&](std::string const& message) -> std::optional<VerifierCase> {
        error = "line " + std::to_string(line_number) + ": " + message;
        return std::nullopt;
    };
    while (std::getline(input, line)) {
        ++line_number;
        if (line.rfind("-- ", 0) == 0) {
            section = trim(line.substr(3));
            if (section == "asm")
                have_asm = true;
            else if (section == "raw")
                have_raw = true;
            else if (section == "type")
                have_type = true;
            else if (section == "expect")
                have_expect = true;
            else if (section != "description" && section != "maps" && section != "flags" && section != "log" && section != "ctx"
                && section != "packet" && section != "result" && section != "host")
                return fail("unknown section '" + section + "'");
            continue;
        }
        if (section == "asm") {
            // Keep line numbers of the file in assembler errors.
            while (std::count(asm_text.begin(), asm_text.end(), '\n') + 1 < static_cast<long>(line_number))
                asm_text += '\n';
            asm_text += line;
            asm_text += '\n';
            continue;
        }
        std::string value = trim(line);
        if (section == "description") {
            if (!value.empty() && value[0] != '#') {
                if (!result.description.empty())
                    result.description += ' ';
                result.description += value;
            }
            continue;
        }
        if (value.empty() || value[0] == '#')
            continue;
        if (section == "type") {
            type_text = value;
        } else if (section == "maps") {
            auto spec = parse_map_spec(value, error);
            if (!spec)
                return fail(error);
            result.maps.push_back(*spec);
        } else if (section == "flags") {
            std::istringstream words(value);
            std::string word;
            while (words >> word) {
                if (word.rfind("license=", 0) == 0) {
                    // The license is the rest of the line ("license=Dual BSD/GPL").
                    std::string license = value.substr(value.find("license=") + 8);
                    result.gpl = bpf::verifier::license_is_gpl_compatible(StringView(license.c_str()));
                    result.license = license;
                    break;
                }
                else if (word == "unprivileged")
                    result.unprivileged = true;
                else if (word == "no_perfmon")
                    result.no_perfmon = true;
                else if (word == "allow_uninit_stack")
                    result.allow_uninit_stack = true;
                else if (word.rfind("log_level=", 0) == 0)
                    result.log_level = static_cast<uint32_t>(std::strtoul(word.c_str() + 10, nullptr, 0));
                else if (word.rfind("tracepoint=", 0) == 0) {
                    unsigned id = 0, size = 0;
                    if (std::sscanf(word.c_str() + 11, "%u:%u", &id, &size) != 2)
                        return fail("tracepoint=ID:SIZE expected");
                    result.tracepoint_id = id;
                    result.tracepoint_size = size;
                } else {
                    return fail("unknown flag '" + word + "'");
                }
            }
        } else if (section == "raw") {
            raw_text += value + "\n";
        } else if (section == "expect") {
            expect_text = value;
        } else if (section == "log") {
            result.log_lines.push_back(value);
        } else if (section == "ctx" || section == "packet") {
            auto bytes = parse_hex_bytes(value);
            if (!bytes)
                return fail("bad hex bytes");
            auto& target = section == "ctx" ? result.ctx : result.packet;
            target.insert(target.end(), bytes->begin(), bytes->end());
        } else if (section == "result") {
            char* end = nullptr;
            result.result = std::strtoull(value.c_str(), &end, 0);
            if (*end)
                return fail("bad result '" + value + "'");
        } else if (section == "host") {
            if (value.rfind("skip:", 0) == 0)
                result.host_skip = trim(value.substr(5));
            else if (value.rfind("differs:", 0) == 0)
                result.host_differs = trim(value.substr(8));
            else
                return fail("host: expected 'skip: REASON' or 'differs: REASON'");
        }
    }
    if (!have_type || !program_type_by_name(type_text, result.prog_type))
        return fail("missing or unknown -- type");
    if (have_expect) {
        std::istringstream words(expect_text);
        std::string verdict, name;
        words >> verdict >> name;
        if (verdict == "accept") {
            result.expect_accept = true;
        } else if (verdict == "reject") {
            result.expect_accept = false;
            result.expect_errno = errno_from_name(name);
            if (result.expect_errno < 0)
                return fail("unknown errno '" + name + "'");
        } else {
            return fail("expect: 'accept' or 'reject ERRNO'");
        }
    } else {
        return fail("missing -- expect");
    }
    if (have_asm == have_raw)
        return fail("exactly one of -- asm and -- raw is required");
    if (have_asm) {
        bpf::isa::Diagnostic diag;
        auto assembled = bpf::isa::assemble(StringView(asm_text.data(), asm_text.size()), &diag);
        if (assembled.is_error())
            return fail(diag.message());
        result.instructions.assign(assembled.value().begin(), assembled.value().end());
    } else {
        auto bytes = parse_hex_bytes(raw_text);
        if (!bytes || bytes->size() % 8)
            return fail("raw: whole 8-byte instructions expected");
        result.instructions.resize(bytes->size() / 8);
        std::memcpy(result.instructions.data(), bytes->data(), bytes->size());
    }
    return result;
}

}
