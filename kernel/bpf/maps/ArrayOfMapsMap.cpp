// BPF_MAP_TYPE_ARRAY_OF_MAPS (see ArrayOfMapsMap.h); ported from Linux's arraymap.c and
// map_in_map.c.
#include "bpf/maps/ArrayOfMapsMap.h"

namespace bpf {

ErrorOr<InnerMapTemplate> inner_map_template_from_fd(u32 inner_map_fd, ObjectResolver* resolver)
{
    if (!resolver)
        return Error(EBADF);
    auto inner = TRY(resolver->map_from_fd(inner_map_fd));
    if (inner->inner_map_template())
        return Error(EINVAL); // no more than one level of nesting
    if (!inner->can_be_inner_map())
        return Error(ENOTSUPP);
    return InnerMapTemplate { inner->type(), inner->key_size(), inner->value_size(), inner->flags(), inner->max_entries() };
}

ErrorOr<RefPtr<Map>> ArrayOfMapsMap::try_create(MapAttributes const& a, ObjectResolver* resolver)
{
    TRY(alloc_check(a));
    auto meta = TRY(inner_map_template_from_fd(a.inner_map_fd, resolver));
    auto slots = TRY(MapMemory::try_allocate(static_cast<u64>(a.max_entries) * sizeof(void*)));
    auto* map = new (std::nothrow) ArrayOfMapsMap(a, move(slots));
    if (!map)
        return Error(ENOMEM);
    map->set_inner_template(meta);
    return RefPtr<Map>::adopt(map);
}

void* ArrayOfMapsMap::lookup_elem(void const* key)
{
    u32 index = *static_cast<u32 const*>(key);
    if (index >= m_max_entries)
        return nullptr;
    return slot(index);
}

ErrorOr<void*> ArrayOfMapsMap::get_object(u32 fd, ObjectResolver* resolver)
{
    if (!resolver)
        return Error(EBADF);
    auto inner = TRY(resolver->map_from_fd(fd));
    if (!inner_map_compatible(*inner))
        return Error(EINVAL);
    return static_cast<void*>(inner.leak_ref());
}

}
