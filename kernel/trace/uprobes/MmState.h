// Per-address-space uprobe state (Linux's mm->uprobes_state plus the utask of its one thread:
// processes have a single thread here):
//  - the XOL area, one page mapped read-only and executable as "[uprobes]" near the first
//    probe that needs it (within reach of a RIP-relative displacement). Slot 0 is the return
//    trampoline (int3); each other 32-byte slot holds one probed instruction followed by int3
//    for one (probe, address) pair. Slots are handed out round robin and keep their
//    address/length after their probe goes, so a thread still inside a slot (a signal handler
//    ran in between) finds its way back.
//  - the pending return instances of uretprobes (a stack, at most 64 deep, as Linux's
//    MAX_URETPROBE_DEPTH).
// Created on the first hit in the address space; fork copies it (the XOL page and the
// hijacked return addresses are copied with the memory); freed with the address space.
// `lock` guards everything here; no address space method is called with it held.
#pragma once

#include "klib/Error.h"
#include "klib/Spinlock.h"
#include "klib/Types.h"
#include "trace/uprobes/ArchUprobes.h"

class AddressSpace;

namespace uprobes {

struct Uprobe;

constexpr u32 xol_slot_count = 4096 / xol_slot_size;
constexpr u32 max_return_depth = 64;

struct XolSlot {
    u64 serial { 0 };  // the probe; 0 when free
    u64 address { 0 }; // the probed instruction's address
    u8 length { 0 };
};

struct ReturnInstance {
    u64 serial { 0 };         // the probe (0 once it is unregistered: no handlers then)
    u64 function { 0 };       // the probe's address
    u64 return_address { 0 }; // the real one
    u64 stack { 0 };          // where the return address sits on the user stack
    bool chained { false };
};

struct MmState {
    Spinlock lock;
    u64 xol_base { 0 };
    XolSlot slots[xol_slot_count];
    u32 next_slot { 1 };
    ReturnInstance returns[max_return_depth];
    u32 return_count { 0 };
};

// The state of `space`, created if needed (ENOMEM).
ErrorOr<MmState*> state_of(AddressSpace& space);
// The return trampoline's address, mapping the XOL area near `near` if needed.
ErrorOr<u64> ensure_xol_area(AddressSpace&, MmState&, u64 near);
// The XOL slot running the probe's instruction at `address` (filled on first use).
ErrorOr<u64> xol_slot_for(AddressSpace&, MmState&, Uprobe const&, u64 address);

enum class XolKind {
    None,       // not in the XOL area
    Trampoline, // the return trampoline's int3
    SlotEnd,    // the int3 after a slot's instruction: continue at `resume`
    Other,      // anything else in the area
};
XolKind classify_xol_breakpoint(MmState&, u64 breakpoint, u64& resume);
// A fault at `ip` inside a slot's instruction: the probed instruction's address, else 0.
u64 original_address_of_slot_ip(MmState&, u64 ip);

// Unregistration: frees the probe's slots and orphans its return instances.
void forget_probe(AddressSpace&, u64 serial);

}
