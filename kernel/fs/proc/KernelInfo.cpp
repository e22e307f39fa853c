// Weak fallbacks for the core services declared in KernelInfo.h. read_process_memory reads
// another process's memory through its page table (populating pages like
// AddressSpace::write_bytes does); the current process is read with copy_from_user.
#include "fs/proc/KernelInfo.h"
#include "arch/Paging.h"
#include "mm/AddressSpace.h"
#include "mm/PhysicalMemory.h"
#include "mm/UserBuffer.h"
#include "proc/Process.h"

__attribute__((weak)) char const* kernel_release() { return "6.1.0-ext-ebpf"; }
__attribute__((weak)) char const* kernel_command_line() { return ""; }

__attribute__((weak)) ErrorOr<void> read_process_memory(Process& process, u64 address, void* dest, usize length)
{
    if (&process == &Process::current())
        return copy_from_user(dest, address, length);
    AddressSpace* space = process.address_space_or_null();
    if (!space)
        return Error(EIO);
    auto* out = static_cast<u8*>(dest);
    while (length > 0) {
        u64 page = klib::align_down(address, PAGE_SIZE);
        usize in_page = static_cast<usize>(klib::min<u64>(length, page + PAGE_SIZE - address));
        TRY(space->populate(page, PAGE_SIZE, false));
        PhysicalAddress frame;
        arch::PageFlags flags;
        if (!arch::translate(space->page_table(), page, frame, flags))
            return Error(EFAULT);
        memcpy(out, static_cast<u8 const*>(phys_to_virt(frame)) + (address - page), in_page);
        address += in_page;
        out += in_page;
        length -= in_page;
    }
    return {};
}
