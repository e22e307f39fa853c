// BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO): key-less maps of max_entries
// values in a preallocated ring of max_entries + 1 slots (Linux's queue_stack_maps.c).
// push with BPF_EXIST on a full map overwrites the oldest element; lookup = peek,
// lookup_and_delete = pop, update = push on the syscall side.
//
// Locking: one spinlock (interrupts masked) around every operation.
#pragma once

#include "bpf/maps/Map.h"
#include "bpf/maps/MapMemory.h"
#include "klib/Spinlock.h"

namespace bpf {

class QueueStackMap final : public Map {
public:
    static ErrorOr<void> alloc_check(MapAttributes const& attributes);
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes);

    bool is_stack() const { return m_type == BPF_MAP_TYPE_STACK; }

    void* lookup_elem(void const*) override { return nullptr; }
    i64 update_elem(void const*, void const*, u64) override { return -EINVAL; }
    i64 delete_elem(void const*) override { return -EINVAL; }
    i64 push_elem(void const* value, u64 flags) override;
    i64 pop_elem(void* value) override { return take(value, true); }
    i64 peek_elem(void* value) override { return take(value, false); }

protected:
    ErrorOr<void> copy_value(void const*, void* value, u64) override;
    ErrorOr<void> update_value(void const*, void const* value, u64 flags, ObjectResolver*) override;
    ErrorOr<void> next_key(void const*, void*) override { return Error(EINVAL); }
    ErrorOr<void> lookup_and_delete_value(void const*, void* value, u64) override;

private:
    QueueStackMap(MapAttributes const& attributes, MapMemory slots);
    i64 take(void* value, bool remove);

    Spinlock m_lock;
    u32 m_head { 0 };
    u32 m_tail { 0 };
    u32 m_size;
    MapMemory m_slots;
};

}
