/* procfs: the /proc and /sys files tools and libbpf read: /proc/self and /proc/<pid>/{stat,
 * status,cmdline,maps,fd/,fdinfo/} (own process, a sleeping child, a zombie, a reaped pid),
 * /proc/cpuinfo, /proc/meminfo, /proc/uptime, the /proc directory listing, and
 * /sys/devices/system/cpu/{possible,online} ("0\n" or "0-N\n", whole content in one read). */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"

static char buf[65536];

/* Reads a whole file into buf; returns its length or -1. */
static long slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    long total = 0, n;
    while (total < (long)sizeof buf - 1 && (n = read(fd, buf + total, sizeof buf - 1 - total)) > 0)
        total += n;
    close(fd);
    buf[total] = '\0';
    return total;
}

/* Parses "pid (comm) S ppid" from a stat line. */
static int parse_stat(const char *s, int *pid, char *comm, size_t comm_size, char *state, int *ppid)
{
    const char *open_paren = strchr(s, '(');
    const char *close_paren = strrchr(s, ')');
    if (!open_paren || !close_paren || close_paren < open_paren)
        return -1;
    *pid = atoi(s);
    size_t len = (size_t)(close_paren - open_paren - 1);
    if (len >= comm_size)
        len = comm_size - 1;
    memcpy(comm, open_paren + 1, len);
    comm[len] = '\0';
    return sscanf(close_paren + 1, " %c %d", state, ppid) == 2 ? 0 : -1;
}

static const char *status_field(const char *name)
{
    static char value[256];
    size_t len = strlen(name);
    for (const char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, name, len) == 0 && line[len] == ':') {
            const char *v = line + len + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t n = strcspn(v, "\n");
            if (n >= sizeof value)
                n = sizeof value - 1;
            memcpy(value, v, n);
            value[n] = '\0';
            return value;
        }
    }
    return NULL;
}

static void test_self(int argc, char **argv)
{
    int pid, ppid;
    char comm[64], state;
    CHECK(slurp("/proc/self/stat") > 0, "read /proc/self/stat");
    CHECK(parse_stat(buf, &pid, comm, sizeof comm, &state, &ppid) == 0, "it has the \"pid (comm) state ppid\" format");
    CHECK_EQ(getpid(), pid, "/proc/self/stat pid is getpid()");
    CHECK_STR("procfs", comm, "comm is the program name");
    CHECK_EQ('R', state, "the reading process is running (R)");
    CHECK_EQ(getppid(), ppid, "ppid is getppid()");
    char mine[64];
    snprintf(mine, sizeof mine, "/proc/%d/stat", getpid());
    CHECK(slurp(mine) > 0 && atoi(buf) == getpid(), "/proc/<own pid>/stat is the same process");

    CHECK(slurp("/proc/self/status") > 0, "read /proc/self/status");
    CHECK_STR("procfs", status_field("Name"), "status Name");
    char num[32];
    snprintf(num, sizeof num, "%d", getpid());
    CHECK_STR(num, status_field("Pid"), "status Pid");
    snprintf(num, sizeof num, "%d", getppid());
    CHECK_STR(num, status_field("PPid"), "status PPid");
    const char *st = status_field("State");
    CHECK(st && st[0] == 'R', "status State starts with R (\"%s\")", st ? st : "missing");

    long n = slurp("/proc/self/cmdline");
    char expected[1024];
    long len = 0;
    for (int i = 0; i < argc && len < (long)sizeof expected - 64; i++) {
        size_t l = strlen(argv[i]) + 1;
        memcpy(expected + len, argv[i], l);
        len += (long)l;
    }
    CHECK(n == len && memcmp(buf, expected, (size_t)len) == 0, "cmdline is argv, NUL-separated and NUL-terminated (%ld bytes)", n);
}

