/* Sieve of Eratosthenes below 2048 in bytes 2048..4095 of the buffer; returns the prime count. */
#include "bench.h"

#define LIMIT 2048

u64 entry(u8 *buf)
{
    u8 *flags = buf + 2048;
    for (u32 i = 0; i < LIMIT; i++)
        flags[i] = (u8)(i | 1); /* any non-zero value marks a candidate (not a memset pattern) */
    for (u32 i = 2; i < 46; i++) {
        if (!flags[i])
            continue;
        for (u32 j = i * i; j < LIMIT; j += i)
            flags[j] = 0;
    }
    u64 count = 0;
    for (u32 i = 2; i < LIMIT; i++)
        count += flags[i] != 0;
    return count;
}
