// Host stand-ins for the few core services the pure file-system code calls: user copies
// (plain memcpy: "user" pointers are host pointers), clocks, the wait queue (never sleeps:
// host tests are single-threaded), the console, and the ramfs page allocator (C heap).
#include "console/Console.h"
#include "fs/RamPages.h"
#include "klib/Atomic.h"
#include "mm/UserBuffer.h"
#include "sched/WaitQueue.h"
#include "time/Clock.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ErrorOr<void> copy_from_user(void* dest, u64 user_src, usize n)
{
    if (!user_src && n)
        return Error(EFAULT);
    memcpy(dest, reinterpret_cast<void const*>(user_src), n);
    return {};
}

ErrorOr<void> copy_to_user(u64 user_dest, void const* src, usize n)
{
    if (!user_dest && n)
        return Error(EFAULT);
    memcpy(reinterpret_cast<void*>(user_dest), src, n);
    return {};
}

ErrorOr<void> clear_user(u64 user_dest, usize n)
{
    if (!user_dest && n)
        return Error(EFAULT);
    memset(reinterpret_cast<void*>(user_dest), 0, n);
    return {};
}

ErrorOr<String> copy_string_from_user(u64 user_string, usize max_length)
{
    if (!user_string)
        return Error(EFAULT);
    auto const* s = reinterpret_cast<char const*>(user_string);
    usize length = strnlen(s, max_length + 1);
    if (length > max_length)
        return Error(ENAMETOOLONG);
    return String::try_create(StringView(s, length));
}

namespace {
u64 fake_clock_ns = 1700000000ULL * 1000000000ULL;
}
u64 clock_monotonic_ns() { return fake_clock_ns - 1700000000ULL * 1000000000ULL; }
u64 clock_realtime_ns() { return fake_clock_ns += 1000; }
u64 clock_boottime_ns() { return clock_monotonic_ns(); }
u64 jiffies() { return clock_monotonic_ns() / 1000000; }

void WaitQueue::wake_all() { }
void WaitQueue::wake_one() { }
bool WaitQueue::has_waiters() const { return false; }
u64 WaitQueue::prepare_to_wait(Waiter&) { return 0; }
ErrorOr<void> WaitQueue::sleep(Waiter&, u64) { return Error(ETIMEDOUT); }
void WaitQueue::finish_wait(Waiter&, u64) { }

// Kernel log lines are expected in error-path tests; show them only when asked.
void kprintf(char const* fmt, ...)
{
    if (!getenv("FS_TESTS_VERBOSE"))
        return;
    va_list args;
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
}

void console_write(char const* chars, usize length) { fwrite(chars, 1, length, stdout); }

namespace {
Atomic<u64> host_pages { 0 };
}
u8* ram_page_allocate()
{
    host_pages.fetch_add(1);
    return static_cast<u8*>(calloc(1, ram_page_size));
}
void ram_page_free(u8* page)
{
    if (!page)
        return;
    host_pages.fetch_sub(1);
    free(page);
}
u64 ram_pages_in_use() { return host_pages.load(); }