static int maps_find(unsigned long addr, char perms[5], char *name, size_t name_size)
{
    for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        unsigned long lo, hi;
        char p[5];
        int consumed = 0;
        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s%n", &lo, &hi, p, &consumed) < 3)
            continue;
        if (addr >= lo && addr < hi) {
            memcpy(perms, p, 5);
            const char *rest = line + consumed;
            while (*rest == ' ')
                rest++;
            size_t l = strcspn(rest, "\n");
            if (l >= name_size)
                l = name_size - 1;
            memcpy(name, rest, l);
            name[l] = '\0';
            return 1;
        }
    }
    return 0;
}

static void test_maps(void)
{
    char *anon = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int local = 0;
    CHECK(slurp("/proc/self/maps") > 0, "read /proc/self/maps");
    char perms[5], name[256];
    CHECK(maps_find((unsigned long)&test_maps, perms, name, sizeof name) && strcmp(perms, "r-xp") == 0,
          "the code is in an r-xp mapping");
    CHECK(maps_find((unsigned long)buf, perms, name, sizeof name) && strcmp(perms, "rw-p") == 0,
          "static data is in an rw-p mapping");
    CHECK(maps_find((unsigned long)&local, perms, name, sizeof name) && strcmp(perms, "rw-p") == 0 &&
              strcmp(name, "[stack]") == 0,
          "a local variable is in the rw-p [stack] mapping");
    CHECK(maps_find((unsigned long)anon + 4096, perms, name, sizeof name) && strcmp(perms, "rw-p") == 0,
          "a fresh anonymous mmap is listed as rw-p");
    CHECK(maps_find((unsigned long)ro, perms, name, sizeof name) && strcmp(perms, "r--p") == 0,
          "a PROT_READ mmap is listed as r--p");
    munmap(anon, 8192);
    slurp("/proc/self/maps");
    CHECK(!maps_find((unsigned long)anon, perms, name, sizeof name), "an unmapped region disappears from maps");
    munmap(ro, 4096);
}

static void test_fds(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/procfs_%d", getpid());
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(fd, "0123456789", 10);
    lseek(fd, 7, SEEK_SET);

    DIR *d = opendir("/proc/self/fd");
    int seen0 = 0, seen1 = 0, seen2 = 0, seen_fd = 0, seen_dot = 0;
    if (CHECK(d != NULL, "open /proc/self/fd")) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                seen_dot++;
                continue;
            }
            int n = atoi(e->d_name);
            seen0 |= n == 0;
            seen1 |= n == 1;
            seen2 |= n == 2;
            seen_fd |= n == fd;
        }
        closedir(d);
    }
    CHECK(seen0 && seen1 && seen2, "/proc/self/fd lists 0, 1 and 2");
    CHECK(seen_fd, "/proc/self/fd lists the file just opened (%d)", fd);
    char link[64], target[256] = {0};
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    long n = readlink(link, target, sizeof target - 1);
    CHECK(n > 0 && strcmp(target, path) == 0, "/proc/self/fd/%d links to %s (\"%s\")", fd, path, target);

    char info[64];
    snprintf(info, sizeof info, "/proc/self/fdinfo/%d", fd);
    CHECK(slurp(info) > 0, "read %s", info);
    const char *pos = status_field("pos");
    CHECK(pos && atoi(pos) == 7, "fdinfo pos is the file offset 7 (\"%s\")", pos ? pos : "missing");
    const char *flags = status_field("flags");
    CHECK(flags && (strtol(flags, NULL, 8) & O_ACCMODE) == O_RDWR, "fdinfo flags (octal) show O_RDWR (\"%s\")",
          flags ? flags : "missing");
    close(fd);
    unlink(path);
    CHECK(slurp(info) < 0, "fdinfo of a closed fd is gone");
}

static char proc_state(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (slurp(path) <= 0)
        return 0;
    int p, pp;
    char comm[64], state = 0;
    if (parse_stat(buf, &p, comm, sizeof comm, &state, &pp) < 0)
        return '?';
    return state;
}

