// Routes page faults on user addresses to the current process's address space. Faults on
// kernel addresses are never resolved here (the trap code fixes them up or panics).
#include "mm/PageFault.h"
#include "arch/Paging.h"
#include "mm/AddressSpace.h"
#include "proc/Process.h"
#include "sched/Thread.h"

PageFaultResult handle_page_fault(u64 address, PageFaultAccess access, Registers&)
{
    if (address >= arch::user_space_end)
        return PageFaultResult::BadAccess;
    Process* process = Thread::current().process();
    if (!process)
        return PageFaultResult::BadAccess;
    return process->address_space().handle_fault(address, access);
}

bool address_is_mapped(u64 address)
{
    if (address >= arch::user_space_end)
        return false;
    Process* process = Thread::current().process();
    return process && process->address_space().has_region_at(address);
}
