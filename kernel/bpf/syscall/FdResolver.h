// FdResolver: the kernel's bpf::ObjectResolver — how fds that user space stores into fd maps
// (PROG_ARRAY, ARRAY_OF_MAPS/HASH_OF_MAPS, PERF_EVENT_ARRAY) and inner_map_fd at create time
// become object references, with Linux's errno (EBADF for an fd that is not open, EINVAL for
// an fd of another kind). A resolver is made per command for one target map so PROG_ARRAY
// updates can enforce the map's owner program type (bpf_prog_map_compatible).
//
// Perf events belong to the perf subsystem: it registers how a perf event file yields its
// bpf::PerfEventSource with set_perf_event_lookup(); until then every fd gives EBADF, as
// perf_event_get() does for a file that is not a perf event.
#pragma once

#include "bpf/maps/MapAttributes.h"
#include "bpf/maps/PerfEventSource.h"
#include "bpf/syscall/MapObject.h"

class File;

namespace bpf::kernel {

class MapFile;

using PerfEventLookup = ErrorOr<RefPtr<PerfEventSource>> (*)(File& file);
void set_perf_event_lookup(PerfEventLookup lookup);

class FdResolver : public ObjectResolver {
public:
    // `target`: the map being updated (null for map creation); `target_file`: the open
    // map file the update came through (becomes ObjectResolver::map_file).
    explicit FdResolver(MapObject* target = nullptr, MapFile const* target_file = nullptr)
        : m_target(target)
    {
        map_file = target_file;
    }

    ErrorOr<RefPtr<Map>> map_from_fd(u32 fd) override;
    ErrorOr<RefPtr<PerfEventSource>> perf_event_from_fd(u32 fd) override;
    ErrorOr<RefPtr<Program>> program_from_fd(u32 fd) override;
    u32 program_id(Program const& program) override;

private:
    MapObject* m_target;
};

}
