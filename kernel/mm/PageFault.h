// Page fault entry into the memory manager (called by the arch trap code).
#pragma once

#include "arch/Registers.h"

struct PageFaultAccess {
    bool present;           // the page was mapped (a protection fault)
    bool write;
    bool user;              // the CPU was in user mode
    bool instruction_fetch;
};

enum class PageFaultResult {
    Resolved,   // a page was mapped: retry the instruction
    BadAccess,  // no region or not permitted: signal (user) or fixup/panic (kernel)
};

PageFaultResult handle_page_fault(u64 address, PageFaultAccess access, Registers& regs);

// True when the current process has a region at the address (SEGV_ACCERR vs SEGV_MAPERR).
bool address_is_mapped(u64 address);
