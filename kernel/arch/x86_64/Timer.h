// PIT/TSC/RTC timekeeping (see Timer.cpp).
#pragma once
#include "klib/Types.h"

void timer_initialize();
u64 arch_tsc_khz();
