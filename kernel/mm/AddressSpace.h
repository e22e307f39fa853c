// AddressSpace: a process's user memory — page tables plus a sorted list of regions
// (Linux's VMAs). Regions are anonymous (private or shared) or private file-backed
// (read at fault time) or device-backed (pages provided by a File's mmap hook). Pages are
// allocated on first touch; fork copies private pages. One spinlock guards the region list.
#pragma once

#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/String.h"
#include "klib/Vector.h"

class OpenFileDescription;

struct RegionInfo {
    u64 start;
    u64 end;
    bool readable, writable, executable, shared;
    u64 file_offset;
    StringView name; // "[heap]", "[stack]", a path, or empty
};

class AddressSpace {
public:
    // Calls callback(RegionInfo const&) for each region in address order (for /proc/pid/maps).
    template<typename Callback>
    void for_each_region(Callback callback) const;
    u64 resident_pages() const;
    u64 virtual_size() const;
};
