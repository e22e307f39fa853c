// MapMemory: an owning, zero-filled, optionally page-aligned byte buffer for map storage.
// Allocated once at map creation (process context, general heap); never resized. No locking:
// the owner decides who may touch the bytes.
#pragma once

#include "klib/CString.h"
#include "klib/Error.h"
#include "klib/Types.h"
#include <new>

namespace bpf {

class MapMemory {
public:
    MapMemory() = default;
    MapMemory(MapMemory const&) = delete;
    MapMemory& operator=(MapMemory const&) = delete;
    MapMemory(MapMemory&& other)
        : m_raw(klib::exchange(other.m_raw, nullptr))
        , m_data(klib::exchange(other.m_data, nullptr))
        , m_size(klib::exchange(other.m_size, 0))
    {
    }
    MapMemory& operator=(MapMemory&& other)
    {
        if (this != &other) {
            delete[] m_raw;
            m_raw = klib::exchange(other.m_raw, nullptr);
            m_data = klib::exchange(other.m_data, nullptr);
            m_size = klib::exchange(other.m_size, 0);
        }
        return *this;
    }
    ~MapMemory() { delete[] m_raw; }

    // ENOMEM when the size does not fit the address space or the heap refuses.
    static ErrorOr<MapMemory> try_allocate(u64 size, u64 alignment = 16)
    {
        MapMemory memory;
        if (size > (1ull << 46) || alignment > (1ull << 20))
            return Error(ENOMEM);
        u64 total = size + alignment;
        memory.m_raw = new (std::nothrow) u8[total];
        if (!memory.m_raw)
            return Error(ENOMEM);
        memset(memory.m_raw, 0, total);
        memory.m_data = reinterpret_cast<u8*>(klib::align_up(reinterpret_cast<u64>(memory.m_raw), alignment));
        memory.m_size = size;
        return memory;
    }

    u8* data() const { return m_data; }
    u64 size() const { return m_size; }

private:
    u8* m_raw { nullptr };
    u8* m_data { nullptr };
    u64 m_size { 0 };
};

}
