// Process and thread ids: allocated cyclically from 1..pid_max (32768) like Linux, never 0,
// never reused while in use. Interrupt-safe.
#pragma once

#include "klib/Error.h"

constexpr i32 pid_max = 32768;

ErrorOr<i32> allocate_pid();
void release_pid(i32 pid);
