// Kernel clocks. CLOCK_MONOTONIC counts from boot (TSC calibrated against the PIT);
// CLOCK_REALTIME is monotonic plus the RTC wall time read at boot. jiffies count timer ticks
// at TICK_HZ. All readable from any context.
#pragma once

#include "klib/Types.h"

constexpr u64 TICK_HZ = 1000;
constexpr u64 NS_PER_SEC = 1000000000ULL;

u64 clock_monotonic_ns();
u64 clock_realtime_ns();
u64 clock_boottime_ns(); // == monotonic: there is no suspend
u64 jiffies();
