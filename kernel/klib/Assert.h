// VERIFY/VERIFY_NOT_REACHED: invariants of our own code (never for validating user input,
// which must turn into an errno). klib_panic is provided by the kernel (prints a backtrace
// and halts) or by the host runtime (abort()).
#pragma once

[[noreturn]] void klib_panic(const char* file, int line, const char* message);

#define VERIFY(expr)                                                   \
    do {                                                               \
        if (!(expr)) [[unlikely]]                                      \
            klib_panic(__FILE__, __LINE__, "VERIFY(" #expr ") failed"); \
    } while (0)
#define VERIFY_NOT_REACHED() klib_panic(__FILE__, __LINE__, "VERIFY_NOT_REACHED")
