// The perf ring writer and record layouts: sample fields in Linux's order, RAW padding
// (Linux: u32 size + data end 8-aligned, size counts the padding), wrap-around, CIRC_SPACE
// (never overwrite unread data), PERF_RECORD_LOST before the next record that fits, the
// overwrite mode of read-only rings, pause, and wake-ups by wakeup_events and watermark.
// A consumer written like libbpf's perf_event_read_simple() reads the records back.
#include "perf/PerfRecords.h"
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

using namespace perf;

namespace {

struct Ring {
    alignas(4096) perf_event_mmap_page page {};
    std::vector<u8> data;
    PerfRing ring;
    Ring(u64 size, bool overwrite = false, WakeupPolicy policy = {})
        : data(size, 0xee)
        , ring(page, data.data(), size, overwrite, policy)
    {
    }

    // libbpf's perf_event_read_simple(): copies out records between tail and head.
    std::vector<std::vector<u8>> consume()
    {
        std::vector<std::vector<u8>> records;
        u64 head = __atomic_load_n(&page.data_head, __ATOMIC_ACQUIRE);
        u64 tail = page.data_tail;
        u64 size = data.size();
        while (tail != head) {
            perf_event_header header;
            for (u32 i = 0; i < sizeof(header); ++i)
                reinterpret_cast<u8*>(&header)[i] = data[(tail + i) % size];
            REQUIRE(header.size >= 8);
            REQUIRE(header.size % 8 == 0);
            std::vector<u8> record(header.size);
            for (u32 i = 0; i < header.size; ++i)
                record[i] = data[(tail + i) % size];
            records.push_back(record);
            tail += header.size;
        }
        __atomic_store_n(&page.data_tail, tail, __ATOMIC_RELEASE);
        return records;
    }
};

PerfRing::Result write_raw(Ring& r, void const* raw, u32 size, u64 sample_type = PERF_SAMPLE_RAW)
{
    SampleData sample;
    sample.raw = raw;
    sample.raw_size = size;
    sample.id = 7;
    RecordFragments record;
    REQUIRE(build_sample(sample_type, 0, sample, record));
    SampleData lost_data;
    RecordFragments lost;
    RecordFragments* lost_pointer = nullptr;
    if (r.ring.pending_lost()) {
        build_lost(sample_type, false, 7, r.ring.pending_lost(), lost_data, lost);
        lost_pointer = &lost;
    }
    return r.ring.write(record, lost_pointer, true);
}

template<typename T>
T field(std::vector<u8> const& record, usize offset)
{
    T value;
    memcpy(&value, record.data() + offset, sizeof(T));
    return value;
}

}

TEST_CASE("ring header page as Linux initialises it", "[perf][ring]")
{
    Ring r(8 * 4096);
    CHECK(r.page.version == 0);
    CHECK(r.page.compat_version == 0);
    CHECK(r.page.data_offset == 4096);
    CHECK(r.page.data_size == 8 * 4096);
    CHECK(r.page.data_head == 0);
    CHECK(r.page.cap_bit0_is_deprecated == 1);
    CHECK(r.page.cap_user_rdpmc == 0);
    CHECK(r.page.size == 96);
    CHECK(offsetof(perf_event_mmap_page, data_head) == 1024);
    CHECK(offsetof(perf_event_mmap_page, data_tail) == 1032);
}

TEST_CASE("RAW samples: u32 size plus data padded to end 8-aligned", "[perf][ring]")
{
    // data size -> size field, record size (as observed on Linux: 24 bytes -> 28, 40)
    struct Case {
        u32 data, field, record;
    } cases[] = { { 0, 4, 16 }, { 1, 4, 16 }, { 4, 4, 16 }, { 5, 12, 24 }, { 12, 12, 24 }, { 24, 28, 40 }, { 28, 28, 40 }, { 29, 36, 48 } };
    for (auto c : cases) {
        Ring r(4096);
        std::vector<u8> payload(c.data);
        for (u32 i = 0; i < c.data; ++i)
            payload[i] = static_cast<u8>(i + 1);
        REQUIRE(write_raw(r, payload.data(), c.data) != PerfRing::Result::Lost);
        auto records = r.consume();
        REQUIRE(records.size() == 1);
        auto const& record = records[0];
        INFO("raw bytes " << c.data);
        CHECK(field<u32>(record, 0) == PERF_RECORD_SAMPLE);
        CHECK(field<u16>(record, 6) == c.record);
        CHECK(field<u32>(record, 8) == c.field);
        CHECK(memcmp(record.data() + 12, payload.data(), c.data) == 0);
        for (u32 i = 12 + c.data; i < c.record; ++i)
            CHECK(record[i] == 0);
    }
}

