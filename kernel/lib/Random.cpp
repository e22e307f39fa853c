// xoshiro256** generator behind a spinlock (see Random.h).
#include "lib/Random.h"
#include "klib/CString.h"
#include "klib/Spinlock.h"

namespace {

Spinlock lock;
u64 state[4];
bool seeded;

u64 rotl(u64 x, int k) { return (x << k) | (x >> (64 - k)); }

u64 read_timestamp()
{
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (static_cast<u64>(hi) << 32) | lo;
}

void seed()
{
    u64 s = read_timestamp() ^ 0x9e3779b97f4a7c15ULL;
    for (auto& word : state) {
        s += 0x9e3779b97f4a7c15ULL; // splitmix64
        u64 z = s;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        word = z ^ (z >> 31);
    }
    seeded = true;
}

u64 next()
{
    u64 result = rotl(state[1] * 5, 7) * 9;
    u64 t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return result;
}

}

u64 random_u64()
{
    SpinlockGuard guard(lock);
    if (!seeded)
        seed();
    return next() ^ read_timestamp();
}

void random_bytes(void* buffer, usize length)
{
    auto* out = static_cast<u8*>(buffer);
    while (length) {
        u64 value = random_u64();
        usize n = min<usize>(length, sizeof(value));
        memcpy(out, &value, n);
        out += n;
        length -= n;
    }
}