static void test_other_process(void)
{
    int p[2];
    pipe2(p, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        read(p[0], &c, 1);
        _exit(0);
    }
    close(p[0]);
    char state = 0;
    for (int i = 0; i < 100 && (state = proc_state(pid)) != 'S'; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    CHECK_EQ('S', state, "a child blocked in read() is sleeping (S)");
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    slurp(path);
    int cpid = 0, cppid = 0;
    char comm[64];
    parse_stat(buf, &cpid, comm, sizeof comm, &state, &cppid);
    CHECK(cpid == pid && cppid == getpid(), "its stat has its pid and our pid as ppid");
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    CHECK(slurp(path) > 0, "its cmdline is readable");

    int listed = 0;
    DIR *d = opendir("/proc");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (atoi(e->d_name) == pid)
                listed = 1;
        closedir(d);
    }
    CHECK(listed, "the /proc directory lists the child's pid");

    close(p[1]); /* the child exits but is not reaped yet */
    for (int i = 0; i < 100 && (state = proc_state(pid)) != 'Z'; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    CHECK_EQ('Z', state, "an exited, unreaped child is a zombie (Z)");
    waitpid(pid, NULL, 0);
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    CHECK(slurp(path) < 0, "a reaped child's /proc entry is gone");
}

static void test_system_files(void)
{
    CHECK(slurp("/proc/cpuinfo") > 0, "read /proc/cpuinfo");
    int processors = 0;
    for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, "processor", 9) == 0)
            processors++;
    CHECK(processors >= 1, "cpuinfo has processor entries (%d)", processors);
    CHECK(strstr(buf, "processor\t: 0\n") != NULL, "the first is \"processor\\t: 0\"");
    CHECK(strstr(buf, "vendor_id") != NULL, "cpuinfo has vendor_id");
    const char *flags = strstr(buf, "\nflags");
    CHECK(flags && strstr(flags, " fpu") && strstr(flags, " sse2"), "cpuinfo flags list fpu and sse2");

    CHECK(slurp("/proc/meminfo") > 0, "read /proc/meminfo");
    const char *total = status_field("MemTotal"), *free_kb = status_field("MemFree"),
               *avail = status_field("MemAvailable");
    CHECK(total && strstr(total, " kB") && atol(total) > 0, "MemTotal is \"N kB\" (\"%s\")", total ? total : "missing");
    long t = total ? atol(total) : 0;
    long f = free_kb ? atol(status_field("MemFree")) : -1;
    CHECK(f >= 0 && f <= t, "MemFree is between 0 and MemTotal");
    CHECK(avail != NULL, "MemAvailable is present");

    CHECK(slurp("/proc/uptime") > 0, "read /proc/uptime");
    double up = -1, idle = -1;
    char extra;
    int fields = sscanf(buf, "%lf %lf%c", &up, &idle, &extra);
    CHECK(fields == 3 && extra == '\n' && up >= 0 && idle >= 0, "/proc/uptime is \"seconds idle\\n\" (\"%.*s\")",
          (int)strcspn(buf, "\n"), buf);
    CHECK(strchr(buf, '.') && isdigit((unsigned char)strchr(buf, '.')[1]), "uptime has a fractional part");
}

/* "0\n" or "0-N\n" */
static int cpu_list_format_ok(const char *s)
{
    if (*s++ != '0')
        return 0;
    if (*s == '-') {
        s++;
        if (!isdigit((unsigned char)*s))
            return 0;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return s[0] == '\n' && s[1] == '\0';
}

static void test_sys_cpu(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (!CHECK_LIBC_OK(fd, "open %s", path))
        return;
    char data[256] = {0};
    long n = read(fd, data, sizeof data - 1);
    char more[16];
    long again = read(fd, more, sizeof more);
    close(fd);
    CHECK(n > 0 && again == 0, "%s: the whole content in one read, then EOF", path);
    CHECK(cpu_list_format_ok(data), "%s is \"0\\n\" or \"0-N\\n\" (\"%.*s\")", path, (int)strcspn(data, "\n"), data);
}

int main(int argc, char **argv)
{
    test_self(argc, argv);
    test_maps();
    test_fds();
    test_other_process();
    test_system_files();
    test_sys_cpu("/sys/devices/system/cpu/possible");
    test_sys_cpu("/sys/devices/system/cpu/online");
    return tap_done();
}
