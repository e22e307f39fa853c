// What the verifier knows about a map a register refers to: its type, sizes and flags, and the
// map object itself for maps the program names directly. The maps stored in a map-of-maps are
// not known at load time; lookups in an outer map yield pointers described by the outer map's
// inner template (object() == nullptr). Descriptors live as long as the verification.
#pragma once

#include "bpf/maps/Map.h"

namespace bpf::verifier {

class MapDescriptor {
public:
    explicit MapDescriptor(Map* map)
        : m_type(map->type())
        , m_key_size(map->key_size())
        , m_value_size(map->value_size())
        , m_max_entries(map->max_entries())
        , m_flags(map->flags())
        , m_object(map)
    {
    }
    explicit MapDescriptor(InnerMapTemplate const& inner)
        : m_type(inner.map_type)
        , m_key_size(inner.key_size)
        , m_value_size(inner.value_size)
        , m_max_entries(inner.max_entries)
        , m_flags(inner.map_flags)
    {
    }

    u32 type() const { return m_type; }
    u32 key_size() const { return m_key_size; }
    u32 value_size() const { return m_value_size; }
    u32 max_entries() const { return m_max_entries; }
    u32 flags() const { return m_flags; }
    // Frozen maps the program may only read have constant contents.
    bool is_frozen() const { return m_object && m_object->is_frozen(); }
    Map* object() const { return m_object; }
    MapDescriptor const* inner() const { return m_inner; }
    void set_inner(MapDescriptor const* inner) { m_inner = inner; }

private:
    u32 m_type;
    u32 m_key_size;
    u32 m_value_size;
    u32 m_max_entries;
    u32 m_flags;
    Map* m_object { nullptr };
    MapDescriptor const* m_inner { nullptr };
};

}
