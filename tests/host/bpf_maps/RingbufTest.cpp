// RINGBUF: creation rules, reserve/submit/discard, BUSY/DISCARD header bits, positions,
// wrap-around (records that cross the end read back contiguously), space accounting,
// wake-up policy, the mmap layout and syscall-side errors.
#include "TestEnvironment.h"
#include "bpf/maps/RingbufMap.h"
#include <catch2/catch.hpp>

using namespace test;
using bpf::RingbufMap;

namespace {

// A consumer written like libbpf's ringbuf_process_ring(), reading through mmap_page().
struct Consumer {
    RingbufMap& ring;
    std::vector<std::vector<u8>> records;
    u32 discarded = 0;
    u8 const* data_byte(u64 offset) const
    {
        u64 page = 2 + offset / 4096;
        return ring.mmap_page(page) + offset % 4096;
    }
    u32 consume()
    {
        u32 n = 0;
        u64 cons = ring.consumer_position();
        u64 prod = ring.producer_position();
        u64 mask = ring.data_size() - 1;
        while (cons < prod) {
            u32 len;
            std::memcpy(&len, data_byte(cons & mask), 4);
            if (len & BPF_RINGBUF_BUSY_BIT)
                break;
            u32 size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
            if (len & BPF_RINGBUF_DISCARD_BIT) {
                ++discarded;
            } else {
                std::vector<u8> record(size);
                for (u32 i = 0; i < size; ++i) // contiguous across the end thanks to the double mapping
                    record[i] = *data_byte((cons & mask) + 8 + i);
                records.push_back(record);
                ++n;
            }
            cons += (size + 8 + 7) & ~7ull;
            ring.set_consumer_position(cons);
        }
        return n;
    }
};

}

TEST_CASE("ringbuf: create validation", "[ringbuf]")
{
    ScopedEnvironment scope;
    CHECK(create_errno(attributes(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096)) == 0);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_RINGBUF, 0, 0, 8192 * 4)) == 0);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096 * 3)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_RINGBUF, 0, 0, 2048)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_RINGBUF, 4, 0, 4096)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_RINGBUF, 0, 4, 4096)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, BPF_F_RDONLY_PROG)) == -EINVAL);
    CHECK(create_errno(attributes(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, BPF_F_NUMA_NODE)) == 0);
}

TEST_CASE("ringbuf: reserve, submit, discard and positions", "[ringbuf]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
    auto& ring = static_cast<RingbufMap&>(*map);
    Consumer consumer { ring };
    auto* a = static_cast<u8*>(ring.reserve(10));
    REQUIRE(a);
    u32 header;
    std::memcpy(&header, a - 8, 4);
    CHECK(header == (10 | BPF_RINGBUF_BUSY_BIT));
    CHECK(ring.producer_position() == 24);
    CHECK(consumer.consume() == 0); // busy record blocks the consumer
    std::memset(a, 0x5a, 10);
    auto* b = static_cast<u8*>(ring.reserve(3));
    REQUIRE(b);
    RingbufMap::commit(b, 0, true); // discarded before a is committed
    RingbufMap::commit(a, 0, false);
    CHECK(consumer.consume() == 1);
    CHECK(consumer.discarded == 1);
    CHECK(consumer.records[0] == std::vector<u8>(10, 0x5a));
    CHECK(ring.query(BPF_RB_AVAIL_DATA) == 0);
    CHECK(ring.query(BPF_RB_RING_SIZE) == 4096);
    CHECK(ring.query(BPF_RB_PROD_POS) == 40);
    CHECK(ring.query(BPF_RB_CONS_POS) == 40);
    CHECK(ring.query(99) == 0);
    CHECK(ring.reserve(4096) == nullptr);       // header does not fit
    CHECK(ring.reserve(4096 - 8) == nullptr);   // producer may not lap the consumer
    CHECK(ring.reserve(4096 - 16) != nullptr);  // size - 8 bytes in flight is the maximum
    CHECK(ring.reserve(1) == nullptr);
    u8 payload[4] = { 1, 2, 3, 4 };
    CHECK(ring.output(payload, 4, 0) == -EAGAIN);
    CHECK(ring.output(payload, 4, 4) == -EINVAL);
}

TEST_CASE("ringbuf: records wrap around the end and read back contiguously", "[ringbuf]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
    auto& ring = static_cast<RingbufMap&>(*map);
    Consumer consumer { ring };
    u32 produced = 0;
    for (u32 round = 0; round < 200; ++round) {
        u32 size = 100 + (round * 37) % 700;
        auto* record = static_cast<u8*>(ring.reserve(size));
        if (!record) {
            consumer.consume();
            record = static_cast<u8*>(ring.reserve(size));
        }
        REQUIRE(record);
        for (u32 i = 0; i < size; ++i)
            record[i] = static_cast<u8>(round + i);
        RingbufMap::commit(record, 0, round % 5 == 0);
        ++produced;
    }
    consumer.consume();
    CHECK(consumer.records.size() + consumer.discarded == produced);
    u32 round = 0;
    for (auto const& record : consumer.records) {
        while (round % 5 == 0)
            ++round;
        u32 size = 100 + (round * 37) % 700;
        REQUIRE(record.size() == size);
        bool intact = true;
        for (u32 i = 0; i < size; ++i)
            intact &= record[i] == static_cast<u8>(round + i);
        CHECK(intact);
        ++round;
    }
    CHECK(ring.producer_position() > 4096 * 10); // wrapped many times
}

TEST_CASE("ringbuf: wake-ups follow Linux's policy", "[ringbuf]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
    auto& ring = static_cast<RingbufMap&>(*map);
    u8 byte = 1;
    CHECK(ring.output(&byte, 1, 0) == 0); // consumer is at this record: wake
    CHECK(ring.wakeups() == 1);
    CHECK(ring.output(&byte, 1, 0) == 0); // consumer is behind: no wake
    CHECK(ring.wakeups() == 1);
    CHECK(ring.output(&byte, 1, BPF_RB_FORCE_WAKEUP) == 0);
    CHECK(ring.wakeups() == 2);
    ring.set_consumer_position(ring.producer_position());
    CHECK(ring.output(&byte, 1, BPF_RB_NO_WAKEUP) == 0);
    CHECK(ring.wakeups() == 2);
}

TEST_CASE("ringbuf: syscall side and mmap rules", "[ringbuf]")
{
    ScopedEnvironment scope;
    auto map = make_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 8192);
    u32 v;
    CHECK(err(map->sys_lookup(nullptr, &v, 0)) == -ENOTSUPP);
    CHECK(err(map->sys_update(nullptr, &v, 0)) == -ENOTSUPP);
    CHECK(err(map->sys_delete(nullptr)) == -ENOTSUPP);
    CHECK(err(map->sys_get_next_key(nullptr, &v)) == -ENOTSUPP);
    CHECK(err(map->sys_lookup_and_delete(nullptr, &v, 0)) == -ENOTSUPP);
    CHECK(err(map->mmap_begin(0, 1, true, true)) == 0);
    map->mmap_end(true);
    CHECK(err(map->mmap_begin(0, 2, true, true)) == -EPERM);
    CHECK(err(map->mmap_begin(1, 1, true, true)) == -EPERM);
    CHECK(err(map->mmap_begin(1, 5, false, true)) == 0);
    CHECK(err(map->mmap_begin(1, 6, false, true)) == -EINVAL);
    CHECK(map->mmap_page(2) == map->mmap_page(4)); // data pages mapped twice
    CHECK(map->mmap_page(3) == map->mmap_page(5));
    CHECK(map->mmap_page(6) == nullptr);
}
