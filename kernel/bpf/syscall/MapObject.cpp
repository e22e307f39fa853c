// MapObject (see MapObject.h).
#include "bpf/syscall/MapObject.h"
#include "bpf/maps/RingbufMap.h"
#include "fs/File.h"

namespace bpf::kernel {

IdRegistry<MapObject>& MapObject::registry()
{
    static IdRegistry<MapObject> s_registry;
    return s_registry;
}

MapObject::MapObject(RefPtr<Map> map, MapMetadata&& metadata)
    : m_map(move(map))
    , m_metadata(move(metadata))
{
}

ErrorOr<RefPtr<MapObject>> MapObject::create(RefPtr<Map> map, MapMetadata&& metadata)
{
    auto* object = new (std::nothrow) MapObject(move(map), move(metadata));
    if (!object)
        return Error(ENOMEM);
    auto ref = RefPtr<MapObject>::adopt(object);
    object->m_id = TRY(registry().allocate(object));
    object->m_map->set_id(object->m_id);
    if (object->m_map->type() == BPF_MAP_TYPE_RINGBUF)
        static_cast<RingbufMap&>(*object->m_map).set_wakeup_hook(ringbuf_wakeup, object);
    return ref;
}

MapObject::~MapObject()
{
    if (m_map->type() == BPF_MAP_TYPE_RINGBUF)
        static_cast<RingbufMap&>(*m_map).set_wakeup_hook(nullptr, nullptr);
    registry().release(m_id);
    if (m_map->id() == m_id)
        m_map->set_id(0);
}

u64 MapObject::memory_footprint() const
{
    u64 element = align_up(static_cast<u64>(m_map->key_size()) + m_map->syscall_value_size(), 8);
    return align_up(static_cast<u64>(m_map->max_entries()) * element, 4096);
}

bool MapObject::claim_owner(u32 program_type)
{
    SpinlockGuard guard(m_lock);
    if (!m_owner_type) {
        m_owner_type = program_type;
        return true;
    }
    return m_owner_type == program_type;
}

u32 MapObject::owner_program_type() const
{
    SpinlockGuard guard(m_lock);
    return m_owner_type;
}

ErrorOr<void> MapObject::add_watcher(File* file)
{
    SpinlockGuard guard(m_lock);
    return m_watchers.try_append(file);
}

void MapObject::remove_watcher(File* file)
{
    SpinlockGuard guard(m_lock);
    m_watchers.remove_all_matching([&](File* watcher) { return watcher == file; });
}

void MapObject::ringbuf_wakeup(void* context)
{
    if (!context)
        return;
    auto* object = static_cast<MapObject*>(context);
    SpinlockGuard guard(object->m_lock);
    for (auto* file : object->m_watchers)
        file->notify_readiness_changed();
}

}
