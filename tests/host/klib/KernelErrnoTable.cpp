// Errno values as the kernel build defines them (klib/Errno.h without KLIB_HOSTED).
// ErrnoTest.cpp compares this table with the host C library (Linux values).
#undef KLIB_HOSTED
#include "klib/Errno.h"
struct ErrnoEntry { char const* name; int value; };
extern ErrnoEntry const kernel_errno_table[] = {
#define ERRNO_NAME(name) { #name, name },
#include "ErrnoNames.def"
#undef ERRNO_NAME
    { nullptr, 0 },
};
