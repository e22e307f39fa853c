// BPF_MAP_TYPE_PERF_EVENT_ARRAY: one perf event per slot (usually one per CPU), written by
// bpf_perf_event_output() and read by bpf_perf_event_read_value(). Slots hold
// PerfEventSource references supplied by the perf subsystem. Syscall-side lookup is
// -ENOTSUPP (Linux has no id for perf events). BPF_F_PRESERVE_ELEMS is accepted; since the
// core does not track which map fd installed an event, entries are never dropped on close.
//
// Locking: see FdArrayMap.h.
#pragma once

#include "bpf/maps/FdArrayMap.h"
#include "bpf/maps/PerfEventSource.h"

namespace bpf {

class PerfEventArrayMap final : public FdArrayMap {
public:
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes);
    ~PerfEventArrayMap() override { release_all_slots(); }

    PerfEventSource* event(u32 index) const { return static_cast<PerfEventSource*>(slot(index)); }
    // __bpf_perf_event_output: flags select the slot (BPF_F_INDEX_MASK, BPF_F_CURRENT_CPU).
    i64 output(u64 regs, u64 flags, void const* data, u64 size);
    // get_map_perf_counter + bpf_perf_event_read_value.
    i64 read_value(u64 flags, struct bpf_perf_event_value* value);

protected:
    ErrorOr<void*> get_object(u32 fd, ObjectResolver* resolver) override;
    void put_object(void* object) override { static_cast<PerfEventSource*>(object)->unref(); }

private:
    PerfEventArrayMap(MapAttributes const& attributes, MapMemory slots)
        : FdArrayMap(attributes, move(slots))
    {
    }
    i64 select(u64 flags, PerfEventSource*& event) const;
};

}
