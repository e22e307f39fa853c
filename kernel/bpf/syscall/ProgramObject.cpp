// ProgramObject (see ProgramObject.h).
#include "bpf/syscall/ProgramObject.h"
#include "bpf/isa/Interpreter.h"
#include "time/Clock.h"

namespace bpf::kernel {

namespace {
Atomic<u32> s_stats_users { 0 };
}

bool run_time_stats_enabled() { return s_stats_users.load(MemoryOrder::Relaxed) != 0; }
void run_time_stats_acquire() { s_stats_users.fetch_add(1); }
void run_time_stats_release() { s_stats_users.fetch_sub(1); }

IdRegistry<ProgramObject>& ProgramObject::registry()
{
    static IdRegistry<ProgramObject> s_registry;
    return s_registry;
}

ErrorOr<RefPtr<ProgramObject>> ProgramObject::create(RefPtr<Program> program, ProgramInfo&& info)
{
    auto* object = new (std::nothrow) ProgramObject(move(program), move(info));
    if (!object)
        return Error(ENOMEM);
    auto ref = RefPtr<ProgramObject>::adopt(object);
    object->m_id = TRY(registry().allocate(object));
    return ref;
}

ProgramObject::~ProgramObject() { registry().release(m_id); }

u64 ProgramObject::memlock() const
{
    return align_up(static_cast<u64>(m_info.xlated.size()) * sizeof(isa::RawInstruction), 4096);
}

ErrorOr<u64> ProgramObject::run(u64 ctx, u64 r2)
{
    bool stats = run_time_stats_enabled();
    u64 start = stats ? clock_monotonic_ns() : 0;
    auto result = isa::run(*m_program, isa::Arguments { ctx, r2, 0, 0, 0 });
    if (stats)
        account_run(1, clock_monotonic_ns() - start);
    return result;
}

void ProgramObject::account_run(u64 count, u64 nanoseconds)
{
    m_run_count.fetch_add(count, MemoryOrder::Relaxed);
    m_run_time_ns.fetch_add(nanoseconds, MemoryOrder::Relaxed);
}

ErrorOr<void> ProgramObject::bind_map(RefPtr<MapObject> map)
{
    SpinlockGuard guard(m_lock);
    for (auto const& used : m_info.maps)
        if (used.ptr() == map.ptr())
            return {};
    return m_info.maps.try_append(move(map));
}

ErrorOr<Vector<u32>> ProgramObject::map_ids() const
{
    Vector<u32> ids;
    SpinlockGuard guard(m_lock);
    TRY(ids.try_ensure_capacity(m_info.maps.size()));
    for (auto const& map : m_info.maps)
        TRY(ids.try_append(map->id()));
    return ids;
}

RefPtr<ProgramObject> ProgramObject::find_by_program(Program const& program)
{
    RefPtr<ProgramObject> found;
    registry().for_each([&](ProgramObject& object) {
        if (!found && object.m_program.ptr() == &program)
            found = object;
    });
    return found;
}

}
