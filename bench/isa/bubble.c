/* Bubble sort of 64 u32 copied from the buffer's start into bytes 1024..1279; returns a
 * position-weighted sum of the sorted array. */
#include "bench.h"

#define COUNT 64

u64 entry(u8 *buf)
{
    u32 *in = (u32 *)buf;
    u32 *a = (u32 *)(buf + 1024);
    for (u32 i = 0; i < COUNT; i++)
        a[i] = in[i] * 2654435761u;
    for (u32 i = 0; i < COUNT - 1; i++) {
        for (u32 j = 0; j < COUNT - 1 - i; j++) {
            u32 x = a[j], y = a[j + 1];
            if (x > y) {
                a[j] = y;
                a[j + 1] = x;
            }
        }
    }
    u64 sum = 0;
    for (u32 i = 0; i < COUNT; i++)
        sum += (u64)a[i] * (i + 1);
    return sum;
}
