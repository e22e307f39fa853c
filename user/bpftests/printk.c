/* printk: bpf_printk from a program run with BPF_PROG_TEST_RUN: the object loads (its .rodata
 * holds the format strings: created BPF_F_RDONLY_PROG, filled, frozen), and the lines appear in
 * <tracefs>/trace as "bpf_trace_printk: <message>" for both bpf_trace_printk (up to 3
 * arguments) and bpf_trace_vprintk (more). Then <tracefs>/trace_pipe: a blocking read waits
 * for a child that prints later, its lines have Linux's layout
 * "<comm>-<pid> [<cpu>] <flags> <secs>.<usecs>: bpf_trace_printk: <msg>" (checked field by
 * field), and reading them consumes them (they leave <tracefs>/trace). Reading the trace is
 * skipped, with the reason, where the kernel has no tracefs. */
#include "bpftest.h"
#include <ctype.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

/* Reads <tracefs>/trace (without consuming it) and looks for a line containing `text`; returns
 * 1 if found, 0 if not, -1 if the file cannot be read. */
static int trace_has(const char *tracefs, const char *text, char *found, size_t found_size)
{
    char path[300];
    snprintf(path, sizeof path, "%s/trace", tracefs);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    int hit = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, text)) {
            snprintf(found, found_size, "%s", line);
            hit = 1;
        }
    fclose(f);
    return hit;
}

/* One parsed trace_pipe line. */
struct trace_line {
    char comm[32];
    int pid, cpu;
    char flags[16];
    unsigned long secs, usecs;
    char event[64];
    const char *msg;
};

/* Parses "<comm>-<pid> [<cpu>] <flags> <secs>.<usecs>: <event>: <msg>" (comm right-aligned in
 * 16 columns, may itself contain '-' and spaces; pid left-aligned; cpu 3 digits). Returns 1 on
 * a match. `line` has no newline; msg points into it. */
static int parse_trace_line(const char *line, struct trace_line *t)
{
    memset(t, 0, sizeof *t);
    const char *start = line;
    while (*start == ' ')
        start++;
    /* The first " [digits] " closes the task-pid field. */
    const char *br = start;
    while ((br = strstr(br, " [")) != NULL) {
        const char *d = br + 2;
        while (isdigit((unsigned char)*d))
            d++;
        if (d > br + 2 && d[0] == ']' && d[1] == ' ')
            break;
        br++;
    }
    if (!br)
        return 0;
    const char *end = br;
    while (end > start && end[-1] == ' ')
        end--;
    const char *dash = end;
    while (dash > start && dash[-1] != '-')
        dash--;
    if (dash <= start + 1 || dash == end)
        return 0;
    for (const char *c = dash; c < end; c++)
        if (!isdigit((unsigned char)*c))
            return 0;
    snprintf(t->comm, sizeof t->comm, "%.*s", (int)(dash - 1 - start), start);
    t->pid = atoi(dash);
    t->cpu = atoi(br + 2);
    const char *p = strchr(br, ']') + 2;
    size_t flen = strcspn(p, " ");
    if (flen == 0 || flen >= sizeof t->flags)
        return 0;
    snprintf(t->flags, sizeof t->flags, "%.*s", (int)flen, p);
    p += flen;
    while (*p == ' ')
        p++;
    char *q;
    t->secs = strtoul(p, &q, 10);
    if (q == p || *q != '.')
        return 0;
    p = q + 1;
    t->usecs = strtoul(p, &q, 10);
    if (q - p != 6 || q[0] != ':' || q[1] != ' ')
        return 0;
    p = q + 2;
    const char *colon = strstr(p, ": ");
    if (!colon || colon == p || (size_t)(colon - p) >= sizeof t->event)
        return 0;
    snprintf(t->event, sizeof t->event, "%.*s", (int)(colon - p), p);
    t->msg = colon + 2;
    return 1;
}

static void on_alarm(int sig)
{
    (void)sig;
}

/* Reads trace_pipe (blocking, with a 10 s alarm) until a line containing `marker_text` and one
 * containing `want` are in; stores the matching line in `found`. Returns 1, or 0 on a timeout
 * or error (diagnosed). Lines of other processes are skipped. */
