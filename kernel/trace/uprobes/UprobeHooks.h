// What the rest of the kernel calls into uprobes for: the memory manager (new file pages,
// fork and death of address spaces) and the trap handler (user breakpoints, faults in XOL
// slots). See Uprobes.h for the model.
#pragma once

#include "arch/Registers.h"
#include "klib/Error.h"
#include "klib/Types.h"

class AddressSpace;
class Inode;

namespace uprobes {

// A private, non-writable file page was just read into `page` and is about to be mapped
// (called with the address space's lock held): writes the breakpoints of registered probes
// on file offsets [page_file_offset, page_file_offset + valid_bytes) into it.
void arm_new_file_page(Inode const&, u64 page_file_offset, u64 valid_bytes, u8* page);
// fork: the child's copy of the parent's probe state (XOL slots, pending return probes).
ErrorOr<void> address_space_forked(AddressSpace& parent, AddressSpace& child);
// The address space dies (exec, exit): its probe state goes with it.
void address_space_destroyed(AddressSpace&);

// A breakpoint trap from user mode: true if it was a probe's (handled, regs updated), false
// for the process's own int3 (SIGTRAP as usual).
bool handle_user_breakpoint(Registers&);
// A user-mode fault about to become a signal: if it happened in an XOL slot, ip is moved to
// the probed instruction (the signal reports the original address, as Linux's
// arch_uprobe_abort_xol does).
void fixup_user_fault(Registers&);

}
