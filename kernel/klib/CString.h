// C memory/string primitives. The kernel provides them (klib/CString.cpp); host builds take
// them from the C library. Prefer Span/StringView in new code; these exist for the bottom layer.
#pragma once

#include "Types.h"

#ifdef KLIB_HOSTED
#    include <string.h>
#else
extern "C" {
void* memcpy(void* dest, void const* src, usize n);
void* memmove(void* dest, void const* src, usize n);
void* memset(void* dest, int c, usize n);
int memcmp(void const* a, void const* b, usize n);
usize strlen(char const* s);
usize strnlen(char const* s, usize max);
int strcmp(char const* a, char const* b);
int strncmp(char const* a, char const* b, usize n);
char* strchr(char const* s, int c);
}
#endif
