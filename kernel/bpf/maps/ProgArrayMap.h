// BPF_MAP_TYPE_PROG_ARRAY: the jump table for bpf_tail_call(). Slots hold references to
// bpf::Program objects; the interpreter asks for slot contents through the
// bpf::tail_call_lookup hook (kernel/bpf/Runtime.h), which this file installs when the first
// PROG_ARRAY is created (install_tail_call_hook() does it explicitly). Syscall-side lookups
// return the program id the syscall layer assigned (ObjectResolver::program_id).
//
// Linux also pins the first program's type ("owner") and rejects programs of other types
// with -EINVAL; bpf::Program carries no program type yet, so that check belongs to the
// program-loading layer (see docs/bpf/maps.md).
//
// Locking: see FdArrayMap.h. Slots are read by tail calls without locks; a program swapped
// out stays alive until its reference is dropped after the swap.
#pragma once

#include "bpf/maps/FdArrayMap.h"

namespace bpf {

class ProgArrayMap final : public FdArrayMap {
public:
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes);
    ~ProgArrayMap() override;

    Program* program(u32 index) const { return index < m_max_entries ? static_cast<Program*>(slot(index)) : nullptr; }
    // Stores a program directly (in-kernel users and tests); takes a new reference.
    ErrorOr<void> set_program(u32 index, Program* program, u32 id = 0);
    bool can_be_inner_map() const override { return false; }

protected:
    ErrorOr<void*> get_object(u32 fd, ObjectResolver* resolver) override;
    void put_object(void* object) override;
    ErrorOr<u32> object_id(void* object) override;
    ErrorOr<void> copy_value(void const* key, void* value, u64 flags) override;
    ErrorOr<void> update_value(void const* key, void const* value, u64 flags, ObjectResolver* resolver) override;

private:
    ProgArrayMap(MapAttributes const& attributes, MapMemory slots, MapMemory ids);
    u32* ids() const { return reinterpret_cast<u32*>(m_ids.data()); }

    MapMemory m_ids; // program id per slot, recorded when the slot is written
};

// Points bpf::tail_call_lookup at the PROG_ARRAY implementation.
void install_tail_call_hook();

}
