// BPF_MAP_TYPE_ARRAY_OF_MAPS: an array whose slots hold other maps (one level deep). Every
// inner map must match the template given by inner_map_fd at creation (type, key/value size,
// flags, and for arrays max_entries unless BPF_F_INNER_MAP). Programs' lookups return the
// inner bpf::Map pointer; syscall lookups return the inner map's id. Lookup and update
// batches are Linux's generic ones; there is no delete batch (-ENOTSUPP), as on Linux.
//
// Locking: see FdArrayMap.h.
#pragma once

#include "bpf/maps/FdArrayMap.h"

namespace bpf {

class ArrayOfMapsMap final : public FdArrayMap {
public:
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes, ObjectResolver* resolver);
    ~ArrayOfMapsMap() override { release_all_slots(); }

    void* lookup_elem(void const* key) override;
    bool can_be_inner_map() const override { return true; }

protected:
    ErrorOr<void*> get_object(u32 fd, ObjectResolver* resolver) override;
    void put_object(void* object) override { static_cast<Map*>(object)->unref(); }
    ErrorOr<u32> object_id(void* object) override { return object ? static_cast<Map*>(object)->id() : 0u; }
    ErrorOr<void> lookup_batch(BatchIo& io) override { return generic_lookup_batch(io); }
    ErrorOr<void> update_batch(BatchIo& io, ObjectResolver* resolver) override { return generic_update_batch(io, resolver); }

private:
    ArrayOfMapsMap(MapAttributes const& attributes, MapMemory slots)
        : FdArrayMap(attributes, move(slots))
    {
    }
};

// bpf_map_meta_alloc(): reads the inner map template for a map-of-maps.
ErrorOr<InnerMapTemplate> inner_map_template_from_fd(u32 inner_map_fd, ObjectResolver* resolver);

}
