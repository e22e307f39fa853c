/* FNV-1a (64-bit) over 64 keys of 16 bytes each, folding the hashes together. */
#include "bench.h"

u64 entry(u8 *buf)
{
    u64 acc = 0;
    for (u32 k = 0; k < 64; k++) {
        u64 h = 0xcbf29ce484222325ull;
        for (u32 j = 0; j < 16; j++) {
            h ^= buf[k * 16 + j];
            h *= 0x100000001b3ull;
        }
        acc ^= h + k;
    }
    return acc;
}
