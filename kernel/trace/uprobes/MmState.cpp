// Per-address-space uprobe state: XOL area and slots, return instances (see MmState.h).
#include "trace/uprobes/MmState.h"
#include "klib/CString.h"
#include "mm/AddressSpace.h"
#include "trace/uprobes/UprobeHooks.h"
#include "trace/uprobes/Uprobes.h"
#include <linux/mman.h>
#include <new>

namespace uprobes {

namespace {
// A RIP-relative displacement reaches +-2 GiB from the end of the instruction.
constexpr u64 xol_reach = 0x7fff0000ULL;
}

ErrorOr<MmState*> state_of(AddressSpace& space)
{
    if (MmState* state = space.uprobe_state())
        return state;
    auto* state = new (std::nothrow) MmState;
    if (!state)
        return Error(ENOMEM);
    space.set_uprobe_state(state);
    return state;
}

ErrorOr<u64> ensure_xol_area(AddressSpace& space, MmState& state, u64 near)
{
    {
        SpinlockGuard guard(state.lock);
        if (state.xol_base)
            return state.xol_base;
    }
    u64 base = TRY(space.map_near(near, xol_reach, 4096, PROT_READ | PROT_EXEC, "[uprobes]"));
    u8 fill[256];
    memset(fill, breakpoint_instruction, sizeof fill);
    for (u64 offset = 0; offset < 4096; offset += sizeof fill) {
        if (auto written = space.write_private(base + offset, fill, sizeof fill); written.is_error()) {
            (void)space.unmap(base, 4096);
            return written.release_error();
        }
    }
    SpinlockGuard guard(state.lock);
    state.xol_base = base;
    return base;
}

ErrorOr<u64> xol_slot_for(AddressSpace& space, MmState& state, Uprobe const& probe, u64 address)
{
    u64 base = TRY(ensure_xol_area(space, state, address));
    u32 index = 0;
    {
        SpinlockGuard guard(state.lock);
        for (u32 i = 1; i < xol_slot_count; ++i)
            if (state.slots[i].serial == probe.serial && state.slots[i].address == address)
                return base + i * xol_slot_size;
        for (u32 tries = 0; tries < xol_slot_count - 1 && !index; ++tries) {
            u32 candidate = state.next_slot;
            state.next_slot = candidate + 1 < xol_slot_count ? candidate + 1 : 1;
            if (!state.slots[candidate].serial)
                index = candidate;
        }
        if (!index)
            return Error(ENOMEM);
        state.slots[index] = { probe.serial, address, probe.arch.length };
    }
    u64 slot = base + index * xol_slot_size;
    u8 bytes[xol_slot_size];
    auto built = arch_build_slot(probe.arch, address, slot, bytes);
    if (!built.is_error())
        built = space.write_private(slot, bytes, sizeof bytes);
    if (built.is_error()) {
        SpinlockGuard guard(state.lock);
        state.slots[index] = {};
        return built.release_error();
    }
    return slot;
}

XolKind classify_xol_breakpoint(MmState& state, u64 breakpoint, u64& resume)
{
    SpinlockGuard guard(state.lock);
    if (!state.xol_base || breakpoint < state.xol_base || breakpoint >= state.xol_base + 4096)
        return XolKind::None;
    u64 offset = breakpoint - state.xol_base;
    u32 index = static_cast<u32>(offset / xol_slot_size);
    if (offset == 0)
        return XolKind::Trampoline;
    XolSlot const& slot = state.slots[index];
    if (index == 0 || !slot.address || offset % xol_slot_size != slot.length)
        return XolKind::Other;
    resume = slot.address + slot.length;
    return XolKind::SlotEnd;
}

u64 original_address_of_slot_ip(MmState& state, u64 ip)
{
    SpinlockGuard guard(state.lock);
    if (!state.xol_base || ip < state.xol_base + xol_slot_size || ip >= state.xol_base + 4096)
        return 0;
    u64 offset = ip - state.xol_base;
    XolSlot const& slot = state.slots[offset / xol_slot_size];
    if (!slot.address || offset % xol_slot_size >= slot.length)
        return 0;
    return slot.address + offset % xol_slot_size;
}

void forget_probe(AddressSpace& space, u64 serial)
{
    MmState* state = space.uprobe_state();
    if (!state)
        return;
    SpinlockGuard guard(state->lock);
    for (auto& slot : state->slots)
        if (slot.serial == serial)
            slot.serial = 0; // address and length stay for a thread still inside the slot
    for (u32 i = 0; i < state->return_count; ++i)
        if (state->returns[i].serial == serial)
            state->returns[i].serial = 0;
}

ErrorOr<void> address_space_forked(AddressSpace& parent, AddressSpace& child)
{
    MmState* source = parent.uprobe_state();
    if (!source)
        return {};
    auto* copy = new (std::nothrow) MmState;
    if (!copy)
        return Error(ENOMEM);
    {
        SpinlockGuard guard(source->lock);
        copy->xol_base = source->xol_base;
        memcpy(copy->slots, source->slots, sizeof copy->slots);
        copy->next_slot = source->next_slot;
        memcpy(copy->returns, source->returns, sizeof copy->returns);
        copy->return_count = source->return_count;
    }
    child.set_uprobe_state(copy);
    return {};
}

void address_space_destroyed(AddressSpace& space)
{
    delete space.uprobe_state();
    space.set_uprobe_state(nullptr);
}

}
