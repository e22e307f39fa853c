// Kernel pseudo-random numbers (xoshiro256** seeded from the CPU's timestamp counter and
// RDRAND when present). Not cryptographic; good enough for AT_RANDOM, ids and
// bpf_get_prandom_u32. Safe from any context.
#pragma once

#include "klib/Types.h"

u64 random_u64();
void random_bytes(void* buffer, usize length);
