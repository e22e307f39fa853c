/* Jenkins' lookup3 hash (the kernel's jhash) over 64 keys of 16 bytes (four u32 words each). */
#include "bench.h"

static inline u32 rol32(u32 word, u32 shift) { return (word << shift) | (word >> (32 - shift)); }

#define JHASH_MIX(a, b, c)                 \
    {                                      \
        a -= c; a ^= rol32(c, 4);  c += b; \
        b -= a; b ^= rol32(a, 6);  a += c; \
        c -= b; c ^= rol32(b, 8);  b += a; \
        a -= c; a ^= rol32(c, 16); c += b; \
        b -= a; b ^= rol32(a, 19); a += c; \
        c -= b; c ^= rol32(b, 4);  b += a; \
    }

#define JHASH_FINAL(a, b, c)        \
    {                               \
        c ^= b; c -= rol32(b, 14);  \
        a ^= c; a -= rol32(c, 11);  \
        b ^= a; b -= rol32(a, 25);  \
        c ^= b; c -= rol32(b, 16);  \
        a ^= c; a -= rol32(c, 4);   \
        b ^= a; b -= rol32(a, 14);  \
        c ^= b; c -= rol32(b, 24);  \
    }

static inline u32 word_at(u8 *buf, u32 offset)
{
    return buf[offset] | (u32)buf[offset + 1] << 8 | (u32)buf[offset + 2] << 16 | (u32)buf[offset + 3] << 24;
}

u64 entry(u8 *buf)
{
    u64 acc = 0;
    for (u32 k = 0; k < 64; k++) {
        u32 base = k * 16;
        u32 a = 0xdeadbeef + 16 + k, b = a, c = a;
        a += word_at(buf, base);
        b += word_at(buf, base + 4);
        c += word_at(buf, base + 8);
        JHASH_MIX(a, b, c);
        a += word_at(buf, base + 12);
        JHASH_FINAL(a, b, c);
        acc = acc * 31 + c;
    }
    return acc;
}
