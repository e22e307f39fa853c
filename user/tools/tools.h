/* tools.h: what the tracing tools (opensnoop, execsnoop, syscount, profile, funclatency,
 * funccount, stackcount, tracebench) share: option helpers, a run deadline for -d SECONDS,
 * SIGINT/SIGTERM handling that ends the main loop, libbpf's messages (warnings only, all with
 * -v), tracefs discovery (mounted when missing), a check for a tracepoint before its program
 * is loaded, and bcc's log2 histogram layout.
 *
 * Every tool is one static musl binary with its BPF object embedded as a bpftool skeleton; it
 * runs the same on Linux and on ext-ebpf. Output is in the style of bcc's libbpf-tools. */
#ifndef EXT_EBPF_TOOLS_H
#define EXT_EBPF_TOOLS_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TOOL_FN static __attribute__((unused))

static volatile sig_atomic_t tool_exiting;
static int tool_verbose;

TOOL_FN void tool_on_signal(int sig)
{
    (void)sig;
    tool_exiting = 1;
}

TOOL_FN int tool_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG && !tool_verbose)
        return 0;
    if (level == LIBBPF_INFO && !tool_verbose)
        return 0;
    return vfprintf(stderr, fmt, ap);
}

/* Call first: libbpf messages, signal handlers (no SA_RESTART, so a blocking poll returns). */
TOOL_FN void tool_init(void)
{
    libbpf_set_print(tool_libbpf_print);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tool_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

TOOL_FN double tool_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Milliseconds left until `deadline` (tool_now() based; 0 = none), capped at `slice`. Returns
 * 0 when the deadline has passed. */
TOOL_FN int tool_poll_ms(double deadline, int slice)
{
    if (deadline <= 0)
        return slice;
    double left = (deadline - tool_now()) * 1000;
    if (left <= 0)
        return 0;
    return left < slice ? (int)left + 1 : slice;
}

/* "HH:MM:SS" of the wall clock. */
/* Polls a BPF ring buffer until the deadline (0: none) or a signal, then consumes what is
 * left and frees it. Returns 0, or 1 when polling failed (reported as "<tool>: ...").
 */
TOOL_FN int tool_poll_ring_buffer(struct ring_buffer *rb, double deadline, const char *tool)
{
    int err = 0;
    while (!tool_exiting) {
        int ms = tool_poll_ms(deadline, 100);
        if (ms == 0)
            break;
        err = ring_buffer__poll(rb, ms);
        if (err < 0 && err != -EINTR) {
            fprintf(stderr, "%s: ring_buffer__poll: %s\n", tool, strerror(-err));
            break;
        }
    }
    ring_buffer__consume(rb);
    ring_buffer__free(rb);
    return err < 0 && err != -EINTR ? 1 : 0;
}

TOOL_FN const char *tool_clock(void)
{
    static char buf[16];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%H:%M:%S", &tm);
    return buf;
}

/* Parses a non-negative integer option value or exits with a usage error. */
TOOL_FN long tool_number(const char *tool, const char *opt, const char *text, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(text ? text : "", &end, 10);
    if (errno || !text || !*text || *end || v < min || v > max) {
        fprintf(stderr, "%s: invalid value for %s: '%s' (expected %ld..%ld)\n", tool, opt, text ? text : "", min, max);
        exit(2);
    }
    return v;
}

/* The tracefs root libbpf will use; mounts tracefs at /sys/kernel/tracing when neither it nor
 * /sys/kernel/debug/tracing has events. NULL if there is none. */
TOOL_FN const char *tool_tracefs(void)
{
    if (access("/sys/kernel/debug/tracing/events", F_OK) == 0)
        return "/sys/kernel/debug/tracing";
    if (access("/sys/kernel/tracing/events", F_OK) == 0)
        return "/sys/kernel/tracing";
    if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 &&
        access("/sys/kernel/tracing/events", F_OK) == 0)
        return "/sys/kernel/tracing";
    return NULL;
}

/* Whether the tracepoint <category>/<name> exists. */
TOOL_FN int tool_has_tracepoint(const char *category, const char *name)
{
    const char *root = tool_tracefs();
    if (!root)
        return 0;
    char path[256];
    snprintf(path, sizeof path, "%s/events/%s/%s/id", root, category, name);
    return access(path, R_OK) == 0;
}

/* A log2 histogram in bcc's layout: slot 0 is "0 -> 1", slot i is "2^i -> 2^(i+1)-1", one
 * row per slot up to the last non-empty one, stars scaled to the largest count (40 wide; 20
 * with wider columns once slots beyond 32 are used). Prints nothing when every slot is 0. */
TOOL_FN void tool_print_log2_hist(const unsigned long long *vals, int slots, const char *unit)
{
    int last = -1;
    unsigned long long max = 0;
    for (int i = 0; i < slots; i++) {
        if (vals[i])
            last = i;
        if (vals[i] > max)
            max = vals[i];
    }
    if (last < 0)
        return;
    int narrow = last <= 32;
    int width = narrow ? 10 : 20, stars = narrow ? 40 : 20;
    printf("%*s%-*s : count    distribution\n", narrow ? 5 : 15, "", narrow ? 19 : 29, unit);
    for (int i = 0; i <= last; i++) {
        unsigned long long low = i ? 1ULL << i : 0, high = i < 63 ? (1ULL << (i + 1)) - 1 : ~0ULL;
        printf("%*llu -> %-*llu : %-8llu |", width, low, width, high, vals[i]);
        int n = (int)(vals[i] * (unsigned long long)stars / max);
        for (int s = 0; s < stars; s++)
            putchar(s < n ? '*' : ' ');
        printf("|\n");
    }
}

/* Reports a libbpf failure (negative errno) and exits. */
TOOL_FN void tool_fail(const char *tool, const char *what, int err)
{
    if (err > 0)
        err = -err;
    fprintf(stderr, "%s: %s: %s\n", tool, what, strerror(-err));
    exit(1);
}

#endif
