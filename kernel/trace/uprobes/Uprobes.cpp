// The uprobe registry and arming (see Uprobes.h).
#include "trace/uprobes/Uprobes.h"
#include "fs/Inode.h"
#include "klib/Atomic.h"
#include "klib/Spinlock.h"
#include "klib/Vector.h"
#include "mm/AddressSpace.h"
#include "mm/UserBuffer.h"
#include "trace/uprobes/MmState.h"
#include "trace/uprobes/UprobeHooks.h"
#include <linux/mman.h>
#include <new>

namespace uprobes {

namespace {

constinit Spinlock s_lock;
Vector<Uprobe*> s_uprobes;
u64 s_next_serial { 1 };
Atomic<u32> s_uprobe_count { 0 };
Atomic<u32> s_hits_in_flight { 0 };
Atomic<u32> s_busy { 0 };

// Serializes registrations and removals (short; the arming walks run inside).
class RegistrationGuard {
public:
    RegistrationGuard()
    {
        while (s_busy.exchange(1, MemoryOrder::Acquire))
            asm volatile("pause");
    }
    ~RegistrationGuard() { s_busy.store(0, MemoryOrder::Release); }
};

void wait_for_hits()
{
    while (s_hits_in_flight.load(MemoryOrder::Acquire))
        asm volatile("pause");
}

Uprobe* find_locked(Inode const& inode, u64 offset)
{
    for (auto* probe : s_uprobes)
        if (probe->inode.ptr() == &inode && probe->offset == offset)
            return probe;
    return nullptr;
}

struct WalkContext {
    Uprobe const* probe;
    bool arm;
};

// Arms or disarms one probe in one address space: every private file mapping of the inode
// whose file data covers the offset (not writable ones when arming, as Linux's valid_vma).
void walk_address_space(AddressSpace& space, void* raw)
{
    auto const& context = *static_cast<WalkContext const*>(raw);
    Uprobe const& probe = *context.probe;
    Vector<AddressSpace::FileMapping> mappings;
    if (space.file_mappings_of(*probe.inode, mappings).is_error())
        return;
    for (auto const& mapping : mappings) {
        u64 covered = min(mapping.end - mapping.start, mapping.file_bytes);
        if (probe.offset < mapping.file_offset || probe.offset - mapping.file_offset >= covered)
            continue;
        u64 address = mapping.start + (probe.offset - mapping.file_offset);
        if (context.arm) {
            if (!(mapping.prot & PROT_WRITE))
                space.replace_byte_if_present(address, probe.arch.bytes[0], breakpoint_instruction);
        } else {
            space.replace_byte_if_present(address, breakpoint_instruction, probe.arch.bytes[0]);
        }
    }
    if (!context.arm)
        forget_probe(space, probe.serial);
}

void walk_all(Uprobe const& probe, bool arm)
{
    WalkContext context { &probe, arm };
    AddressSpace::for_each_live(walk_address_space, &context);
}

}

ErrorOr<u8> read_file_byte(Inode& inode, u64 offset)
{
    u8 byte = 0;
    usize got = TRY(inode.read_at(offset, UserBuffer::kernel(&byte, 1), 1));
    if (got != 1)
        return Error(EINVAL);
    return byte;
}

ErrorOr<void> register_uprobe(Inode& inode, u64 offset, UprobeConsumer& consumer)
{
    u64 size = inode.metadata().size;
    if (offset > size)
        return Error(EINVAL);
    RegistrationGuard serialize;
    {
        SpinlockGuard guard(s_lock);
        if (Uprobe* existing = find_locked(inode, offset)) {
            consumer.next = existing->consumers;
            existing->consumers = &consumer;
            return {};
        }
    }
    u8 bytes[16] = {};
    usize available = static_cast<usize>(min<u64>(sizeof bytes, size - offset));
    if (available)
        available = TRY(inode.read_at(offset, UserBuffer::kernel(bytes, available), available));
    ArchUprobe arch;
    TRY(arch_analyze(bytes, available, arch));
    auto* probe = new (std::nothrow) Uprobe;
    if (!probe)
        return Error(ENOMEM);
    probe->inode = RefPtr<Inode>(&inode);
    probe->offset = offset;
    probe->arch = arch;
    consumer.next = nullptr;
    probe->consumers = &consumer;
    {
        SpinlockGuard guard(s_lock);
        if (auto appended = s_uprobes.try_append(probe); appended.is_error()) {
            delete probe;
            return appended.release_error();
        }
        probe->serial = s_next_serial++;
        s_uprobe_count.fetch_add(1, MemoryOrder::Release);
    }
    walk_all(*probe, true);
    return {};
}

void unregister_uprobe(UprobeConsumer& consumer)
{
    RegistrationGuard serialize;
    Uprobe* removed = nullptr;
    {
        SpinlockGuard guard(s_lock);
        for (usize i = 0; i < s_uprobes.size(); ++i) {
            Uprobe* probe = s_uprobes[i];
            UprobeConsumer** link = &probe->consumers;
            while (*link && *link != &consumer)
                link = &(*link)->next;
            if (!*link)
                continue;
            *link = consumer.next;
            if (!probe->consumers) {
                s_uprobes.remove(i);
                s_uprobe_count.fetch_sub(1, MemoryOrder::Release);
                removed = probe;
            }
            break;
        }
    }
    wait_for_hits();
    if (!removed)
        return;
    walk_all(*removed, false);
    wait_for_hits();
    delete removed;
}

Uprobe* acquire_uprobe(Inode const& inode, u64 offset)
{
    if (!s_uprobe_count.load(MemoryOrder::Acquire))
        return nullptr;
    SpinlockGuard guard(s_lock);
    Uprobe* probe = find_locked(inode, offset);
    if (probe)
        s_hits_in_flight.fetch_add(1, MemoryOrder::Acquire);
    return probe;
}

Uprobe* acquire_uprobe_by_serial(u64 serial)
{
    SpinlockGuard guard(s_lock);
    for (auto* probe : s_uprobes) {
        if (probe->serial == serial) {
            s_hits_in_flight.fetch_add(1, MemoryOrder::Acquire);
            return probe;
        }
    }
    return nullptr;
}

void release_uprobe() { s_hits_in_flight.fetch_sub(1, MemoryOrder::Release); }

void disarm_in(AddressSpace& space, Uprobe const& probe, u64 address)
{
    space.replace_byte_if_present(address, breakpoint_instruction, probe.arch.bytes[0]);
}

void arm_new_file_page(Inode const& inode, u64 page_file_offset, u64 valid_bytes, u8* page)
{
    if (!s_uprobe_count.load(MemoryOrder::Acquire))
        return;
    SpinlockGuard guard(s_lock);
    for (auto* probe : s_uprobes)
        if (probe->inode.ptr() == &inode && probe->offset >= page_file_offset && probe->offset - page_file_offset < valid_bytes)
            page[probe->offset - page_file_offset] = breakpoint_instruction;
}

}
