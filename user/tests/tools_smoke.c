/* tools_smoke: the tracing tools (/usr/bin/opensnoop, execsnoop, syscount, profile,
 * funclatency, funccount, stackcount; or $EXT_EBPF_TOOLS/<tool>) run for a fixed time (-d)
 * while this test makes them something to see: opensnoop -n <our comm> shows an open of a
 * unique path by this process, execsnoop -n <unique argument> an exec with that argument,
 * syscount at least the getppid calls made, profile folded samples of this process's busy
 * loop, funclatency a usecs histogram of vfs_read over our reads of /dev/zero, funccount
 * 'vfs_*' our reads and (uprobes) exactly our calls of tools_smoke_target, stackcount our
 * reads' stack from vfs_read to the read syscall. Each tool prints its header once attached
 * and exits 0 by itself. Skipped where the tools are not installed (a host run of /tests
 * without user/tools); the probe tools' checks where the kernel lacks kprobes or uprobes. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

#include "tap.h"

static char tools_dir[256];
static char out[65536];
static size_t out_len;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Starts <tools_dir>/<argv[0]> with stdout and stderr into a pipe; returns the read end. */
static int start(char **argv, pid_t *pid)
{
    int p[2];
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tools_dir, argv[0]);
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    fflush(stdout);
    *pid = fork();
    if (*pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        execv(path, argv);
        _exit(127);
    }
    close(p[1]);
    out_len = 0;
    out[0] = '\0';
    return p[0];
}

/* Reads into `out` until `text` appears (text NULL: until EOF) or `seconds` pass. */
static int read_until(int fd, const char *text, double seconds)
{
    double end = now() + seconds;
    while (!(text && strstr(out, text))) {
        int ms = (int)((end - now()) * 1000);
        if (ms <= 0)
            return 0;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, ms) <= 0)
            continue;
        char scratch[4096];
        int full = out_len + 1 >= sizeof out;
        ssize_t n = full ? read(fd, scratch, sizeof scratch) : read(fd, out + out_len, sizeof out - 1 - out_len);
        if (n <= 0)
            return text == NULL;
        if (!full) { /* beyond 64 KiB the output is drained and dropped */
            out_len += (size_t)n;
            out[out_len] = '\0';
        }
    }
    return 1;
}

/* Reads to EOF (60 s at most) and reaps the tool; returns its wait status (-1: killed late). */
static int finish(int fd, pid_t pid)
{
    int eof = read_until(fd, NULL, 60);
    close(fd);
    if (!eof)
        kill(pid, SIGKILL);
    int status = -1;
    waitpid(pid, &status, 0);
    return eof ? status : -1;
}

/* The line of `out` containing `text` (static copy), or NULL. */
static const char *line_with(const char *text)
{
    static char line[1024];
    const char *hit = strstr(out, text);
    if (!hit)
        return NULL;
    if (*hit == '\n')
        hit++;
    const char *start = hit;
    while (start > out && start[-1] != '\n')
        start--;
    size_t len = strcspn(start, "\n");
    snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), start);
    return line;
}

static void show_output(void)
{
    const char *p = out;
    for (int i = 0; *p && i < 30; i++) {
        size_t len = strcspn(p, "\n");
        DIAG("| %.*s", (int)len, p);
        p += len + (p[len] == '\n');
    }
}

static void check_opensnoop(void)
{
    char path[96], comm[16] = "";
    snprintf(path, sizeof path, "/tmp/tools-smoke-open-%d", (int)getpid());
    prctl(PR_GET_NAME, comm);
    char *argv[] = {"opensnoop", "-d", "4", "-n", comm, NULL};
    pid_t pid;
    int fd = start(argv, &pid);
    int ready = read_until(fd, "PATH\n", 30);
    CHECK(ready, "opensnoop prints its header (PID COMM FD ERR PATH) once attached");
    int f = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (f >= 0)
        close(f);
    open(path, O_RDONLY | O_CLOEXEC); /* fd left open on purpose: a second line */
    int status = finish(fd, pid);
    CHECK_EXITED(0, status, "opensnoop -d 4 exits by itself with status 0");
    const char *line = line_with(path);
    if (!CHECK(line != NULL && strstr(line, comm), "opensnoop shows the open of %s by %s", path, comm))
        show_output();
    else
        DIAG("%s", line);
    unlink(path);
}

