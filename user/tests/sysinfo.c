/* sysinfo: system-wide queries: uname (Linux, x86_64, an N.N.N release), unknown syscall
 * numbers (ENOSYS), getrandom, getrlimit/prlimit64 (read, lower, read back, errors),
 * sched_getaffinity and sysinfo (cross-checked with /proc/meminfo and /proc/uptime). */
#include <ctype.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include "tap.h"

/* "N.N.N" followed by nothing or a non-digit. */
static int release_format_ok(const char *r)
{
    for (int part = 0; part < 3; part++) {
        if (!isdigit((unsigned char)*r))
            return 0;
        while (isdigit((unsigned char)*r))
            r++;
        if (part < 2 && *r++ != '.')
            return 0;
    }
    return !isdigit((unsigned char)*r);
}

static void test_uname(void)
{
    struct utsname u;
    memset(&u, 0, sizeof u);
    CHECK_EQ(0, SYS1(SYS_uname, &u), "uname");
    CHECK_STR("Linux", u.sysname, "sysname is Linux");
    CHECK_STR("x86_64", u.machine, "machine is x86_64");
    CHECK(release_format_ok(u.release), "release \"%s\" starts with N.N.N", u.release);
    CHECK(u.nodename[0] != '\0', "nodename is not empty (\"%s\")", u.nodename);
    CHECK(u.version[0] != '\0', "version is not empty");
    CHECK_ERR(EFAULT, SYS1(SYS_uname, tap_unmapped_address()), "uname into unmapped memory");
}

static void test_enosys(void)
{
    CHECK_ERR(ENOSYS, SYS0(1000), "syscall 1000 does not exist");
    CHECK_ERR(ENOSYS, SYS0(-1), "syscall -1 does not exist");
    CHECK_ERR(ENOSYS, SYS0(0x10000000), "a huge syscall number does not exist");
}

