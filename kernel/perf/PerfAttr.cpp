// perf_event_attr intake (see PerfAttr.h); the order of the checks is Linux 6.x's.
#include "perf/PerfAttr.h"
#include "klib/CString.h"

namespace perf {

namespace {

// Linux's x86 perf_reg_validate(): a non-empty mask of the registers x86-64 samples
// (PERF_REG_X86_AX..PERF_REG_X86_R15 without DS/ES/FS/GS).
ErrorOr<void> validate_register_mask(u64 mask)
{
    constexpr u64 x86_64_registers = (1ULL << 24) - 1;
    constexpr u64 segment_registers = (1ULL << 12) | (1ULL << 13) | (1ULL << 14) | (1ULL << 15);
    if (!mask || (mask & ~x86_64_registers) || (mask & segment_registers))
        return Error(EINVAL);
    return {};
}

// The flag word as a u64 (it is a bitfield in the UAPI struct).
u64 flag_word(perf_event_attr const& attr)
{
    u64 word;
    memcpy(&word, reinterpret_cast<u8 const*>(&attr) + offsetof(perf_event_attr, read_format) + sizeof(u64), sizeof(word));
    return word;
}

}

ErrorOr<perf_event_attr> copy_attr(AttrSource& source)
{
    perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    u32 size;
    TRY(source.read(offsetof(perf_event_attr, size), &size, sizeof(size)));
    if (size == 0)
        size = attr_size_ver0;
    if (size < attr_size_ver0 || size > max_attr_size)
        return Error(E2BIG);
    // copy_struct_from_user(): bytes past what we know must be zero.
    if (size > supported_attr_size) {
        u8 tail[64];
        for (u64 offset = supported_attr_size; offset < size;) {
            usize chunk = size - offset < sizeof(tail) ? size - offset : sizeof(tail);
            TRY(source.read(offset, tail, chunk));
            for (usize i = 0; i < chunk; ++i)
                if (tail[i])
                    return Error(E2BIG);
            offset += chunk;
        }
    }
    TRY(source.read(0, &attr, size < supported_attr_size ? size : supported_attr_size));
    attr.size = size;

    if (attr.__reserved_1 || attr.__reserved_2 || attr.__reserved_3)
        return Error(EINVAL);
    if (attr.sample_type & ~(static_cast<u64>(PERF_SAMPLE_MAX) - 1))
        return Error(EINVAL);
    if (attr.read_format & ~(static_cast<u64>(PERF_FORMAT_MAX) - 1))
        return Error(EINVAL);
    if (attr.sample_type & PERF_SAMPLE_BRANCH_STACK) {
        // perf_copy_attr's branch checks: some branch type must be asked for.
        u64 mask = attr.branch_sample_type;
        if (mask & ~(static_cast<u64>(PERF_SAMPLE_BRANCH_MAX) - 1))
            return Error(EINVAL);
        if (!(mask & ~static_cast<u64>(PERF_SAMPLE_BRANCH_PLM_ALL)))
            return Error(EINVAL);
    }
    if (attr.sample_type & PERF_SAMPLE_REGS_USER)
        TRY(validate_register_mask(attr.sample_regs_user));
    if (attr.sample_type & PERF_SAMPLE_STACK_USER) {
        if (attr.sample_stack_user >= 0xffff || (attr.sample_stack_user & 7))
            return Error(EINVAL);
    }
    if (!attr.sample_max_stack)
        attr.sample_max_stack = default_max_stack;
    if (attr.sample_type & PERF_SAMPLE_REGS_INTR)
        TRY(validate_register_mask(attr.sample_regs_intr));
    if (attr.sample_type & PERF_SAMPLE_CGROUP)
        return Error(EINVAL); // no CONFIG_CGROUP_PERF
    if ((attr.sample_type & PERF_SAMPLE_WEIGHT) && (attr.sample_type & PERF_SAMPLE_WEIGHT_STRUCT))
        return Error(EINVAL);
    if (!attr.inherit && attr.inherit_thread)
        return Error(EINVAL);
    if (attr.remove_on_exec && attr.enable_on_exec)
        return Error(EINVAL);
    if (attr.sigtrap && !attr.remove_on_exec)
        return Error(EINVAL);
    return attr;
}

bool attr_flags_supported(perf_event_attr const& attr)
{
    perf_event_attr accepted;
    memset(&accepted, 0, sizeof(accepted));
    accepted.disabled = 1;
    accepted.pinned = 1;
    accepted.exclusive = 1;
    accepted.exclude_user = 1;
    accepted.exclude_kernel = 1;
    accepted.exclude_hv = 1;
    accepted.exclude_idle = 1;
    accepted.freq = 1;
    accepted.inherit_stat = 1; // only meaningful with inherit, which is refused
    accepted.watermark = 1;
    accepted.precise_ip = 3;
    accepted.sample_id_all = 1;
    accepted.exclude_host = 1;
    accepted.exclude_guest = 1;
    accepted.exclude_callchain_kernel = 1;
    accepted.exclude_callchain_user = 1;
    accepted.use_clockid = 1;
    accepted.aux_output = 1; // EOPNOTSUPP later, as Linux
    return !(flag_word(attr) & ~flag_word(accepted));
}

bool clockid_supported(i32 clockid)
{
    switch (clockid) {
    case 0: // CLOCK_REALTIME
    case 1: // CLOCK_MONOTONIC
    case 4: // CLOCK_MONOTONIC_RAW
    case 7: // CLOCK_BOOTTIME
    case 11: // CLOCK_TAI
        return true;
    default:
        return false;
    }
}

ErrorOr<void> check_supported_attr(perf_event_attr const& attr)
{
    // The software/tracepoint PMU init (perf_swevent_init, perf_tp_event_init).
    if (attr.sample_type & PERF_SAMPLE_BRANCH_STACK)
        return Error(EOPNOTSUPP);
    // perf_event_alloc(): no PMU here has PERF_PMU_CAP_AUX_OUTPUT.
    if (attr.aux_output)
        return Error(EOPNOTSUPP);
    if (attr.use_clockid && !clockid_supported(attr.clockid))
        return Error(EINVAL);
    // perf_event_open(): an AUX sample needs an AUX group leader, which nothing here has.
    if (attr.aux_sample_size)
        return Error(EINVAL);
    if (!attr_flags_supported(attr))
        return Error(EINVAL);
    if (attr.sample_type & ~supported_sample_type)
        return Error(EINVAL);
    return {};
}

u32 read_size(u64 read_format)
{
    u32 size = 0;
    if (read_format & PERF_FORMAT_GROUP)
        size += 8; // nr
    if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
        size += 8;
    if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
        size += 8;
    size += 8; // value
    if (read_format & PERF_FORMAT_ID)
        size += 8;
    if (read_format & PERF_FORMAT_LOST)
        size += 8;
    return size;
}

}
