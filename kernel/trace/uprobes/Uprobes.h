// Uprobes: breakpoints in user code, named by (inode, file offset) as on Linux. A probe is
// armed in every address space that maps that file page privately and not writable (Linux's
// valid_vma), by writing int3 into the address space's own copy of the page — never into the
// file: at registration in the pages already present, later by the memory manager's page-fill
// hook (exec, mmap and demand paging: Linux's uprobe_mmap); fork copies pages with their
// breakpoints. Removal restores the original byte everywhere the breakpoint is.
//
// A hit (UprobeHit.cpp) runs the consumers whose filter accepts the process, with the user
// pt_regs (ip = the probe address, as Linux sets it before the handlers), then executes the
// original instruction: emulated (ArchUprobes.h) or from a copy in the process's XOL area
// (MmState.h). Return consumers hijack the return address at entry (uretprobes).
//
// Locking: s_lock guards the probe list and the consumer lists; handlers run without it,
// counted in s_hits_in_flight, which unregistration waits on before a consumer or a probe
// may be freed.
#pragma once

#include "arch/Registers.h"
#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/Types.h"
#include "trace/uprobes/ArchUprobes.h"

class AddressSpace;
class Inode;

namespace uprobes {

struct UprobeConsumer {
    // At the breakpoint: regs.ip = `address` (the probe's virtual address in this process).
    void (*handler)(UprobeConsumer&, Registers& regs, u64 address) { nullptr };
    // At the return of the probed function: regs.ip = the real return address, ax the
    // return value; `function` is the probe's address.
    void (*return_handler)(UprobeConsumer&, Registers& regs, u64 function, u64 return_address) { nullptr };
    i32 filter_pid { 0 }; // 0: every process; else only this process (a perf event's task)
    void* owner { nullptr };
    UprobeConsumer* next { nullptr }; // in its probe's list
};

struct Uprobe {
    RefPtr<Inode> inode;
    u64 offset { 0 };
    u64 serial { 0 };      // unique over the kernel's life (XOL slots and return instances name it)
    ArchUprobe arch;
    UprobeConsumer* consumers { nullptr };
};

// Linux's uprobe_register(): EINVAL for an offset beyond the file; ENOEXEC/ENOTSUPP for an
// instruction that cannot be probed (arch_analyze). The consumer must stay alive until
// unregister_uprobe() returns.
ErrorOr<void> register_uprobe(Inode&, u64 offset, UprobeConsumer&);
void unregister_uprobe(UprobeConsumer&);

// For the hit path: the probe at (inode, offset) with the in-flight count raised, or null.
Uprobe* acquire_uprobe(Inode const&, u64 offset);
void release_uprobe();
// Raises the in-flight count if the probe with this serial still exists.
Uprobe* acquire_uprobe_by_serial(u64 serial);
// The byte of the file at `offset` (for breakpoints found without a probe).
ErrorOr<u8> read_file_byte(Inode&, u64 offset);
// Restores the original byte of a probe at `address` in `space` (a probe this address space
// cannot run).
void disarm_in(AddressSpace&, Uprobe const&, u64 address);

}
