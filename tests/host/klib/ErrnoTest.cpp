// klib/Errno.h (kernel build) must define Linux's errno values; a Linux host C library is the oracle.
#include <catch2/catch.hpp>
#include <errno.h>
#include <string.h>
struct ErrnoEntry { char const* name; int value; };
extern ErrnoEntry const kernel_errno_table[];
static ErrnoEntry const host_errno_table[] = {
#define ERRNO_NAME(name) { #name, name },
#include "ErrnoNames.def"
#undef ERRNO_NAME
};
TEST_CASE("kernel errno values equal Linux values", "[klib]")
{
    size_t i = 0;
    for (; kernel_errno_table[i].name; ++i) {
        INFO(kernel_errno_table[i].name);
        REQUIRE(i < sizeof(host_errno_table) / sizeof(host_errno_table[0]));
        CHECK(strcmp(kernel_errno_table[i].name, host_errno_table[i].name) == 0);
        CHECK(kernel_errno_table[i].value == host_errno_table[i].value);
    }
    CHECK(i == sizeof(host_errno_table) / sizeof(host_errno_table[0]));
    CHECK(i > 120);
}
