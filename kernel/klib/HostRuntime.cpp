// Host-side runtime hooks for klib (tests and host tools): a VERIFY failure aborts.
#include "Assert.h"
#include <stdio.h>
#include <stdlib.h>

void klib_panic(char const* file, int line, char const* message)
{
    fprintf(stderr, "klib panic at %s:%d: %s\n", file, line, message);
    abort();
}
