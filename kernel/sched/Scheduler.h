// The scheduler: a round-robin run queue per CPU with time slices driven by the timer tick.
#pragma once

void scheduler_timer_tick();
