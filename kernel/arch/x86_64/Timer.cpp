// Timekeeping on x86_64: the PIT (channel 0) interrupts at TICK_HZ and drives the scheduler
// tick; the TSC, calibrated against PIT channel 2 at boot, gives nanosecond clocks; the
// CMOS RTC gives the wall-clock time at boot for CLOCK_REALTIME.
#include "arch/Traps.h"
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/Pic.h"
#include "arch/x86_64/Timer.h"
#include "klib/Atomic.h"
#include "sched/Scheduler.h"
#include "time/Clock.h"

// The perf software clocks advance and sample on the tick (kernel/perf), when in the image.
__attribute__((weak)) void perf_timer_tick(Registers const& regs);

namespace {

constexpr u32 PIT_HZ = 1193182;
u64 tsc_at_boot;
u64 tsc_per_ms;
u64 realtime_at_boot_ns;
Atomic<u64> tick_count;

u8 cmos_read(u8 reg)
{
    x86::outb(0x70, reg);
    return x86::inb(0x71);
}

u32 bcd(u8 value, bool is_bcd) { return is_bcd ? (value & 0x0f) + (value >> 4) * 10 : value; }

u64 days_from_civil(i64 y, unsigned m, unsigned d)
{
    y -= m <= 2;
    i64 era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = static_cast<unsigned>(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<u64>(era * 146097 + static_cast<i64>(doe) - 719468);
}

u64 read_rtc_unix_seconds()
{
    while (cmos_read(0x0a) & 0x80)
        ;
    u8 status_b = cmos_read(0x0b);
    bool is_bcd = !(status_b & 0x04);
    u32 second = bcd(cmos_read(0x00), is_bcd);
    u32 minute = bcd(cmos_read(0x02), is_bcd);
    u8 raw_hour = cmos_read(0x04);
    u32 hour = bcd(raw_hour & 0x7f, is_bcd);
    if (!(status_b & 0x02) && (raw_hour & 0x80))
        hour = (hour % 12) + 12;
    u32 day = bcd(cmos_read(0x07), is_bcd);
    u32 month = bcd(cmos_read(0x08), is_bcd);
    u32 year = bcd(cmos_read(0x09), is_bcd) + 2000;
    return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

void calibrate_tsc()
{
    // PIT channel 2, one-shot for 10 ms, gate via port 0x61.
    constexpr u32 ms = 10;
    u16 count = static_cast<u16>(PIT_HZ * ms / 1000);
    x86::outb(0x61, (x86::inb(0x61) & ~0x02) | 0x01);
    x86::outb(0x43, 0xB0);
    x86::outb(0x42, count & 0xff);
    x86::outb(0x42, count >> 8);
    u64 start = x86::rdtsc();
    while (!(x86::inb(0x61) & 0x20))
        ;
    u64 end = x86::rdtsc();
    tsc_per_ms = (end - start) / ms;
    if (tsc_per_ms == 0)
        tsc_per_ms = 1000000;
}

void timer_irq(Registers& regs)
{
    tick_count.fetch_add(1, MemoryOrder::Relaxed);
    scheduler_timer_tick();
    if (perf_timer_tick)
        perf_timer_tick(regs);
}

}

void timer_initialize()
{
    calibrate_tsc();
    tsc_at_boot = x86::rdtsc();
    realtime_at_boot_ns = read_rtc_unix_seconds() * NS_PER_SEC;
    u16 divisor = static_cast<u16>(PIT_HZ / TICK_HZ);
    x86::outb(0x43, 0x34); // channel 0, lobyte/hibyte, rate generator
    x86::outb(0x40, divisor & 0xff);
    x86::outb(0x40, divisor >> 8);
    register_irq_handler(0, timer_irq);
    pic_unmask(0);
}

u64 clock_monotonic_ns()
{
    u64 delta = x86::rdtsc() - tsc_at_boot;
    // delta * 1e6 / tsc_per_ms without overflow for long uptimes.
    return (delta / tsc_per_ms) * 1000000ULL + (delta % tsc_per_ms) * 1000000ULL / tsc_per_ms;
}

u64 clock_boottime_ns() { return clock_monotonic_ns(); }
u64 clock_realtime_ns() { return realtime_at_boot_ns + clock_monotonic_ns(); }
u64 jiffies() { return tick_count.load(MemoryOrder::Relaxed); }
u64 arch_tsc_khz() { return tsc_per_ms; }
