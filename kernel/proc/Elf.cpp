// ELF64 parsing (see Elf.h). Every field that later code trusts is range-checked here.
#include "proc/Elf.h"
#include "klib/CString.h"
#include <linux/elf.h>

namespace {
constexpr u64 user_space_end = 0x0000800000000000ULL;
constexpr u64 page_size = 4096;
}

ErrorOr<ElfImage> parse_elf(ReadonlyBytes header, u64 file_size)
{
    if (header.size() < sizeof(Elf64_Ehdr))
        return Error(ENOEXEC);
    Elf64_Ehdr ehdr;
    memcpy(&ehdr, header.data(), sizeof(ehdr));
    if (memcmp(ehdr.e_ident, ELFMAG, SELFMAG) != 0 || ehdr.e_ident[EI_CLASS] != ELFCLASS64
        || ehdr.e_ident[EI_DATA] != ELFDATA2LSB || ehdr.e_ident[EI_VERSION] != EV_CURRENT)
        return Error(ENOEXEC);
    if (ehdr.e_machine != EM_X86_64 || (ehdr.e_type != ET_EXEC && ehdr.e_type != ET_DYN))
        return Error(ENOEXEC);
    if (ehdr.e_phentsize != sizeof(Elf64_Phdr) || ehdr.e_phnum == 0 || ehdr.e_phnum > 64)
        return Error(ENOEXEC);
    u64 ph_end = ehdr.e_phoff + static_cast<u64>(ehdr.e_phnum) * sizeof(Elf64_Phdr);
    if (ph_end < ehdr.e_phoff || ph_end > file_size || ph_end > header.size())
        return Error(ENOEXEC);

    ElfImage image;
    image.position_independent = ehdr.e_type == ET_DYN;
    image.entry = ehdr.e_entry;
    image.program_header_offset = ehdr.e_phoff;
    image.program_header_count = ehdr.e_phnum;
    image.program_header_entry_size = ehdr.e_phentsize;
    for (u16 i = 0; i < ehdr.e_phnum; ++i) {
        Elf64_Phdr phdr;
        memcpy(&phdr, header.data() + ehdr.e_phoff + i * sizeof(Elf64_Phdr), sizeof(phdr));
        switch (phdr.p_type) {
        case PT_INTERP:
            image.has_interpreter = true;
            break;
        case PT_PHDR:
            image.program_header_address = phdr.p_vaddr;
            break;
        case PT_GNU_STACK:
            image.executable_stack = phdr.p_flags & PF_X;
            break;
        case PT_LOAD: {
            if (phdr.p_memsz == 0)
                break;
            if (phdr.p_filesz > phdr.p_memsz)
                return Error(ENOEXEC);
            if ((phdr.p_vaddr % page_size) != (phdr.p_offset % page_size))
                return Error(ENOEXEC);
            u64 file_end = phdr.p_offset + phdr.p_filesz;
            if (file_end < phdr.p_offset || file_end > file_size)
                return Error(ENOEXEC);
            u64 mem_end = phdr.p_vaddr + phdr.p_memsz;
            if (mem_end < phdr.p_vaddr || mem_end > user_space_end / 2)
                return Error(ENOEXEC);
            TRY(image.segments.try_append(ElfSegment {
                phdr.p_vaddr, phdr.p_offset, phdr.p_filesz, phdr.p_memsz,
                (phdr.p_flags & PF_R) != 0, (phdr.p_flags & PF_W) != 0, (phdr.p_flags & PF_X) != 0 }));
            break;
        }
        default:
            break;
        }
    }
    if (image.segments.is_empty())
        return Error(ENOEXEC);
    if (image.has_interpreter)
        return Error(ENOEXEC); // dynamically linked programs are not supported
    // The entry point must lie in an executable segment.
    bool entry_ok = false;
    for (auto const& segment : image.segments)
        if (segment.executable && image.entry >= segment.virtual_address && image.entry < segment.virtual_address + segment.memory_size)
            entry_ok = true;
    if (!entry_ok)
        return Error(ENOEXEC);
    return image;
}
