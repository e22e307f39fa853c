// HashMap<K, V>: open addressing with linear probing and backward-shift deletion (no
// tombstones). Keys are hashed through Traits<K>; integers, pointers and String are
// provided. Insertion is fallible (ENOMEM); lookups never allocate.
#pragma once

#include "Error.h"
#include "String.h"

namespace klib {

constexpr u64 hash_u64(u64 key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ULL;
    key ^= key >> 33;
    return key;
}

inline u64 hash_bytes(void const* data, usize length)
{
    auto const* bytes = static_cast<u8 const*>(data);
    u64 h = 0xcbf29ce484222325ULL; // FNV-1a
    for (usize i = 0; i < length; ++i) {
        h ^= bytes[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

template<typename T, typename = void>
struct Traits;

template<typename T>
struct Traits<T, std::enable_if_t<std::is_integral_v<T> || std::is_enum_v<T> || std::is_pointer_v<T>>> {
    static u64 hash(T value) { return hash_u64(static_cast<u64>((uptr)value)); }
    static bool equals(T a, T b) { return a == b; }
};

template<>
struct Traits<String> {
    static u64 hash(String const& s) { return hash_bytes(s.c_str(), s.length()); }
    static bool equals(String const& a, String const& b) { return a == b; }
};

template<typename K, typename V>
class HashMap {
public:
    struct Entry {
        K key;
        V value;
    };

    HashMap() = default;
    HashMap(HashMap&& other)
        : m_slots(exchange(other.m_slots, nullptr))
        , m_capacity(exchange(other.m_capacity, 0))
        , m_size(exchange(other.m_size, 0))
    {
    }
    HashMap& operator=(HashMap&& other)
    {
        if (this != &other) {
            clear();
            m_slots = exchange(other.m_slots, nullptr);
            m_capacity = exchange(other.m_capacity, 0);
            m_size = exchange(other.m_size, 0);
        }
        return *this;
    }
    HashMap(HashMap const&) = delete;
    ~HashMap() { clear(); }

    usize size() const { return m_size; }
    bool is_empty() const { return m_size == 0; }

    V* get(K const& key)
    {
        Slot* slot = find_slot(key);
        return slot ? &slot->entry()->value : nullptr;
    }
    V const* get(K const& key) const { return const_cast<HashMap*>(this)->get(key); }
    bool contains(K const& key) const { return get(key) != nullptr; }

    // Inserts or replaces.
    ErrorOr<void> try_set(K key, V value)
    {
        if (Slot* existing = find_slot(key)) {
            existing->entry()->value = move(value);
            return {};
        }
        if ((m_size + 1) * 4 > m_capacity * 3)
            TRY(try_rehash(m_capacity ? m_capacity * 2 : 8));
        insert_new(move(key), move(value));
        return {};
    }

    bool remove(K const& key)
    {
        Slot* slot = find_slot(key);
        if (!slot)
            return false;
        usize hole = static_cast<usize>(slot - m_slots);
        m_slots[hole].destroy();
        --m_size;
        // Backward-shift: move later members of the probe run into the hole.
        usize i = hole;
        for (;;) {
            i = (i + 1) & (m_capacity - 1);
            if (!m_slots[i].used)
                break;
            usize home = Traits<K>::hash(m_slots[i].entry()->key) & (m_capacity - 1);
            bool in_range = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
            if (in_range) {
                m_slots[hole].construct(move(m_slots[i].entry()->key), move(m_slots[i].entry()->value));
                m_slots[i].destroy();
                hole = i;
            }
        }
        return true;
    }

    void clear()
    {
        for (usize i = 0; i < m_capacity; ++i)
            if (m_slots[i].used)
                m_slots[i].destroy();
        delete[] m_slots;
        m_slots = nullptr;
        m_capacity = 0;
        m_size = 0;
    }

    template<typename Callback>
    void for_each(Callback callback)
    {
        for (usize i = 0; i < m_capacity; ++i)
            if (m_slots[i].used)
                callback(m_slots[i].entry()->key, m_slots[i].entry()->value);
    }

private:
    struct Slot {
        bool used { false };
        alignas(Entry) u8 storage[sizeof(Entry)];
        Entry* entry() { return reinterpret_cast<Entry*>(storage); }
        void construct(K&& k, V&& v)
        {
            new (storage) Entry { move(k), move(v) };
            used = true;
        }
        void destroy()
        {
            entry()->~Entry();
            used = false;
        }
    };

    Slot* find_slot(K const& key)
    {
        if (!m_capacity)
            return nullptr;
        usize i = Traits<K>::hash(key) & (m_capacity - 1);
        while (m_slots[i].used) {
            if (Traits<K>::equals(m_slots[i].entry()->key, key))
                return &m_slots[i];
            i = (i + 1) & (m_capacity - 1);
        }
        return nullptr;
    }
    void insert_new(K&& key, V&& value)
    {
        usize i = Traits<K>::hash(key) & (m_capacity - 1);
        while (m_slots[i].used)
            i = (i + 1) & (m_capacity - 1);
        m_slots[i].construct(move(key), move(value));
        ++m_size;
    }
    ErrorOr<void> try_rehash(usize new_capacity)
    {
        Slot* new_slots = new (std::nothrow) Slot[new_capacity];
        if (!new_slots)
            return Error(ENOMEM);
        Slot* old_slots = exchange(m_slots, new_slots);
        usize old_capacity = exchange(m_capacity, new_capacity);
        m_size = 0;
        for (usize i = 0; i < old_capacity; ++i) {
            if (old_slots[i].used) {
                insert_new(move(old_slots[i].entry()->key), move(old_slots[i].entry()->value));
                old_slots[i].destroy();
            }
        }
        delete[] old_slots;
        return {};
    }

    Slot* m_slots { nullptr };
    usize m_capacity { 0 };
    usize m_size { 0 };
};

}

using klib::HashMap;
