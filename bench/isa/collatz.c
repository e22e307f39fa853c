/* Total Collatz steps for n = 1..300 (pure ALU and branches, no memory). */
#include "bench.h"

u64 entry(u8 *buf)
{
    u64 total = buf[0] & 0; /* keeps the signature; the work does not depend on memory */
    for (u64 start = 1; start <= 300; start++) {
        u64 n = start;
        for (u32 steps = 0; steps < 200 && n != 1; steps++) {
            n = (n & 1) ? 3 * n + 1 : n >> 1;
            total++;
        }
    }
    return total;
}