static int read_pipe_for(int fd, const char *want, char *found, size_t found_size, int *blocked_ms)
{
    static char buf[65536];
    static size_t used;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    alarm(10);
    int ok = 0, first = 1;
    while (!ok) {
        char *nl;
        while (!ok && (nl = memchr(buf, '\n', used)) != NULL) {
            *nl = '\0';
            if (strstr(buf, want)) {
                snprintf(found, found_size, "%.*s", (int)found_size - 1, buf);
                ok = 1;
            }
            size_t rest = used - (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, rest);
            used = rest;
        }
        if (ok)
            break;
        if (used + 1 >= sizeof buf)
            used = 0;
        ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
        if (first) {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            *blocked_ms = (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
            first = 0;
        }
        if (n <= 0) {
            DIAG("read(trace_pipe) = %zd (%s) before \"%s\" arrived", n, n < 0 ? strerror(errno) : "EOF", want);
            break;
        }
        used += (size_t)n;
    }
    alarm(0);
    return ok;
}

/* trace_pipe: drained without blocking first (EAGAIN when empty), then a child runs the
 * program (with run = 1, so its lines are its own) 300 ms after the parent started a blocking
 * read. */
static void check_trace_pipe(const char *tracefs, struct bpf_object *obj, __u32 marker)
{
    int prog_fd = bpf_program__fd(bt_prog(obj, "say"));
    char path[300];
    snprintf(path, sizeof path, "%s/trace_pipe", tracefs);
    int nb = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (!CHECK(nb >= 0, "open %s with O_NONBLOCK", path)) {
        DIAG("%s", strerror(errno));
        return;
    }
    static char junk[65536];
    ssize_t n;
    int reads = 0;
    while ((n = read(nb, junk, sizeof junk)) > 0 && reads < 10000)
        reads++;
    CHECK(n < 0 && errno == EAGAIN, "O_NONBLOCK read of the drained pipe: EAGAIN (after %d reads)", reads);
    close(nb);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (!CHECK(fd >= 0, "open %s (blocking)", path)) {
        DIAG("%s", strerror(errno));
        return;
    }
    __u32 zero = 0, run[1] = { 1 };
    struct bpf_map *bss = bt_map(obj, ".bss");
    CHECK_EQ(0, bpf_map_update_elem(bpf_map__fd(bss), &zero, run, BPF_ANY), "set run = 1 in .bss");
    marker += 1;
    struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: the read returns EINTR */
    sigaction(SIGALRM, &sa, NULL);
    char comm[16] = "";
    prctl(PR_GET_NAME, comm);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        usleep(300000);
        unsigned char pkt[64] = { 0 };
        LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof pkt);
        _exit(bpf_prog_test_run_opts(prog_fd, &opts) == 0 ? 0 : 1);
    }
    char want3[128], want4[128], line3[1024] = "", line4[1024] = "";
    snprintf(want3, sizeof want3, "bpftests-printk %u three=3 done", marker);
    snprintf(want4, sizeof want4, "bpftests-printk %u four 1 2 3", marker);
    int blocked_ms = 0, ignored = 0;
    int got3 = read_pipe_for(fd, want3, line3, sizeof line3, &blocked_ms);
    int got4 = got3 && read_pipe_for(fd, want4, line4, sizeof line4, &ignored);
    int status = -1;
    waitpid(child, &status, 0);
    CHECK_EXITED(0, status, "the child ran the program");
    CHECK(got3 && got4, "both lines arrive through trace_pipe");
    CHECK(blocked_ms >= 200, "the first read blocked until the child printed (%d ms)", blocked_ms);
    struct trace_line t3, t4;
    int parsed = got3 && got4 && parse_trace_line(line3, &t3) && parse_trace_line(line4, &t4);
    DIAG("%s", line3);
    if (!CHECK(parsed, "the lines parse as \"<comm>-<pid> [<cpu>] <flags> <secs>.<usecs>: <event>: <msg>\""))
        return;
    CHECK_STR(comm, t3.comm, "comm is the child's (%s)", comm);
    CHECK_EQ(child, t3.pid, "pid is the child's");
    CHECK(t3.cpu >= 0 && t3.cpu < libbpf_num_possible_cpus(), "cpu %d is a possible CPU", t3.cpu);
    CHECK_STR("bpf_trace_printk", t3.event, "event name bpf_trace_printk");
    CHECK_STR(want3, t3.msg, "message of bpf_trace_printk");
    CHECK_STR(want4, t4.msg, "message of bpf_trace_vprintk (also shown as bpf_trace_printk)");
    CHECK(t4.secs > t3.secs || (t4.secs == t3.secs && t4.usecs >= t3.usecs),
          "timestamps do not go backwards (%lu.%06lu, %lu.%06lu)", t3.secs, t3.usecs, t4.secs, t4.usecs);
    CHECK(t3.secs > 0 || t3.usecs > 0, "the timestamp is not zero");
    char seen[1024];
    CHECK_EQ(0, trace_has(tracefs, want3, seen, sizeof seen), "reading trace_pipe consumed the line: it left <tracefs>/trace");
    close(fd);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    struct bpf_object *obj = bt_open("printk");
    if (!obj)
        return tap_done();
    __u32 marker = (__u32)getpid() * 7919u;
    bt_set_global(obj, ".rodata", "marker", &marker, sizeof marker);
    if (bt_load(obj) != 0)
        return tap_done();
    struct bpf_map_info info = {};
    __u32 len = sizeof info;
    bpf_obj_get_info_by_fd(bpf_map__fd(bt_map(obj, ".rodata")), &info, &len);
    CHECK(info.map_flags & BPF_F_RDONLY_PROG, ".rodata with the format strings is BPF_F_RDONLY_PROG");

    unsigned char pkt[64] = { 0 };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof pkt);
    CHECK_EQ(0, bpf_prog_test_run_opts(bpf_program__fd(bt_prog(obj, "say")), &opts), "program runs");
    CHECK_EQ(XDP_PASS, opts.retval, "... and returns XDP_PASS");

    const char *why = NULL, *tracefs = bt_tracefs(&why);
    char want3[128], want4[128], line[1024] = "";
    snprintf(want3, sizeof want3, "bpf_trace_printk: bpftests-printk %u three=3 done", marker);
    snprintf(want4, sizeof want4, "bpf_trace_printk: bpftests-printk %u four 1 2 3", marker);
    int r = tracefs ? trace_has(tracefs, want3, line, sizeof line) : -1;
    if (r < 0) {
        tap_skip(tracefs ? "kernel has no readable <tracefs>/trace" : why, "bpf_printk output in the trace");
        tap_skip(tracefs ? "kernel has no readable <tracefs>/trace" : why, "bpf_trace_vprintk output in the trace");
    } else {
        CHECK(r == 1, "trace has \"%s\"", want3);
        if (r == 1)
            DIAG("%.*s", (int)strcspn(line, "\n"), line);
        CHECK(trace_has(tracefs, want4, line, sizeof line) == 1, "trace has \"%s\"", want4);
    }
    if (tracefs)
        check_trace_pipe(tracefs, obj, marker);
    else
        tap_skip(why, "bpf_printk output through trace_pipe");
    bpf_object__close(obj);
    return tap_done();
}