static void check_execsnoop(void)
{
    char arg[64], true_path[300];
    snprintf(arg, sizeof arg, "smoke-arg-%d", (int)getpid());
    const char *bin = getenv("EXT_EBPF_BIN");
    snprintf(true_path, sizeof true_path, "%s/true", bin && *bin ? bin : "/bin");
    char *argv[] = {"execsnoop", "-d", "4", "-n", arg, NULL};
    pid_t pid;
    int fd = start(argv, &pid);
    CHECK(read_until(fd, "ARGS\n", 30), "execsnoop prints its header (PCOMM PID PPID RET ARGS) once attached");
    pid_t child = fork();
    if (child == 0) {
        /* Strings on the stack: a probe read cannot fault in a page the child never touched. */
        char second[] = "second";
        char *cargv[] = {true_path, arg, second, NULL};
        execv(true_path, cargv);
        _exit(127);
    }
    int cst;
    waitpid(child, &cst, 0);
    int status = finish(fd, pid);
    CHECK_EXITED(0, status, "execsnoop -d 4 exits by itself with status 0");
    const char *line = line_with(arg);
    char want[400];
    snprintf(want, sizeof want, "%s %s second", true_path, arg);
    if (!CHECK(line && strstr(line, want) && strstr(line, "true") == line && strstr(line, "   0 "),
               "execsnoop shows \"true\" with RET 0 and ARGS \"%s\"", want))
        show_output();
    else
        DIAG("%s", line);
}

static void check_syscount(void)
{
    char *argv[] = {"syscount", "-d", "3", "-T", "60", NULL};
    pid_t pid;
    int fd = start(argv, &pid);
    CHECK(read_until(fd, "Tracing", 30), "syscount prints its header once attached");
    for (int i = 0; i < 3000; i++)
        syscall(SYS_getppid);
    int status = finish(fd, pid);
    CHECK_EXITED(0, status, "syscount -d 3 exits by itself with status 0");
    const char *line = line_with("\ngetppid ");
    unsigned long count = 0;
    if (line)
        sscanf(line, "getppid %lu", &count);
    if (!CHECK(strstr(out, "SYSCALL") && count >= 3000, "syscount's table has a getppid row with at least 3000 calls (%lu)", count))
        show_output();
}

static void check_profile(void)
{
    char comm[16] = "", want[32];
    prctl(PR_GET_NAME, comm);
    snprintf(want, sizeof want, "\n%s;", comm);
    char *argv[] = {"profile", "-F", "99", "-d", "3", "-f", NULL};
    pid_t pid;
    int fd = start(argv, &pid);
    /* Folded output has no header: give it time to attach, then spin for 2 s of CPU. */
    usleep(500000);
    double end = now() + 2;
    volatile unsigned long x = 0;
    while (now() < end)
        for (int i = 0; i < 100000; i++)
            x += (unsigned long)i;
    int status = finish(fd, pid);
    CHECK_EXITED(0, status, "profile -d 3 -f exits by itself with status 0");
    memmove(out + 1, out, out_len + 1);
    out[0] = '\n';
    unsigned long samples = 0;
    for (const char *p = strstr(out, want); p; p = strstr(p + 1, want)) {
        const char *eol = p + 1 + strcspn(p + 1, "\n");
        const char *sp = eol;
        while (sp > p && sp[-1] != ' ')
            sp--;
        samples += strtoul(sp, NULL, 10);
    }
    if (!CHECK(samples >= 20, "profile's folded stacks of %s add up to >= 20 samples (%lu)", comm, samples))
        show_output();
}

/* Why probes of `kind` ("kprobe", "uprobe") cannot be attached here, or NULL. */
static const char *probes_missing(const char *kind)
{
    static char why[160];
    char path[160];
    snprintf(path, sizeof path, "/sys/bus/event_source/devices/%s/type", kind);
    if (access(path, R_OK) == 0)
        return NULL;
    snprintf(path, sizeof path, "/sys/kernel/tracing/%s_events", kind);
    if (strcmp(kind, "kprobe") == 0 && access(path, W_OK) == 0)
        return NULL;
    snprintf(why, sizeof why, "kernel has no %s PMU%s", kind, strcmp(kind, "kprobe") == 0 ? " and no kprobe_events" : "");
    return why;
}

/* `count` reads of /dev/zero: each goes through vfs_read. */
static void read_zero(int count)
{
    int z = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    char buf[16];
    for (int i = 0; i < count && z >= 0; i++)
        if (read(z, buf, sizeof buf) < 0)
            break;
    if (z >= 0)
        close(z);
}

static void check_funclatency(void)
{
    const char *why = probes_missing("kprobe");
    if (why) {
        tap_skip(why, "funclatency -u vfs_read");
        return;
    }
    char *argv[] = {"funclatency", "-d", "2", "-u", "vfs_read", NULL};
    pid_t pid;
    int fd = start(argv, &pid);
    CHECK(read_until(fd, "Tracing vfs_read", 30), "funclatency prints its header once attached");
    read_zero(1000);
    int status = finish(fd, pid);
    CHECK_EXITED(0, status, "funclatency -d 2 exits by itself with status 0");
    const char *summary = line_with("\navg = ");
    unsigned long avg = 0, total = 0, count = 0;
    if (summary)
        sscanf(summary, "avg = %lu usecs, total: %lu usecs, count: %lu", &avg, &total, &count);
    if (!CHECK(strstr(out, "usecs               : count    distribution") && strstr(out, "|****") && count >= 1000,
               "funclatency prints a usecs histogram with stars and counts >= 1000 calls (%lu)", count))
        show_output();
    else
        DIAG("%s", summary);
}

