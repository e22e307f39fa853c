// ELF64 executable parsing for execve: validates the header and program headers of a static
// x86_64 executable (ET_EXEC, or ET_DYN without an interpreter, i.e. static-pie) and
// describes its loadable segments. Pure: compiled into host tests too.
#pragma once

#include "klib/Error.h"
#include "klib/Span.h"
#include "klib/Vector.h"

struct ElfSegment {
    u64 virtual_address;
    u64 file_offset;
    u64 file_size;
    u64 memory_size;
    bool readable, writable, executable;
};

struct ElfImage {
    bool position_independent { false }; // ET_DYN: add a load bias
    u64 entry { 0 };
    u64 program_header_offset { 0 };     // e_phoff
    u64 program_header_address { 0 };    // PT_PHDR vaddr, or 0 when absent
    u16 program_header_count { 0 };
    u16 program_header_entry_size { 0 };
    bool has_interpreter { false };
    bool executable_stack { false };
    Vector<ElfSegment> segments;
};

// `header` holds the first bytes of the file (at least the ELF header and, if they fit, the
// program headers); `file_size` is the whole file's size. ENOEXEC for anything malformed or
// not for this machine.
ErrorOr<ElfImage> parse_elf(ReadonlyBytes header, u64 file_size);
