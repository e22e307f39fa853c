/* A 10000-iteration bounded loop: a linear congruential generator folded into an accumulator. */
#include "bench.h"

u64 entry(u8 *buf)
{
    u64 x = buf[1], acc = 0;
    for (u32 i = 0; i < 10000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        acc ^= x >> 33;
    }
    return acc;
}
