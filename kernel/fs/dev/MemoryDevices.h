// The memory character devices (major 1): null (3), zero (5), full (7), random (8) and
// urandom (9). Stateless Files; random and urandom read the kernel generator (lib/Random.h),
// and writes to them are accepted and discarded (no entropy accounting).
#pragma once

#include "klib/Error.h"

ErrorOr<void> register_memory_devices();
