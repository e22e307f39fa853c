/* time: clocks and sleeping through the raw syscalls (no vDSO): clock_gettime
 * (CLOCK_MONOTONIC advances and never goes back, CLOCK_REALTIME is a sane date),
 * gettimeofday, nanosleep and clock_nanosleep (relative and TIMER_ABSTIME, sleeping at least
 * the requested time, EINTR with the remaining time), sched_yield, and EINVAL/EFAULT errors. */
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"

static long long ns_of(const struct timespec *ts)
{
    return (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static long long mono_ns(void)
{
    struct timespec ts;
    SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return ns_of(&ts);
}

static void test_clock_gettime(void)
{
    struct timespec a, b;
    CHECK_EQ(0, SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, &a), "clock_gettime(CLOCK_MONOTONIC)");
    CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000L, "tv_nsec is in [0, 1e9) (%ld)", a.tv_nsec);
    int backwards = 0;
    long long prev = ns_of(&a);
    for (int i = 0; i < 1000; i++) {
        SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
        if (ns_of(&b) < prev)
            backwards = 1;
        prev = ns_of(&b);
    }
    CHECK(!backwards, "CLOCK_MONOTONIC never goes backwards over 1000 reads");

    struct timespec rt;
    CHECK_EQ(0, SYS2(SYS_clock_gettime, CLOCK_REALTIME, &rt), "clock_gettime(CLOCK_REALTIME)");
    CHECK(rt.tv_sec > 1577836800L && rt.tv_sec < 4102444800L, "CLOCK_REALTIME is between 2020 and 2100 (%ld)", (long)rt.tv_sec);
    CHECK(rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000L, "CLOCK_REALTIME tv_nsec is in range");
    CHECK_ERR(EINVAL, SYS2(SYS_clock_gettime, 1000, &rt), "clock_gettime of an unknown clock");
    CHECK_ERR(EFAULT, SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, tap_unmapped_address()), "clock_gettime into unmapped memory");
}

static void test_gettimeofday(void)
{
    struct timeval tv;
    struct timespec rt;
    SYS2(SYS_clock_gettime, CLOCK_REALTIME, &rt);
    CHECK_EQ(0, SYS2(SYS_gettimeofday, &tv, NULL), "gettimeofday");
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "tv_usec is in [0, 1e6) (%ld)", (long)tv.tv_usec);
    CHECK(tv.tv_sec >= rt.tv_sec && tv.tv_sec <= rt.tv_sec + 2, "gettimeofday agrees with CLOCK_REALTIME (%ld vs %ld)",
          (long)tv.tv_sec, (long)rt.tv_sec);
    CHECK_EQ(0, SYS2(SYS_gettimeofday, NULL, NULL), "gettimeofday(NULL, NULL)");
    CHECK_ERR(EFAULT, SYS2(SYS_gettimeofday, tap_unmapped_address(), NULL), "gettimeofday into unmapped memory");
}

static void test_nanosleep(void)
{
    struct timespec req = {0, 30 * 1000 * 1000};
    long long t0 = mono_ns();
    CHECK_EQ(0, SYS2(SYS_nanosleep, &req, NULL), "nanosleep 30 ms");
    long long slept = mono_ns() - t0;
    CHECK(slept >= 30000000LL, "nanosleep slept at least 30 ms (%lld us)", slept / 1000);
    struct timespec zero = {0, 0};
    CHECK_EQ(0, SYS2(SYS_nanosleep, &zero, NULL), "nanosleep of zero returns 0");
    struct timespec bad = {0, 1000000000L};
    CHECK_ERR(EINVAL, SYS2(SYS_nanosleep, &bad, NULL), "nanosleep with tv_nsec = 1e9");
    struct timespec negative = {-1, 0};
    CHECK_ERR(EINVAL, SYS2(SYS_nanosleep, &negative, NULL), "nanosleep with a negative time");
    CHECK_ERR(EFAULT, SYS2(SYS_nanosleep, tap_unmapped_address(), NULL), "nanosleep from unmapped memory");
}

static void test_clock_nanosleep(void)
{
    struct timespec req = {0, 20 * 1000 * 1000};
    long long t0 = mono_ns();
    CHECK_EQ(0, SYS4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL), "clock_nanosleep(CLOCK_MONOTONIC, relative 20 ms)");
    CHECK(mono_ns() - t0 >= 20000000LL, "slept at least 20 ms");

    struct timespec deadline;
    SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 25 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    CHECK_EQ(0, SYS4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL),
             "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, now + 25 ms)");
    CHECK(mono_ns() >= ns_of(&deadline), "an absolute sleep returns only after the deadline");
    struct timespec past = {0, 1};
    t0 = mono_ns();
    CHECK_EQ(0, SYS4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), "an absolute deadline in the past");
    CHECK(mono_ns() - t0 < 500000000LL, "returns immediately");

    t0 = mono_ns();
    CHECK_EQ(0, SYS4(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &req, NULL), "clock_nanosleep(CLOCK_REALTIME, relative 20 ms)");
    CHECK(mono_ns() - t0 >= 20000000LL, "slept at least 20 ms");
    CHECK_ERR(EINVAL, SYS4(SYS_clock_nanosleep, 1000, 0, &req, NULL), "clock_nanosleep on an unknown clock");
    struct timespec bad = {0, -1};
    CHECK_ERR(EINVAL, SYS4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL), "clock_nanosleep with tv_nsec = -1");
    CHECK_ERR(EFAULT, SYS4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, tap_unmapped_address(), NULL),
              "clock_nanosleep from unmapped memory");
}

static void on_usr1(int sig)
{
    (void)sig;
}

static void test_interrupted_sleep(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t parent = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec d = {0, 30 * 1000 * 1000};
        nanosleep(&d, NULL);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    struct timespec req = {1, 0}, rem = {-1, -1};
    long long t0 = mono_ns();
    long r = SYS2(SYS_nanosleep, &req, &rem);
    long long slept = mono_ns() - t0;
    CHECK_ERR(EINTR, r, "a signal handler interrupts nanosleep with EINTR");
    CHECK(slept < 1000000000LL, "the sleep ended early (%lld ms)", slept / 1000000);
    long long left = ns_of(&rem);
    CHECK(left > 0 && left <= 1000000000LL - slept + 5000000LL,
          "the remaining time is written back and consistent (%lld ms left after %lld ms)", left / 1000000, slept / 1000000);
    waitpid(pid, NULL, 0);
    signal(SIGUSR1, SIG_DFL);
}

static void test_yield(void)
{
    CHECK_EQ(0, SYS0(SYS_sched_yield), "sched_yield returns 0");
    long long t0 = mono_ns();
    for (int i = 0; i < 100; i++)
        SYS0(SYS_sched_yield);
    CHECK(mono_ns() - t0 < 1000000000LL, "100 sched_yield calls with nothing else to run take < 1 s");
}

int main(void)
{
    test_clock_gettime();
    test_gettimeofday();
    test_nanosleep();
    test_clock_nanosleep();
    test_interrupted_sleep();
    test_yield();
    return tap_done();
}