__attribute__((noinline, used)) int tools_smoke_target(int x)
{
    __asm__ volatile("" ::: "memory");
    return x + 1;
}
static int (*volatile smoke_target)(int) = tools_smoke_target;

static void check_funccount(void)
{
    /* Kernel functions by wildcard, this process only. */
    const char *why = probes_missing("kprobe");
    if (why) {
        tap_skip(why, "funccount 'vfs_*'");
    } else {
        char pid_text[16];
        snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
        char *argv[] = {"funccount", "-d", "2", "-p", pid_text, "vfs_*", NULL};
        pid_t pid;
        int fd = start(argv, &pid);
        CHECK(read_until(fd, "Tracing", 30), "funccount prints its header once attached");
        read_zero(500);
        int status = finish(fd, pid);
        CHECK_EXITED(0, status, "funccount -d 2 'vfs_*' exits by itself with status 0");
        const char *line = line_with("\nvfs_read ");
        unsigned long count = 0;
        if (line)
            sscanf(line, "vfs_read %lu", &count);
        if (!CHECK(strstr(out, "FUNC") && count >= 500, "funccount's vfs_read row has at least 500 calls (%lu)", count))
            show_output();
    }
    /* A user function of this program, by uprobe. */
    why = probes_missing("uprobe");
    if (why) {
        tap_skip(why, "funccount PATH:tools_smoke_target (uprobes)");
        return;
    }
    char exe[256], target[300], pid_text[16];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    snprintf(target, sizeof target, "%s:tools_smoke_target", exe);
    snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
    char *argv[] = {"funccount", "-d", "2", "-p", pid_text, target, NULL};
    pid_t pid;
    int fd = start(argv, &pid);
    CHECK(read_until(fd, "Tracing 1 function", 30), "funccount prints its header once the uprobe is attached");
    int sum = 0;
    for (int i = 0; i < 1234; i++)
        sum += smoke_target(i);
    int status = finish(fd, pid);
    CHECK_EXITED(0, status, "funccount -d 2 %s exits by itself with status 0", target);
    const char *line = line_with(":tools_smoke_target ");
    unsigned long count = 0;
    if (line)
        sscanf(strchr(line, ' '), "%lu", &count);
    if (!CHECK(count == 1234, "funccount counted exactly the 1234 calls (%lu; sum %d)", count, sum))
        show_output();
}

static void check_stackcount(void)
{
    const char *why = probes_missing("kprobe");
    if (why) {
        tap_skip(why, "stackcount vfs_read");
        return;
    }
    char pid_text[16];
    snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
    char *argv[] = {"stackcount", "-d", "2", "-p", pid_text, "vfs_read", NULL};
    pid_t pid;
    int fd = start(argv, &pid);
    CHECK(read_until(fd, "Tracing vfs_read", 30), "stackcount prints its header once attached");
    read_zero(200);
    int status = finish(fd, pid);
    CHECK_EXITED(0, status, "stackcount -d 2 exits by itself with status 0");
    /* The first stack printed is the most frequent one: our 200 reads. */
    const char *first = strstr(out, "\n  vfs_read\n");
    const char *entry = first ? strstr(first, "sys_read\n") : NULL;
    unsigned long count = 0;
    const char *count_line = first ? strstr(first, "\n    ") : NULL;
    if (count_line)
        count = strtoul(count_line + 5, NULL, 10);
    if (!CHECK(first && entry && count >= 200, "stackcount's top stack starts at vfs_read, reaches the read syscall and counts >= 200 (%lu)", count))
        show_output();
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *dir = getenv("EXT_EBPF_TOOLS");
    snprintf(tools_dir, sizeof tools_dir, "%s", dir && *dir ? dir : "/usr/bin");
    char probe[300];
    snprintf(probe, sizeof probe, "%s/opensnoop", tools_dir);
    if (access(probe, X_OK) != 0) {
        tap_skip("the tracing tools are not installed (no /usr/bin/opensnoop, EXT_EBPF_TOOLS unset)", "tracing tools smoke test");
        return tap_done();
    }
    check_opensnoop();
    check_execsnoop();
    check_syscount();
    check_profile();
    check_funclatency();
    check_funccount();
    check_stackcount();
    return tap_done();
}
