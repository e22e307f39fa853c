/* runtests: run the TAP test programs in /tests (or -d DIR), all sorted by name or only those
 * named on the command line, echo each one's stdout prefixed by "[name] ", and finish with
 *     GUEST-SUMMARY: <passed> passed, <failed> failed
 * where the counts are the TAP "ok"/"not ok" lines of all programs. A program that is killed
 * by a signal, exits non-zero without a "not ok" line, prints no plan (or a plan that does
 * not match its results), or exceeds the time limit (-t SECONDS, default 600) counts as one
 * extra failure. Exit status 0 iff nothing failed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct result {
    long ok, not_ok, plan; /* plan == -1: no plan line seen */
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void classify(const char *line, struct result *r)
{
    if (strncmp(line, "not ok", 6) == 0 && (line[6] == ' ' || line[6] == '\0'))
        r->not_ok++;
    else if (strncmp(line, "ok", 2) == 0 && (line[2] == ' ' || line[2] == '\0'))
        r->ok++;
    else if (strncmp(line, "1..", 3) == 0)
        r->plan = strtol(line + 3, NULL, 10);
}

static void emit_line(const char *name, const char *line, struct result *r)
{
    printf("[%s] %s\n", name, line);
    fflush(stdout);
    classify(line, r);
}

/* Runs one test program; returns the number of extra failures (0 or 1) beyond "not ok" lines. */
static int run_one(const char *dir, const char *name, int timeout_s, struct result *r)
{
    size_t plen = strlen(dir) + strlen(name) + 2;
    char *path = malloc(plen);
    if (!path)
        return 1;
    snprintf(path, plen, "%s/%s", dir, name);

    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        printf("[%s] # runtests: pipe2: %s\n", name, strerror(errno));
        free(path);
        return 1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        printf("[%s] # runtests: fork: %s\n", name, strerror(errno));
        close(p[0]);
        close(p[1]);
        free(path);
        return 1;
    }
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        dup2(p[1], 1);
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0 && null_fd != 0) {
            dup2(null_fd, 0);
            close(null_fd);
        }
        char *args[] = {path, NULL};
        execv(path, args);
        fprintf(stderr, "runtests: exec %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(p[1]);

    char *buf = NULL;
    size_t len = 0, cap = 0;
    int timed_out = 0;
    long long deadline = now_ms() + (long long)timeout_s * 1000;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd pfd = {.fd = p[0], .events = POLLIN};
        int pr = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0)
            continue; /* re-check the deadline */
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            char *grown = realloc(buf, cap);
            if (!grown)
                break;
            buf = grown;
        }
        ssize_t n = read(p[0], buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        /* Emit every complete line. */
        size_t start = 0;
        for (size_t i = 0; i < len; i++) {
            if (buf[i] != '\n')
                continue;
            buf[i] = '\0';
            emit_line(name, buf + start, r);
            start = i + 1;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    if (len > 0 && buf) {
        buf[len] = '\0';
        emit_line(name, buf, r);
    }
    free(buf);
    close(p[0]);
    if (timed_out)
        kill(pid, SIGKILL);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    free(path);

    const char *problem = NULL;
    char why[96];
    if (timed_out) {
        snprintf(why, sizeof why, "timed out after %d s", timeout_s);
        problem = why;
    } else if (WIFSIGNALED(status)) {
        snprintf(why, sizeof why, "killed by signal %d", WTERMSIG(status));
        problem = why;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && r->not_ok == 0) {
        snprintf(why, sizeof why, "exit status %d without a failing check", WEXITSTATUS(status));
        problem = why;
    } else if (r->plan < 0) {
        problem = "no plan line";
    } else if (r->plan != r->ok + r->not_ok) {
        snprintf(why, sizeof why, "plan 1..%ld but %ld results", r->plan, r->ok + r->not_ok);
        problem = why;
    }
    if (problem)
        printf("[%s] # runtests: FAIL: %s\n", name, problem);
    printf("[%s] # runtests: %ld ok, %ld not ok%s\n", name, r->ok, r->not_ok, problem ? ", +1 failure" : "");
    fflush(stdout);
    return problem ? 1 : 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the executable regular files of dir whose names contain no '.'. */
static char **list_tests(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strchr(e->d_name, '.'))
            continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);
    *count = n;
    return names;
}

int main(int argc, char **argv)
{
    const char *dir = "/tests";
    int timeout_s = 600;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            timeout_s = atoi(argv[++i]);
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: runtests [-d DIR] [-t SECONDS] [NAME]...\n");
            return 2;
        } else
            break;
    }
    if (timeout_s <= 0)
        timeout_s = 600;
    /* A test that dies of SIGPIPE must not take the runner with it. */
    signal(SIGPIPE, SIG_IGN);

    char **names;
    size_t count;
    if (i < argc) {
        names = argv + i;
        count = (size_t)(argc - i);
    } else {
        names = list_tests(dir, &count);
        if (!names) {
            fprintf(stderr, "runtests: %s: %s\n", dir, strerror(errno));
            count = 0;
        }
    }

    long passed = 0, failed = 0;
    if (count == 0) {
        printf("# runtests: no test programs found in %s\n", dir);
        failed = 1;
    }
    for (size_t t = 0; t < count; t++) {
        struct result r = {0, 0, -1};
        int extra = run_one(dir, names[t], timeout_s, &r);
        passed += r.ok;
        failed += r.not_ok + extra;
    }
    printf("GUEST-SUMMARY: %ld passed, %ld failed\n", passed, failed);
    fflush(stdout);
    return failed ? 1 : 0;
}
