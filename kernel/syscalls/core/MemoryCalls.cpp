// Memory syscalls: mmap family and brk, forwarding to the process's AddressSpace.
#include "fs/FdTable.h"
#include "fs/OpenFileDescription.h"
#include "mm/AddressSpace.h"
#include "proc/Process.h"
#include "syscalls/Syscall.h"
#include <linux/mman.h>

ErrorOr<u64> sys_mmap(u64 address, u64 length, int prot, int flags, int fd, u64 offset)
{
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP))
        return Error(EINVAL);
    Process& process = Process::current();
    RefPtr<OpenFileDescription> file;
    if (!(flags & MAP_ANONYMOUS))
        file = TRY(process.fds().get(fd));
    return process.address_space().map(address, length, prot, flags, move(file), offset);
}

ErrorOr<u64> sys_munmap(u64 address, u64 length)
{
    TRY(Process::current().address_space().unmap(address, length));
    return 0;
}

ErrorOr<u64> sys_mprotect(u64 address, u64 length, int prot)
{
    TRY(Process::current().address_space().protect(address, length, prot));
    return 0;
}

ErrorOr<u64> sys_mremap(u64 old_address, u64 old_size, u64 new_size, int flags, u64 new_address)
{
    return Process::current().address_space().remap(old_address, old_size, new_size, flags, new_address);
}

ErrorOr<u64> sys_brk(u64 address) { return Process::current().address_space().set_break(address); }

ErrorOr<u64> sys_madvise(u64 address, u64 length, int advice)
{
    if (address & (PAGE_SIZE - 1))
        return Error(EINVAL);
    switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
        return 0; // hints only
    case MADV_DONTNEED:
    case MADV_FREE:
        TRY(Process::current().address_space().discard(address, length));
        return 0;
    default:
        return Error(EINVAL);
    }
}
