// Readiness notification for poll/ppoll/epoll: one global generation counter and one global
// WaitQueue. File::notify_readiness_changed() bumps the generation and wakes every waiter;
// a waiter samples the generation, checks its files, and sleeps until the generation moves
// (so a notification between the check and the sleep is never lost). Simple and correct;
// waiters re-check all their files on any notification.
#pragma once

#include "klib/Error.h"

u64 poll_generation();
// Any context (interrupt handlers included).
void poll_notify_all();
// Sleeps until the generation differs from `seen`. deadline_ns: CLOCK_MONOTONIC, 0 = none.
// EINTR on a signal, ETIMEDOUT at the deadline.
ErrorOr<void> poll_wait_for_change(u64 seen, u64 deadline_ns);
