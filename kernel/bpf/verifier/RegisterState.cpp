// RegisterState operations (see RegisterState.h). The bound propagation follows Linux's
// reg_bounds_sync() family in kernel/bpf/verifier.c; each step only ever intersects facts that
// hold for every concrete value, so it can tighten but never exclude a possible value.
#include "bpf/verifier/RegisterState.h"
#include "bpf/verifier/MapDescriptor.h"

namespace bpf::verifier {

namespace {

constexpr i64 s64_min = INT64_MIN;
constexpr i64 s64_max = INT64_MAX;
constexpr u64 u64_max = UINT64_MAX;
constexpr i32 s32_min_c = INT32_MIN;
constexpr i32 s32_max_c = INT32_MAX;
constexpr u32 u32_max_c = UINT32_MAX;

}

RegisterState RegisterState::unknown_scalar()
{
    RegisterState reg;
    reg.type = RegType::Scalar;
    reg.var_off = Tnum::unknown();
    reg.mark_unbounded();
    return reg;
}

RegisterState RegisterState::known_scalar(u64 value)
{
    RegisterState reg;
    reg.type = RegType::Scalar;
    reg.mark_known(value);
    return reg;
}

RegisterState RegisterState::pointer(RegType type, u8 flags)
{
    RegisterState reg;
    reg.type = type;
    reg.flags = flags;
    reg.mark_known(0);
    return reg;
}

bool RegisterState::is_known_const(bool is_32) const
{
    if (type != RegType::Scalar)
        return false;
    if (is_32)
        return var_off.subreg().is_const() && s32_min == s32_max && u32_min == u32_max;
    return var_off.is_const() && smin == smax && umin == umax;
}

bool RegisterState::not_null() const
{
    if (maybe_null())
        return false;
    switch (type) {
    case RegType::PtrToCtx:
    case RegType::ConstPtrToMap:
    case RegType::PtrToMapValue:
    case RegType::PtrToMapKey:
    case RegType::PtrToStack:
    case RegType::PtrToPacket:
    case RegType::PtrToPacketMeta:
    case RegType::PtrToMem:
    case RegType::PtrToFunc:
        return true;
    default:
        return false;
    }
}

void RegisterState::mark_known(u64 value)
{
    var_off = Tnum::constant(value);
    smin = smax = static_cast<i64>(value);
    umin = umax = value;
    s32_min = s32_max = static_cast<i32>(value);
    u32_min = u32_max = static_cast<u32>(value);
}

void RegisterState::mark_known32(u32 value)
{
    var_off = var_off.with_const_subreg(value);
    s32_min = s32_max = static_cast<i32>(value);
    u32_min = u32_max = value;
}

void RegisterState::mark_unbounded64()
{
    smin = s64_min;
    smax = s64_max;
    umin = 0;
    umax = u64_max;
}

void RegisterState::mark_unbounded32()
{
    s32_min = s32_min_c;
    s32_max = s32_max_c;
    u32_min = 0;
    u32_max = u32_max_c;
}

void RegisterState::mark_unbounded()
{
    mark_unbounded64();
    mark_unbounded32();
}

// Bounds implied by the known bits.
void RegisterState::update_bounds()
{
    Tnum sub = var_off.subreg();
    s32_min = max(s32_min, static_cast<i32>(static_cast<u32>(sub.value | (sub.mask & 0x80000000u))));
    s32_max = min(s32_max, static_cast<i32>(static_cast<u32>(sub.value | (sub.mask & 0x7fffffffu))));
    u32_min = max(u32_min, static_cast<u32>(sub.value));
    u32_max = min(u32_max, static_cast<u32>(sub.value | sub.mask));

    smin = max(smin, static_cast<i64>(var_off.value | (var_off.mask & (1ull << 63))));
    smax = min(smax, static_cast<i64>(var_off.value | (var_off.mask & ~(1ull << 63))));
    umin = max(umin, var_off.value);
    umax = min(umax, var_off.value | var_off.mask);
}

namespace {

void deduce32(RegisterState& r)
{
    // 64-bit ranges whose upper halves agree describe a contiguous low half.
    if ((r.umin >> 32) == (r.umax >> 32)) {
        r.u32_min = max(r.u32_min, static_cast<u32>(r.umin));
        r.u32_max = min(r.u32_max, static_cast<u32>(r.umax));
        if (static_cast<i32>(r.umin) <= static_cast<i32>(r.umax)) {
            r.s32_min = max(r.s32_min, static_cast<i32>(r.umin));
            r.s32_max = min(r.s32_max, static_cast<i32>(r.umax));
        }
    }
    if ((r.smin >> 32) == (r.smax >> 32)) {
        if (static_cast<u32>(r.smin) <= static_cast<u32>(r.smax)) {
            r.u32_min = max(r.u32_min, static_cast<u32>(r.smin));
            r.u32_max = min(r.u32_max, static_cast<u32>(r.smax));
        }
        if (static_cast<i32>(r.smin) <= static_cast<i32>(r.smax)) {
            r.s32_min = max(r.s32_min, static_cast<i32>(r.smin));
            r.s32_max = min(r.s32_max, static_cast<i32>(r.smax));
        }
    }
    // Upper halves that are two consecutive numbers while the low halves go from negative
    // to non-negative: the low half is still one s32 range.
    if (static_cast<u32>(r.umin >> 32) + 1 == static_cast<u32>(r.umax >> 32) && static_cast<i32>(r.umin) < 0
        && static_cast<i32>(r.umax) >= 0) {
        r.s32_min = max(r.s32_min, static_cast<i32>(r.umin));
        r.s32_max = min(r.s32_max, static_cast<i32>(r.umax));
    }
    if (static_cast<u32>(static_cast<u64>(r.smin) >> 32) + 1 == static_cast<u32>(static_cast<u64>(r.smax) >> 32)
        && static_cast<i32>(r.smin) < 0 && static_cast<i32>(r.smax) >= 0) {
        r.s32_min = max(r.s32_min, static_cast<i32>(r.smin));
        r.s32_max = min(r.s32_max, static_cast<i32>(r.smax));
    }
    // A u32 range that does not cross the sign bit is also an s32 range, and vice versa.
    if (static_cast<i32>(r.u32_min) <= static_cast<i32>(r.u32_max)) {
        r.s32_min = max(r.s32_min, static_cast<i32>(r.u32_min));
        r.s32_max = min(r.s32_max, static_cast<i32>(r.u32_max));
    }
    if (static_cast<u32>(r.s32_min) <= static_cast<u32>(r.s32_max)) {
        r.u32_min = max(static_cast<u32>(r.s32_min), r.u32_min);
        r.u32_max = min(static_cast<u32>(r.s32_max), r.u32_max);
    }
}

void deduce64(RegisterState& r)
{
    if (static_cast<i64>(r.umin) <= static_cast<i64>(r.umax)) {
        r.smin = max(r.smin, static_cast<i64>(r.umin));
        r.smax = min(r.smax, static_cast<i64>(r.umax));
    }
    if (static_cast<u64>(r.smin) <= static_cast<u64>(r.smax)) {
        r.umin = max(static_cast<u64>(r.smin), r.umin);
        r.umax = min(static_cast<u64>(r.smax), r.umax);
    } else {
        // The signed range wraps around the unsigned domain: the unsigned range can only
        // overlap one of its two pieces.
        if (r.umax < static_cast<u64>(r.smin)) {
            r.smin = static_cast<i64>(r.umin);
            r.umax = min(r.umax, static_cast<u64>(r.smax));
        } else if (static_cast<u64>(r.smax) < r.umin) {
            r.smax = static_cast<i64>(r.umax);
            r.umin = max(r.umin, static_cast<u64>(r.smin));
        }
    }
}

void deduce_mixed(RegisterState& r)
{
    // The low half of every value lies in [u32_min, u32_max]: tighten the 64-bit ends.
    u64 new_umin = (r.umin & ~0xffffffffull) | r.u32_min;
    u64 new_umax = (r.umax & ~0xffffffffull) | r.u32_max;
    r.umin = max(r.umin, new_umin);
    r.umax = min(r.umax, new_umax);
    i64 new_smin = static_cast<i64>((static_cast<u64>(r.smin) & ~0xffffffffull) | r.u32_min);
    i64 new_smax = static_cast<i64>((static_cast<u64>(r.smax) & ~0xffffffffull) | r.u32_max);
    r.smin = max(r.smin, new_smin);
    r.smax = min(r.smax, new_smax);
    // A non-negative s32 range inside the s32 domain as a 64-bit range is the whole value.
    if (r.s32_min >= 0 && r.smin >= INT32_MIN && r.smax <= INT32_MAX) {
        r.smin = r.s32_min;
        r.smax = r.s32_max;
        r.umin = static_cast<u64>(r.s32_min);
        r.umax = static_cast<u64>(r.s32_max);
        r.var_off = tnum_intersect(r.var_off, Tnum::range(static_cast<u64>(r.smin), static_cast<u64>(r.smax)));
    }
}

}

void RegisterState::deduce_bounds()
{
    deduce32(*this);
    deduce64(*this);
    deduce_mixed(*this);
}

void RegisterState::bound_offset()
{
    Tnum var64 = tnum_intersect(var_off, Tnum::range(umin, umax));
    Tnum var32 = tnum_intersect(var64.subreg(), Tnum::range(u32_min, u32_max));
    var_off = tnum_or(var64.clear_subreg(), var32);
}

void RegisterState::sync_bounds()
{
    update_bounds();
    deduce_bounds();
    deduce_bounds();
    bound_offset();
    update_bounds();
}

bool RegisterState::bounds_consistent() const
{
    if (umin > umax || smin > smax || u32_min > u32_max || s32_min > s32_max)
        return false;
    if ((var_off.value & var_off.mask) != 0)
        return false;
    // The known bits must allow a value inside the unsigned ranges.
    if (var_off.umin() > umax || var_off.umax() < umin)
        return false;
    Tnum sub = var_off.subreg();
    if (sub.umin() > u32_max || sub.umax() < u32_min)
        return false;
    return true;
}

void RegisterState::zext_32_to_64()
{
    var_off = var_off.subreg();
    umin = u32_min;
    umax = u32_max;
    if (s32_min >= 0 && s32_max >= 0) {
        smin = s32_min;
        smax = s32_max;
    } else {
        smin = 0;
        smax = u32_max_c;
    }
}

void RegisterState::truncate_to(u8 size)
{
    var_off = var_off.cast(size);
    u64 mask = size >= 8 ? u64_max : (1ull << (size * 8)) - 1;
    if ((umin & ~mask) == (umax & ~mask)) {
        umin &= mask;
        umax &= mask;
    } else {
        umin = 0;
        umax = mask;
    }
    smin = static_cast<i64>(umin);
    smax = static_cast<i64>(umax);
    if (size < 4)
        mark_unbounded32();
    sync_bounds();
}

namespace {

i64 sign_extend(u64 value, u8 size)
{
    switch (size) {
    case 1:
        return static_cast<i8>(value);
    case 2:
        return static_cast<i16>(value);
    default:
        return static_cast<i32>(value);
    }
}

}

void RegisterState::sign_extend_from(u8 size)
{
    if (var_off.is_const()) {
        mark_known(static_cast<u64>(sign_extend(var_off.value, size)));
        return;
    }
    u32 bits = size * 8u;
    u64 top_max = (static_cast<u64>(smax) >> bits) << bits;
    u64 top_min = (static_cast<u64>(smin) >> bits) << bits;
    if (top_max == top_min) {
        i64 a = sign_extend(static_cast<u64>(smax), size);
        i64 b = sign_extend(static_cast<u64>(smin), size);
        i64 hi = max(a, b), lo = min(a, b);
        // Extension is monotonic inside one sign half only.
        if ((hi >= 0) == (lo >= 0)) {
            smin = lo;
            smax = hi;
            s32_min = static_cast<i32>(lo);
            s32_max = static_cast<i32>(hi);
            umin = static_cast<u64>(lo);
            umax = static_cast<u64>(hi);
            u32_min = static_cast<u32>(lo);
            u32_max = static_cast<u32>(hi);
            var_off = Tnum::range(static_cast<u64>(lo), static_cast<u64>(hi));
            return;
        }
    }
    i64 lo = size == 1 ? INT8_MIN : size == 2 ? INT16_MIN : INT32_MIN;
    i64 hi = size == 1 ? INT8_MAX : size == 2 ? INT16_MAX : INT32_MAX;
    smin = lo;
    smax = hi;
    s32_min = static_cast<i32>(lo);
    s32_max = static_cast<i32>(hi);
    umin = 0;
    umax = u64_max;
    u32_min = 0;
    u32_max = u32_max_c;
    var_off = Tnum::unknown();
}

void RegisterState::sign_extend32_from(u8 size)
{
    if (var_off.subreg().is_const()) {
        u32 v = static_cast<u32>(sign_extend(var_off.value, size));
        var_off = Tnum::constant(v);
        s32_min = s32_max = static_cast<i32>(v);
        u32_min = u32_max = v;
        return;
    }
    u32 bits = size * 8u;
    u32 top_max = (static_cast<u32>(s32_max) >> bits) << bits;
    u32 top_min = (static_cast<u32>(s32_min) >> bits) << bits;
    if (top_max == top_min) {
        i32 a = static_cast<i32>(sign_extend(static_cast<u32>(s32_max), size));
        i32 b = static_cast<i32>(sign_extend(static_cast<u32>(s32_min), size));
        i32 hi = max(a, b), lo = min(a, b);
        if ((hi >= 0) == (lo >= 0)) {
            s32_min = lo;
            s32_max = hi;
            u32_min = static_cast<u32>(lo);
            u32_max = static_cast<u32>(hi);
            var_off = Tnum::range(static_cast<u64>(static_cast<i64>(lo)), static_cast<u64>(static_cast<i64>(hi))).subreg();
            return;
        }
    }
    s32_min = size == 1 ? INT8_MIN : INT16_MIN;
    s32_max = size == 1 ? INT8_MAX : INT16_MAX;
    u32_min = 0;
    u32_max = u32_max_c;
    var_off = Tnum::unknown().subreg();
}

bool RegisterState::numerically_within(RegisterState const& old) const
{
    return old.smin <= smin && old.smax >= smax && old.umin <= umin && old.umax >= umax && old.s32_min <= s32_min
        && old.s32_max >= s32_max && old.u32_min <= u32_min && old.u32_max >= u32_max && old.var_off.contains(var_off);
}

RegisterState RegisterState::join(RegisterState const& a, RegisterState const& b)
{
    if (a.type != b.type || a.flags != b.flags)
        return not_init();
    if (a.type == RegType::NotInit)
        return a;
    if (a.type != RegType::Scalar) {
        // Pointers join only into one object with one fixed offset; packet pointers keep the
        // smaller verified range.
        if (a.off != b.off || a.map != b.map || a.frameno != b.frameno || a.ref_obj_id != b.ref_obj_id)
            return not_init();
        if (a.type != RegType::PtrToPacket && a.type != RegType::PtrToPacketMeta && a.range != b.range)
            return not_init();
    }
    RegisterState r = a;
    r.range = min(a.range, b.range);
    r.id = a.id == b.id ? a.id : 0;
    if (r.id & linked_add_const && a.off != b.off)
        r.id = 0;
    if (a.type == RegType::Scalar && !(r.id & linked_add_const))
        r.off = 0;
    r.var_off = tnum_union(a.var_off, b.var_off);
    r.smin = min(a.smin, b.smin);
    r.smax = max(a.smax, b.smax);
    r.umin = min(a.umin, b.umin);
    r.umax = max(a.umax, b.umax);
    r.s32_min = min(a.s32_min, b.s32_min);
    r.s32_max = max(a.s32_max, b.s32_max);
    r.u32_min = min(a.u32_min, b.u32_min);
    r.u32_max = max(a.u32_max, b.u32_max);
    return r;
}

// ---- printing -------------------------------------------------------------------------------

void print_unum(StringBuilder& out, u64 value)
{
    if (value <= 0xffff)
        (void)out.try_appendf("%llu", static_cast<unsigned long long>(value));
    else
        (void)out.try_appendf("0x%llx", static_cast<unsigned long long>(value));
}

void print_snum(StringBuilder& out, i64 value)
{
    if (value >= INT16_MIN && value <= INT16_MAX)
        (void)out.try_appendf("%lld", static_cast<long long>(value));
    else
        (void)out.try_appendf("0x%llx", static_cast<unsigned long long>(value));
}

char const* reg_type_name(RegType type, u8 flags)
{
    bool null = flags & reg_flag_maybe_null;
    switch (type) {
    case RegType::NotInit:
        return "?";
    case RegType::Scalar:
        return "scalar";
    case RegType::PtrToCtx:
        return "ctx";
    case RegType::ConstPtrToMap:
        return null ? "map_ptr_or_null" : "map_ptr";
    case RegType::PtrToMapValue:
        return null ? "map_value_or_null" : "map_value";
    case RegType::PtrToMapKey:
        return "map_key";
    case RegType::PtrToStack:
        return "fp";
    case RegType::PtrToPacketMeta:
        return "pkt_meta";
    case RegType::PtrToPacket:
        return "pkt";
    case RegType::PtrToPacketEnd:
        return "pkt_end";
    case RegType::PtrToMem:
        if (flags & reg_flag_ringbuf)
            return null ? "ringbuf_mem_or_null" : "ringbuf_mem";
        if (flags & reg_flag_rdonly)
            return null ? "rdonly_mem_or_null" : "rdonly_mem";
        return null ? "mem_or_null" : "mem";
    case RegType::PtrToFunc:
        return "func";
    }
    return "?";
}

namespace {

struct Separator {
    StringBuilder& out;
    char const* sep { "" };
    void item() { (void)out.try_append(StringView(sep)), sep = ","; }
};

// Linux's print_scalar_ranges(): equal values share one "a=b=value" item.
void print_ranges(RegisterState const& reg, Separator& sep)
{
    struct Item {
        char const* name;
        u64 value;
        bool omit;
    };
    auto s32_shown = [](i32 v) -> u64 {
        i64 wide = v;
        return (wide >= INT16_MIN && wide <= INT16_MAX) ? static_cast<u64>(wide) : static_cast<u64>(static_cast<u32>(v));
    };
    Item items[] = {
        { "smin", static_cast<u64>(reg.smin), reg.smin == INT64_MIN },
        { "smax", static_cast<u64>(reg.smax), reg.smax == INT64_MAX },
        { "umin", reg.umin, reg.umin == 0 },
        { "umax", reg.umax, reg.umax == UINT64_MAX },
        { "smin32", s32_shown(reg.s32_min), reg.s32_min == INT32_MIN },
        { "smax32", s32_shown(reg.s32_max), reg.s32_max == INT32_MAX },
        { "umin32", reg.u32_min, reg.u32_min == 0 },
        { "umax32", reg.u32_max, reg.u32_max == UINT32_MAX },
    };
    constexpr usize count = sizeof(items) / sizeof(items[0]);
    for (usize i = 0; i < count; ++i) {
        if (items[i].omit)
            continue;
        bool negative = items[i].name[0] == 's' && static_cast<i64>(items[i].value) < 0;
        sep.item();
        (void)sep.out.try_appendf("%s=", items[i].name);
        for (usize j = i + 2; j < count; j += 2) {
            if (items[j].omit || items[j].value != items[i].value)
                continue;
            bool negative2 = items[j].name[0] == 's' && static_cast<i64>(items[j].value) < 0;
            if (negative2 != negative)
                continue;
            items[j].omit = true;
            (void)sep.out.try_appendf("%s=", items[j].name);
        }
        if (items[i].name[0] == 's')
            print_snum(sep.out, static_cast<i64>(items[i].value));
        else
            print_unum(sep.out, items[i].value);
    }
}

}

void RegisterState::print(StringBuilder& out, u8 current_frame) const
{
    if (type == RegType::Scalar && var_off.is_const()) {
        print_snum(out, static_cast<i64>(var_off.value));
        return;
    }
    (void)out.try_append(StringView(reg_type_name(type, flags)));
    if (type == RegType::PtrToStack) {
        if (frameno != current_frame)
            (void)out.try_appendf("[%u]", frameno);
        if (var_off.is_const()) {
            print_snum(out, static_cast<i64>(var_off.value) + off);
            return;
        }
    }
    (void)out.try_append('(');
    Separator sep { out };
    if (id & ~linked_add_const) {
        sep.item();
        (void)out.try_appendf("id=%u", id & ~linked_add_const);
    }
    if (id & linked_add_const)
        (void)out.try_appendf("%+d", off);
    if (ref_obj_id) {
        sep.item();
        (void)out.try_appendf("ref_obj_id=%u", ref_obj_id);
    }
    if ((type == RegType::ConstPtrToMap || type == RegType::PtrToMapValue || type == RegType::PtrToMapKey) && map) {
        sep.item();
        (void)out.try_appendf("ks=%u,vs=%u", map->key_size(), map->value_size());
    }
    if (type != RegType::Scalar && off) {
        sep.item();
        (void)out.try_append(StringView("off="));
        print_snum(out, off);
    }
    if (is_packet_pointer()) {
        sep.item();
        (void)out.try_append(StringView("r="));
        print_unum(out, static_cast<u64>(static_cast<i64>(range)));
    }
    if (type == RegType::PtrToMem) {
        sep.item();
        (void)out.try_append(StringView("sz="));
        print_unum(out, static_cast<u64>(range));
    }
    if (var_off.is_const()) {
        if (var_off.value) {
            sep.item();
            (void)out.try_append(StringView("imm="));
            print_snum(out, static_cast<i64>(var_off.value));
        }
    } else {
        print_ranges(*this, sep);
        if (!var_off.is_unknown()) {
            char buffer[48];
            var_off.format(buffer, sizeof(buffer));
            sep.item();
            (void)out.try_appendf("var_off=%s", buffer);
        }
    }
    (void)out.try_append(')');
}

}
