/* Internet checksum (RFC 1071) over the first 1500 bytes: a packet-processing inner loop. */
#include "bench.h"

u64 entry(u8 *buf)
{
    u64 sum = 0;
    for (u32 i = 0; i < 1500; i += 2)
        sum += (u64)buf[i] << 8 | buf[i + 1];
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return ~sum & 0xffff;
}
