/* bpf-to-bpf call chains: 500 iterations of a four-deep chain of small non-inlined functions. */
#include "bench.h"

NOINLINE u64 level4(u64 x) { return (x ^ (x >> 7)) * 0x9e3779b97f4a7c15ull; }
NOINLINE u64 level3(u64 x, u64 y) { return level4(x + y) + 1; }
NOINLINE u64 level2(u64 x) { return level3(x, x << 3) ^ 0x55; }
NOINLINE u64 level1(u64 x, u8 *buf) { return level2(x + buf[x & 1023]); }

u64 entry(u8 *buf)
{
    u64 acc = 0;
    for (u32 i = 0; i < 500; i++)
        acc += level1(acc + i, buf);
    return acc;
}