TEST_CASE("sample fields in sample_type order", "[perf][ring]")
{
    Ring r(4096);
    SampleData s;
    s.misc = PERF_RECORD_MISC_USER;
    s.ip = 0x401000;
    s.pid = 10;
    s.tid = 11;
    s.time = 123456789;
    s.addr = 0;
    s.id = 42;
    s.stream_id = 42;
    s.cpu = 3;
    s.period = 1000000;
    s.read = { 5, 6, 7, 42, 0 };
    u32 raw = 0xabcdef01;
    s.raw = &raw;
    s.raw_size = 4;
    u64 type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR | PERF_SAMPLE_ID
        | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_READ | PERF_SAMPLE_RAW;
    RecordFragments record;
    REQUIRE(build_sample(type, PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_ID, s, record));
    REQUIRE(r.ring.write(record, nullptr, true) != PerfRing::Result::Lost);
    auto records = r.consume();
    REQUIRE(records.size() == 1);
    auto const& rec = records[0];
    CHECK(field<u16>(rec, 4) == PERF_RECORD_MISC_USER);
    CHECK(field<u16>(rec, 6) == 8 + 8 * 9 + 24 + 8);
    u64 expected[] = { 42, 0x401000, 10 | (11ULL << 32), 123456789, 0, 42, 42, 3, 1000000, 5, 6, 42 };
    for (u32 i = 0; i < 12; ++i)
        CHECK(field<u64>(rec, 8 + 8 * i) == expected[i]);
    CHECK(field<u32>(rec, 8 + 8 * 12) == 4);
    CHECK(field<u32>(rec, 8 + 8 * 12 + 4) == 0xabcdef01);
}

TEST_CASE("group read_format: nr first, then the times", "[perf][ring]")
{
    u64 out[8];
    ReadValues values { 100, 200, 300, 9, 4 };
    u32 n = format_read_values(PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID | PERF_FORMAT_LOST, values, out);
    REQUIRE(n == 6);
    u64 expected[] = { 1, 200, 300, 100, 9, 4 };
    for (u32 i = 0; i < n; ++i)
        CHECK(out[i] == expected[i]);
    n = format_read_values(PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_LOST, values, out);
    REQUIRE(n == 3);
    CHECK(out[0] == 100);
    CHECK(out[1] == 300);
    CHECK(out[2] == 4);
}

TEST_CASE("records wrap around the end of the data area", "[perf][ring]")
{
    Ring r(4096);
    std::vector<u8> payload(100);
    u32 total = 0;
    for (u32 round = 0; round < 200; ++round) {
        for (u32 i = 0; i < payload.size(); ++i)
            payload[i] = static_cast<u8>(round * 7 + i);
        REQUIRE(write_raw(r, payload.data(), 100) != PerfRing::Result::Lost);
        auto records = r.consume();
        REQUIRE(records.size() == 1);
        CHECK(field<u32>(records[0], 8) == 100);
        CHECK(memcmp(records[0].data() + 12, payload.data(), 100) == 0);
        total += records[0].size();
    }
    CHECK(r.page.data_head == total);
    CHECK(total > 4 * 4096); // wrapped several times
}

TEST_CASE("a full ring drops and counts, then a LOST record precedes the next record", "[perf][ring]")
{
    Ring r(4096);
    u8 payload[116] {}; // 128-byte records
    u32 written = 0;
    while (write_raw(r, payload, sizeof(payload)) != PerfRing::Result::Lost)
        ++written;
    // CIRC_SPACE keeps one byte free: 31 records of 128 bytes fit in 4096.
    CHECK(written == 31);
    CHECK(r.ring.pending_lost() == 1);
    CHECK(write_raw(r, payload, sizeof(payload)) == PerfRing::Result::Lost);
    CHECK(r.ring.pending_lost() == 2);
    u64 head_before = r.page.data_head;
    // Consuming makes room; the next write emits LOST(2) then the sample.
    auto records = r.consume();
    CHECK(records.size() == 31);
    REQUIRE(write_raw(r, payload, sizeof(payload)) != PerfRing::Result::Lost);
    CHECK(r.ring.pending_lost() == 0);
    records = r.consume();
    REQUIRE(records.size() == 2);
    CHECK(field<u32>(records[0], 0) == PERF_RECORD_LOST);
    CHECK(field<u16>(records[0], 6) == 24);
    CHECK(field<u64>(records[0], 8) == 7);  // id
    CHECK(field<u64>(records[0], 16) == 2); // lost
    CHECK(field<u32>(records[1], 0) == PERF_RECORD_SAMPLE);
    CHECK(r.page.data_head == head_before + 24 + 128);
}

