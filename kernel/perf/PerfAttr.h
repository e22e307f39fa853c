// struct perf_event_attr intake: Linux's perf_copy_attr() (size rules, tail-zero rule,
// reserved bits) and the checks that decide which attributes this kernel honours. Pure: the
// user copy goes through an AttrSource, so the host tests drive it from plain memory.
//
// Size rules (perf_copy_attr): size 0 means PERF_ATTR_SIZE_VER0 (64); a size below 64 or
// above a page, or a larger-than-known struct whose extra bytes are not all zero, is E2BIG
// and the caller writes the supported size (sizeof(struct perf_event_attr)) back into
// attr->size. Unreadable memory is EFAULT.
//
// Honoured vs refused: check_supported_attr() refuses, with EINVAL, every attribute that would
// need behaviour this kernel does not implement (inheritance, side-band records, exec hooks,
// backward rings, signals, sample fields other than the ones in supported_sample_type); the
// others either work or have no effect on software and tracepoint events in Linux either.
// docs/perf.md has the table.
#pragma once

#include "klib/Error.h"
#include "klib/Types.h"
#include <linux/perf_event.h>

namespace perf {

constexpr u32 attr_size_ver0 = PERF_ATTR_SIZE_VER0;
constexpr u32 supported_attr_size = sizeof(perf_event_attr);
constexpr u32 max_attr_size = 4096; // PAGE_SIZE

// sysctl kernel.perf_event_max_sample_rate (Linux's default).
constexpr u64 max_sample_rate = 100000;
// sysctl kernel.perf_event_max_stack: the default of attr.sample_max_stack.
constexpr u16 default_max_stack = 127;

// The sample_type bits a record can carry here.
constexpr u64 supported_sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME
    | PERF_SAMPLE_ADDR | PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD
    | PERF_SAMPLE_READ | PERF_SAMPLE_RAW;

// Reads `size` bytes at `offset` of the user's attr (EFAULT when unreadable).
class AttrSource {
public:
    virtual ErrorOr<void> read(u64 offset, void* destination, usize size) = 0;

protected:
    ~AttrSource() = default;
};

// perf_copy_attr(). On E2BIG the caller must store supported_attr_size into the user's
// attr->size (Linux does, ignoring a fault there). The returned attr has size = the user's
// (normalised) size.
ErrorOr<perf_event_attr> copy_attr(AttrSource& source);

// The flag-word bits (the bitfield after read_format) this kernel accepts.
bool attr_flags_supported(perf_event_attr const& attr);
// Linux's perf_event_set_clock(): CLOCK_MONOTONIC, MONOTONIC_RAW, REALTIME, BOOTTIME, TAI.
bool clockid_supported(i32 clockid);

// The checks perf_event_alloc() and the PMU init would make after the type is known, plus
// ours: EOPNOTSUPP (branch stacks, aux_output), EINVAL (refused attributes, aux sizes,
// bad clockid).
ErrorOr<void> check_supported_attr(perf_event_attr const& attr);

// Bytes a read() returns for `read_format` (one event: this kernel has no groups of more
// than one), and a record's size for PERF_SAMPLE_READ.
u32 read_size(u64 read_format);

// A sampling event: sample_period (or sample_freq) != 0.
inline bool is_sampling(perf_event_attr const& attr) { return attr.sample_period != 0; }

}