static void test_getrandom(void)
{
    unsigned char a[64], b[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_EQ(64, SYS3(SYS_getrandom, a, sizeof a, 0), "getrandom 64 bytes");
    CHECK_EQ(64, SYS3(SYS_getrandom, b, sizeof b, 1 /* GRND_NONBLOCK */), "getrandom with GRND_NONBLOCK");
    CHECK(memcmp(a, b, sizeof a) != 0, "two getrandom results differ");
    static unsigned char big[4096];
    CHECK_EQ(sizeof big, SYS3(SYS_getrandom, big, sizeof big, 0), "getrandom 4096 bytes");
    int seen[256] = {0}, distinct = 0;
    for (size_t i = 0; i < sizeof big; i++)
        if (!seen[big[i]]++)
            distinct++;
    CHECK(distinct > 200, "4096 random bytes take many values (%d distinct)", distinct);
    CHECK_EQ(0, SYS3(SYS_getrandom, a, 0, 0), "getrandom of 0 bytes");
    CHECK_ERR(EINVAL, SYS3(SYS_getrandom, a, sizeof a, 0x100), "getrandom with an unknown flag");
    CHECK_ERR(EFAULT, SYS3(SYS_getrandom, tap_unmapped_address(), 16, 0), "getrandom into unmapped memory");
}

static void test_rlimits(void)
{
    struct rlimit rl;
    CHECK_EQ(0, SYS2(SYS_getrlimit, RLIMIT_NOFILE, &rl), "getrlimit(RLIMIT_NOFILE)");
    CHECK(rl.rlim_cur >= 64 && rl.rlim_cur <= rl.rlim_max, "NOFILE soft limit %lu is sane and <= hard %lu",
          (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
    struct rlimit stack;
    CHECK_EQ(0, SYS2(SYS_getrlimit, RLIMIT_STACK, &stack), "getrlimit(RLIMIT_STACK)");
    CHECK(stack.rlim_cur >= 128 * 1024, "the stack limit is at least 128 KiB");
    CHECK_ERR(EINVAL, SYS2(SYS_getrlimit, 100, &rl), "getrlimit of an unknown resource");
    CHECK_ERR(EFAULT, SYS2(SYS_getrlimit, RLIMIT_NOFILE, tap_unmapped_address()), "getrlimit into unmapped memory");

    struct rlimit old;
    CHECK_EQ(0, SYS4(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old), "prlimit64(0, NOFILE, NULL, &old)");
    CHECK(old.rlim_cur == rl.rlim_cur && old.rlim_max == rl.rlim_max, "prlimit64 agrees with getrlimit");
    struct rlimit lower = {64, old.rlim_max}, now;
    CHECK_EQ(0, SYS4(SYS_prlimit64, 0, RLIMIT_NOFILE, &lower, NULL), "prlimit64 lowers the NOFILE soft limit to 64");
    SYS2(SYS_getrlimit, RLIMIT_NOFILE, &now);
    CHECK_EQ(64, now.rlim_cur, "getrlimit sees the new soft limit");
    CHECK_ERR(EBADF, SYS2(SYS_dup2, 0, 64), "dup2 to fd 64 is refused under a soft limit of 64");
    struct rlimit inverted = {old.rlim_max, 10};
    CHECK_ERR(EINVAL, SYS4(SYS_prlimit64, 0, RLIMIT_NOFILE, &inverted, NULL), "prlimit64 with soft > hard");
    CHECK_EQ(0, SYS4(SYS_prlimit64, getpid(), RLIMIT_NOFILE, &old, NULL), "prlimit64(getpid()) restores the limit");
    SYS2(SYS_getrlimit, RLIMIT_NOFILE, &now);
    CHECK_EQ(old.rlim_cur, now.rlim_cur, "the soft limit is back");
    CHECK_ERR(ESRCH, SYS4(SYS_prlimit64, 0x3ffffff0, RLIMIT_NOFILE, NULL, &old), "prlimit64 of a missing pid");
    CHECK_ERR(EINVAL, SYS4(SYS_prlimit64, 0, 100, NULL, &old), "prlimit64 of an unknown resource");
    CHECK_ERR(EFAULT, SYS4(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, tap_unmapped_address()), "prlimit64 into unmapped memory");
}

/* Number of CPUs listed in a /sys cpu list such as "0-3" or "0". */
static int cpus_in_list(const char *path)
{
    char buf[128] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    read(fd, buf, sizeof buf - 1);
    close(fd);
    int count = 0;
    char *p = buf;
    while (isdigit((unsigned char)*p)) {
        long lo = strtol(p, &p, 10), hi = lo;
        if (*p == '-')
            hi = strtol(p + 1, &p, 10);
        count += (int)(hi - lo + 1);
        if (*p == ',')
            p++;
    }
    return count;
}

static void test_affinity(void)
{
    unsigned long mask[16];
    memset(mask, 0, sizeof mask);
    long n = SYS3(SYS_sched_getaffinity, 0, sizeof mask, mask);
    CHECK(n >= 8 && n <= (long)sizeof mask && n % 8 == 0, "sched_getaffinity returns the mask size in bytes (%ld)", n);
    int cpus = 0;
    for (int i = 0; i < 16; i++)
        cpus += __builtin_popcountl(mask[i]);
    int online = cpus_in_list("/sys/devices/system/cpu/online");
    CHECK(cpus >= 1 && (online < 0 || cpus <= online), "the mask has 1..online CPUs (%d of %d)", cpus, online);
    CHECK_EQ(n, SYS3(SYS_sched_getaffinity, getpid(), sizeof mask, mask), "sched_getaffinity(getpid()) works too");
    CHECK_ERR(EINVAL, SYS3(SYS_sched_getaffinity, 0, 1, mask), "sched_getaffinity with a 1-byte buffer");
    CHECK_ERR(ESRCH, SYS3(SYS_sched_getaffinity, 0x3ffffff0, sizeof mask, mask), "sched_getaffinity of a missing pid");
    CHECK_ERR(EFAULT, SYS3(SYS_sched_getaffinity, 0, sizeof mask, tap_unmapped_address()), "sched_getaffinity into unmapped memory");
}

static long meminfo_kb(const char *name)
{
    static char buf[8192];
    int fd = open("/proc/meminfo", O_RDONLY);
    if (fd < 0)
        return -1;
    long n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    size_t len = strlen(name);
    for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, name, len) == 0 && line[len] == ':')
            return strtol(line + len + 1, NULL, 10);
    return -1;
}

static void test_sysinfo(void)
{
    struct sysinfo si;
    memset(&si, 0, sizeof si);
    CHECK_EQ(0, SYS1(SYS_sysinfo, &si), "sysinfo");
    CHECK(si.mem_unit >= 1, "mem_unit is at least 1");
    CHECK(si.totalram > 0 && si.freeram <= si.totalram, "0 < freeram <= totalram");
    CHECK(si.procs >= 1, "at least one process (%u)", si.procs);
    long total_kb = meminfo_kb("MemTotal");
    CHECK_EQ(total_kb, (long)((unsigned long long)si.totalram * si.mem_unit / 1024),
             "sysinfo totalram equals /proc/meminfo MemTotal");
    char up[64] = {0};
    int fd = open("/proc/uptime", O_RDONLY);
    if (fd >= 0) {
        read(fd, up, sizeof up - 1);
        close(fd);
    }
    long proc_uptime = strtol(up, NULL, 10);
    long uptime = (long)si.uptime;
    CHECK(uptime >= proc_uptime - 1 && uptime <= proc_uptime + 1,
          "sysinfo uptime (%ld) agrees with /proc/uptime (%ld)", uptime, proc_uptime);
    CHECK_ERR(EFAULT, SYS1(SYS_sysinfo, tap_unmapped_address()), "sysinfo into unmapped memory");
}

int main(void)
{
    test_uname();
    test_enosys();
    test_getrandom();
    test_rlimits();
    test_affinity();
    test_sysinfo();
    return tap_done();
}
