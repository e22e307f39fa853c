// BPF_MAP_TYPE_PROG_ARRAY (see ProgArrayMap.h); ported from Linux's arraymap.c.
#include "bpf/maps/ProgArrayMap.h"
#include "bpf/Runtime.h"
#include "bpf/isa/Program.h"

namespace bpf {

ErrorOr<RefPtr<Program>> ObjectResolver::program_from_fd(u32) { return Error(EBADF); }
u32 ObjectResolver::program_id(Program const&) { return 0; }

static Program* lookup_for_tail_call(u64 map_address, u32 index)
{
    auto* map = reinterpret_cast<Map*>(map_address);
    if (!map || map->type() != BPF_MAP_TYPE_PROG_ARRAY)
        return nullptr;
    return static_cast<ProgArrayMap*>(map)->program(index);
}

void install_tail_call_hook() { tail_call_lookup = lookup_for_tail_call; }

ErrorOr<RefPtr<Map>> ProgArrayMap::try_create(MapAttributes const& a)
{
    TRY(alloc_check(a));
    auto slots = TRY(MapMemory::try_allocate(static_cast<u64>(a.max_entries) * sizeof(void*)));
    auto ids = TRY(MapMemory::try_allocate(static_cast<u64>(a.max_entries) * sizeof(u32)));
    install_tail_call_hook();
    return adopt_ref_or_enomem<Map>(new (std::nothrow) ProgArrayMap(a, move(slots), move(ids)));
}

ProgArrayMap::ProgArrayMap(MapAttributes const& a, MapMemory slots, MapMemory ids)
    : FdArrayMap(a, move(slots))
    , m_ids(move(ids))
{
}

ProgArrayMap::~ProgArrayMap() { release_all_slots(); }

ErrorOr<void> ProgArrayMap::set_program(u32 index, Program* program, u32 id)
{
    if (index >= m_max_entries)
        return Error(E2BIG);
    if (!program)
        return Error(EINVAL);
    program->ref();
    ids()[index] = id;
    exchange_slot(index, program);
    return {};
}

ErrorOr<void*> ProgArrayMap::get_object(u32 fd, ObjectResolver* resolver)
{
    if (!resolver)
        return Error(EBADF);
    auto program = TRY(resolver->program_from_fd(fd));
    return static_cast<void*>(program.leak_ref());
}

void ProgArrayMap::put_object(void* object) { static_cast<Program*>(object)->unref(); }

ErrorOr<u32> ProgArrayMap::object_id(void*) { return 0u; }

ErrorOr<void> ProgArrayMap::update_value(void const* key, void const* value, u64 flags, ObjectResolver* resolver)
{
    TRY(FdArrayMap::update_value(key, value, flags, resolver));
    u32 index = *static_cast<u32 const*>(key);
    if (Program* stored = program(index))
        ids()[index] = resolver->program_id(*stored);
    return {};
}

ErrorOr<void> ProgArrayMap::copy_value(void const* key, void* value, u64)
{
    u32 index = *static_cast<u32 const*>(key);
    if (index >= m_max_entries || !slot(index))
        return Error(ENOENT);
    *static_cast<u32*>(value) = ids()[index];
    return {};
}

}