TEST_CASE("unread data is never overwritten", "[perf][ring]")
{
    Ring r(4096);
    u8 first[116];
    memset(first, 0x11, sizeof(first));
    REQUIRE(write_raw(r, first, sizeof(first)) != PerfRing::Result::Lost);
    u8 other[116];
    memset(other, 0x22, sizeof(other));
    for (int i = 0; i < 100; ++i)
        (void)write_raw(r, other, sizeof(other));
    auto records = r.consume();
    REQUIRE(records.size() == 31);
    CHECK(records[0][12] == 0x11);
}

TEST_CASE("LOST with sample_id_all carries the sample_id trailer", "[perf][ring]")
{
    SampleData data;
    data.pid = 5;
    data.tid = 6;
    data.time = 77;
    data.id = 9;
    data.stream_id = 9;
    data.cpu = 1;
    RecordFragments lost;
    build_lost(PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_IDENTIFIER, true, 9, 3, data, lost);
    CHECK(lost.size == 8 + 16 + 4 * 8);
    build_lost(PERF_SAMPLE_TID | PERF_SAMPLE_TIME, false, 9, 3, data, lost);
    CHECK(lost.size == 24);
}

TEST_CASE("read-only rings overwrite old data", "[perf][ring]")
{
    Ring r(4096, true);
    u8 payload[116] {};
    for (int i = 0; i < 100; ++i)
        REQUIRE(write_raw(r, payload, sizeof(payload)) != PerfRing::Result::Lost);
    CHECK(r.page.data_head == 100 * 128);
}

TEST_CASE("paused rings and header-only rings drop records", "[perf][ring]")
{
    Ring r(4096);
    u8 payload[8] {};
    r.ring.set_paused(true);
    CHECK(write_raw(r, payload, 8) == PerfRing::Result::Lost);
    CHECK(r.page.data_head == 0);
    r.ring.set_paused(false);
    CHECK(write_raw(r, payload, 8) != PerfRing::Result::Lost);

    perf_event_mmap_page page {};
    PerfRing header_only(page, nullptr, 0, false, {});
    CHECK(page.data_size == 0);
    SampleData s;
    RecordFragments record;
    REQUIRE(build_sample(PERF_SAMPLE_RAW, 0, s, record));
    CHECK(header_only.write(record, nullptr, true) == PerfRing::Result::Lost);
}

TEST_CASE("wake-ups: every wakeup_events samples, or past the watermark", "[perf][ring]")
{
    u8 payload[4] {};
    {
        Ring r(8192, false, { 3, 0, false });
        int wakeups = 0;
        for (int i = 0; i < 9; ++i)
            wakeups += write_raw(r, payload, 4) == PerfRing::Result::WrittenWakeup;
        CHECK(wakeups == 3);
    }
    {
        // Default: half the data area.
        Ring r(4096, false, {});
        int first = -1;
        for (int i = 0; i < 200 && first < 0; ++i)
            if (write_raw(r, payload, 4) == PerfRing::Result::WrittenWakeup)
                first = i;
        CHECK(first == 2048 / 16); // the record that takes head past 2048 bytes
    }
    {
        // wakeup_watermark in bytes; wakeup_events is not used with attr.watermark.
        Ring r(4096, false, { 0, 64, true });
        CHECK(write_raw(r, payload, 4) == PerfRing::Result::Written);
        CHECK(write_raw(r, payload, 4) == PerfRing::Result::Written);
        CHECK(write_raw(r, payload, 4) == PerfRing::Result::Written);
        CHECK(write_raw(r, payload, 4) == PerfRing::Result::Written);
        CHECK(write_raw(r, payload, 4) == PerfRing::Result::WrittenWakeup); // 80 > 64
    }
}
