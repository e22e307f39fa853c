// Bob Jenkins' lookup3 hash exactly as Linux's include/linux/jhash.h computes it. Hash maps,
// bloom filters and stack-trace maps use it so that, with BPF_F_ZERO_SEED, bucket placement
// and iteration order equal Linux's. Pure functions; no state, no locking.
#pragma once

#include "klib/Types.h"

namespace bpf {

constexpr u32 jhash_initval = 0xdeadbeef;

constexpr u32 rol32(u32 word, unsigned shift) { return (word << (shift & 31)) | (word >> ((-shift) & 31)); }

constexpr void jhash_mix(u32& a, u32& b, u32& c)
{
    a -= c; a ^= rol32(c, 4); c += b;
    b -= a; b ^= rol32(a, 6); a += c;
    c -= b; c ^= rol32(b, 8); b += a;
    a -= c; a ^= rol32(c, 16); c += b;
    b -= a; b ^= rol32(a, 19); a += c;
    c -= b; c ^= rol32(b, 4); b += a;
}

constexpr void jhash_final(u32& a, u32& b, u32& c)
{
    c ^= b; c -= rol32(b, 14);
    a ^= c; a -= rol32(c, 11);
    b ^= a; b -= rol32(a, 25);
    c ^= b; c -= rol32(b, 16);
    a ^= c; a -= rol32(c, 4);
    b ^= a; b -= rol32(a, 14);
    c ^= b; c -= rol32(b, 24);
}

inline u32 load_u32_unaligned(u8 const* p)
{
    return static_cast<u32>(p[0]) | static_cast<u32>(p[1]) << 8 | static_cast<u32>(p[2]) << 16 | static_cast<u32>(p[3]) << 24;
}

inline u32 jhash(void const* key, u32 length, u32 initval)
{
    auto const* k = static_cast<u8 const*>(key);
    u32 a, b, c;
    a = b = c = jhash_initval + length + initval;
    while (length > 12) {
        a += load_u32_unaligned(k);
        b += load_u32_unaligned(k + 4);
        c += load_u32_unaligned(k + 8);
        jhash_mix(a, b, c);
        length -= 12;
        k += 12;
    }
    switch (length) {
    case 12: c += static_cast<u32>(k[11]) << 24; [[fallthrough]];
    case 11: c += static_cast<u32>(k[10]) << 16; [[fallthrough]];
    case 10: c += static_cast<u32>(k[9]) << 8; [[fallthrough]];
    case 9: c += k[8]; [[fallthrough]];
    case 8: b += static_cast<u32>(k[7]) << 24; [[fallthrough]];
    case 7: b += static_cast<u32>(k[6]) << 16; [[fallthrough]];
    case 6: b += static_cast<u32>(k[5]) << 8; [[fallthrough]];
    case 5: b += k[4]; [[fallthrough]];
    case 4: a += static_cast<u32>(k[3]) << 24; [[fallthrough]];
    case 3: a += static_cast<u32>(k[2]) << 16; [[fallthrough]];
    case 2: a += static_cast<u32>(k[1]) << 8; [[fallthrough]];
    case 1:
        a += k[0];
        jhash_final(a, b, c);
        break;
    default:
        break;
    }
    return c;
}

// `length` counts u32 words. Reads through memcpy-free loads so unaligned keys are fine.
inline u32 jhash2(void const* key, u32 length, u32 initval)
{
    auto const* k = static_cast<u8 const*>(key);
    u32 a, b, c;
    a = b = c = jhash_initval + (length << 2) + initval;
    while (length > 3) {
        a += load_u32_unaligned(k);
        b += load_u32_unaligned(k + 4);
        c += load_u32_unaligned(k + 8);
        jhash_mix(a, b, c);
        length -= 3;
        k += 12;
    }
    switch (length) {
    case 3: c += load_u32_unaligned(k + 8); [[fallthrough]];
    case 2: b += load_u32_unaligned(k + 4); [[fallthrough]];
    case 1:
        a += load_u32_unaligned(k);
        jhash_final(a, b, c);
        break;
    default:
        break;
    }
    return c;
}

constexpr u32 round_up_pow2(u32 v)
{
    if (v <= 1)
        return 1;
    return 1u << (32 - __builtin_clz(v - 1));
}

}
