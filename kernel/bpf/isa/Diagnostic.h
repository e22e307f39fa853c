// Diagnostic: the human-readable half of an error. Fallible ISA functions return ErrorOr<T>
// (errno only) and, when given a Diagnostic, also describe what went wrong and where: an
// instruction index for the decoder, Program and interpreter, a line number for the assembler.
// Fixed-size buffer: reporting an error never allocates.
#pragma once

#include "klib/Types.h"

namespace bpf::isa {

class Diagnostic {
public:
    enum class Location : u8 {
        None,
        Instruction, // m_where is an instruction index
        Line,        // m_where is a 1-based source line
    };

    void report(Location location, u32 where, char const* fmt, ...) __attribute__((format(printf, 4, 5)));
    void clear();

    bool has_message() const { return m_text[0] != '\0'; }
    Location location() const { return m_location; }
    u32 where() const { return m_where; }
    // The bare message ("reserved field src_reg is 1, must be 0").
    char const* text() const { return m_text; }
    // The message with its location ("instruction 3: ..." / "line 7: ..."), NUL-terminated.
    char const* message() const { return m_full; }

private:
    Location m_location { Location::None };
    u32 m_where { 0 };
    char m_text[160] {};
    char m_full[192] {};
};

// Reports through `diag` if it is non-null; lets callers pass nullptr when they only want errno.
#define BPF_ISA_REPORT(diag, location, where, ...)                                 \
    do {                                                                           \
        if (diag)                                                                  \
            (diag)->report(::bpf::isa::Diagnostic::Location::location, where, __VA_ARGS__); \
    } while (0)

}
