// printf-style formatting without a C library: %d %i %u %x %X %o %c %s %p %%, with flags
// '-', '0', ' ', '+', width, precision (also '*'), and length modifiers hh h l ll z t j.
// Output is always NUL-terminated when size > 0; the return value is the length the full
// output would have (like C's vsnprintf).
#pragma once

#include "Types.h"
#include <stdarg.h>

namespace klib {

int vformat(char* buffer, usize size, char const* fmt, va_list args);
int format(char* buffer, usize size, char const* fmt, ...) __attribute__((format(printf, 3, 4)));

// Streams formatted output to a sink callback in chunks (used by console printing).
using FormatSink = void (*)(void* context, char const* chars, usize length);
int vformat_to_sink(FormatSink sink, void* context, char const* fmt, va_list args);

}
