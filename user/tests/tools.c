/* tools: the /bin tools, each run directly with captured output: echo, cat, ls, wc, head,
 * grep, mkdir, rm, mv, uname, sleep, true, false, kill, env, ps, free. (poweroff is not run:
 * it would end the test run.) */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "capture.h"
#include "tap.h"

static struct captured c;
static char dir[64];

/* Runs bin/<tool> with up to 5 arguments (NULL-terminated list) and optional stdin. */
static int run(const char *input, const char *tool, ...)
{
    char *argv[8] = {(char *)bin_path(tool)};
    va_list ap;
    va_start(ap, tool);
    for (int i = 1; i < 7; i++) {
        argv[i] = va_arg(ap, char *);
        if (!argv[i])
            break;
    }
    argv[7] = NULL;
    va_end(ap);
    capture_run(argv, input, &c);
    return exit_code(c.status);
}

static void expect_out(const char *expected, int code, int got, const char *what)
{
    if (!tap_ok(strcmp(c.out, expected) == 0 && got == code, "%s", what)) {
        DIAG("expected: exit %d, stdout \"%s\"", code, expected);
        DIAG("actual:   exit %d, stdout \"%s\", stderr \"%s\"", got, c.out, c.err);
    }
}

static void write_file(const char *name, const char *content)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, content, strlen(content));
    close(fd);
}

static const char *in_dir(const char *name)
{
    static char slots[4][128];
    static int next;
    char *p = slots[next++ % 4];
    snprintf(p, sizeof slots[0], "%s/%s", dir, name);
    return p;
}

static void test_echo_cat(void)
{
    expect_out("a b  c\n", 0, run(NULL, "echo", "a", "b  c", NULL), "echo joins arguments with spaces");
    expect_out("x y", 0, run(NULL, "echo", "-n", "x", "y", NULL), "echo -n omits the newline");
    expect_out("\n", 0, run(NULL, "echo", NULL), "echo with no arguments prints a newline");
    write_file("one", "line 1\nline 2\n");
    write_file("two", "second file\n");
    expect_out("line 1\nline 2\nsecond file\n", 0, run(NULL, "cat", in_dir("one"), in_dir("two"), NULL), "cat concatenates files");
    expect_out("from stdin\n", 0, run("from stdin\n", "cat", NULL), "cat copies stdin");
    expect_out("line 1\nline 2\nmiddle\nsecond file\n", 0, run("middle\n", "cat", in_dir("one"), "-", in_dir("two"), NULL),
               "cat - reads stdin between files");
    int code = run(NULL, "cat", in_dir("missing"), NULL);
    CHECK(code == 1 && strstr(c.err, "missing"), "cat of a missing file fails with a message");
}

static void test_ls(void)
{
    write_file(".hidden", "");
    mkdir(in_dir("sub"), 0755);
    expect_out("one\nsub\ntwo\n", 0, run(NULL, "ls", dir, NULL), "ls lists sorted names, no dot files");
    expect_out(".\n..\n.hidden\none\nsub\ntwo\n", 0, run(NULL, "ls", "-a", dir, NULL), "ls -a includes dot files");
    run(NULL, "ls", "-l", in_dir("one"), NULL);
    CHECK(strncmp(c.out, "-rw-r--r--", 10) == 0 && strstr(c.out, " 14 ") && strstr(c.out, in_dir("one")),
          "ls -l shows mode, size and name (\"%.*s\")", (int)strcspn(c.out, "\n"), c.out);
    run(NULL, "ls", "-l", dir, NULL);
    CHECK(strstr(c.out, "drwx") && strstr(c.out, " sub\n"), "ls -l marks directories with d");
    char expected[256];
    snprintf(expected, sizeof expected, "%s\n\n%s:\n", in_dir("one"), in_dir("sub"));
    expect_out(expected, 0, run(NULL, "ls", in_dir("one"), in_dir("sub"), NULL), "ls with several arguments: files, then directories with headers");
    int code = run(NULL, "ls", in_dir("nope"), NULL);
    CHECK(code != 0 && strstr(c.err, "nope"), "ls of a missing path fails with a message");
}

static void test_text_tools(void)
{
    const char *text = "alpha beta\ngamma\n\ndelta alpha\nomega\n";
    expect_out("      5       6      36\n", 0, run(text, "wc", NULL), "wc counts lines, words, bytes");
    expect_out("5\n", 0, run(text, "wc", "-l", NULL), "wc -l");
    expect_out("6\n", 0, run(text, "wc", "-w", NULL), "wc -w");
    expect_out("36\n", 0, run(text, "wc", "-c", NULL), "wc -c");
    char expected[160];
    snprintf(expected, sizeof expected, "2 %s\n", in_dir("one"));
    expect_out(expected, 0, run(NULL, "wc", "-l", in_dir("one"), NULL), "wc -l FILE prints the count and the name");
    expect_out("alpha beta\ngamma\n", 0, run(text, "head", "-n", "2", NULL), "head -n 2");
    expect_out("alpha beta\n", 0, run(text, "head", "-1", NULL), "head -1");
    expect_out(text, 0, run(text, "head", NULL), "head of a short input prints all of it");
    expect_out("alpha beta\ndelta alpha\n", 0, run(text, "grep", "alpha", NULL), "grep prints matching lines");
    expect_out("2\n", 0, run(text, "grep", "-c", "alpha", NULL), "grep -c counts them");
    expect_out("gamma\n\nomega\n", 0, run(text, "grep", "-v", "alpha", NULL), "grep -v inverts");
    expect_out("", 0, run(text, "grep", "-q", "omega", NULL), "grep -q is silent and succeeds on a match");
    expect_out("", 1, run(text, "grep", "-q", "zeta", NULL), "grep exits 1 without a match");
    expect_out("0\n", 1, run(text, "grep", "-c", "a.p", NULL), "grep patterns are fixed strings");
    expect_out("", 2, run(text, "grep", "x", in_dir("missing"), NULL), "grep of a missing file exits 2");
}

static void test_file_tools(void)
{
    struct stat st;
    expect_out("", 0, run(NULL, "mkdir", in_dir("m1"), NULL), "mkdir DIR");
    CHECK(stat(in_dir("m1"), &st) == 0 && S_ISDIR(st.st_mode), "the directory exists");
    int code = run(NULL, "mkdir", in_dir("m1"), NULL);
    CHECK(code == 1 && c.err_len > 0, "mkdir of an existing directory fails");
    expect_out("", 0, run(NULL, "mkdir", "-p", in_dir("p/q/r"), NULL), "mkdir -p creates parents");
    CHECK(stat(in_dir("p/q/r"), &st) == 0, "p/q/r exists");
    expect_out("", 0, run(NULL, "mv", in_dir("two"), in_dir("three"), NULL), "mv renames a file");
    CHECK(stat(in_dir("two"), &st) != 0 && stat(in_dir("three"), &st) == 0, "the old name is gone, the new one exists");
    expect_out("", 0, run(NULL, "mv", in_dir("three"), in_dir("m1"), NULL), "mv into a directory");
    CHECK(stat(in_dir("m1/three"), &st) == 0, "the file is inside the directory");
    code = run(NULL, "rm", in_dir("m1"), NULL);
    CHECK(code == 1, "rm refuses a directory without -r");
    expect_out("", 0, run(NULL, "rm", "-r", in_dir("m1"), in_dir("p"), NULL), "rm -r removes trees");
    CHECK(stat(in_dir("m1"), &st) != 0 && stat(in_dir("p"), &st) != 0, "both trees are gone");
    expect_out("", 0, run(NULL, "rm", in_dir("one"), NULL), "rm removes a file");
    code = run(NULL, "rm", in_dir("one"), NULL);
    CHECK(code == 1 && c.err_len > 0, "rm of a missing file fails");
    expect_out("", 0, run(NULL, "rm", "-f", in_dir("one"), NULL), "rm -f of a missing file succeeds");
}

static void test_system_tools(void)
{
    struct utsname u;
    uname(&u);
    char expected[512];
    expect_out("Linux\n", 0, run(NULL, "uname", NULL), "uname prints the system name");
    snprintf(expected, sizeof expected, "%s\n", u.release);
    expect_out(expected, 0, run(NULL, "uname", "-r", NULL), "uname -r");
    expect_out("x86_64\n", 0, run(NULL, "uname", "-m", NULL), "uname -m");
    snprintf(expected, sizeof expected, "%s\n", u.nodename);
    expect_out(expected, 0, run(NULL, "uname", "-n", NULL), "uname -n");
    snprintf(expected, sizeof expected, "%s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
    expect_out(expected, 0, run(NULL, "uname", "-a", NULL), "uname -a");

    expect_out("", 0, run(NULL, "true", NULL), "true exits 0");
    expect_out("", 1, run(NULL, "false", NULL), "false exits 1");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_out("", 0, run(NULL, "sleep", "0.05", NULL), "sleep 0.05");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(ms >= 50, "sleep 0.05 took at least 50 ms (%ld)", ms);
    expect_out("", 1, run(NULL, "sleep", "soon", NULL), "sleep rejects a non-number");

    expect_out("A=1\nB=two\n", 0, run(NULL, "env", "-i", "A=1", "B=two", NULL), "env -i NAME=value prints just those");
    expect_out("hi\n", 0, run(NULL, "env", "X=1", bin_path("echo"), "hi", NULL), "env runs a command");

    /* kill: a sleeping child, by number and by name. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec ts = {30, 0};
        nanosleep(&ts, NULL);
        _exit(0);
    }
    char pid_s[16];
    snprintf(pid_s, sizeof pid_s, "%d", pid);
    expect_out("", 0, run(NULL, "kill", "-USR1", pid_s, NULL), "kill -USR1 PID");
    int status;
    waitpid(pid, &status, 0);
    CHECK_KILLED_BY(SIGUSR1, status, "the child got SIGUSR1");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct timespec ts = {30, 0};
        nanosleep(&ts, NULL);
        _exit(0);
    }
    snprintf(pid_s, sizeof pid_s, "%d", pid);
    expect_out("", 0, run(NULL, "kill", "-n", "9", pid_s, NULL), "kill -n 9 PID");
    waitpid(pid, &status, 0);
    CHECK_KILLED_BY(SIGKILL, status, "the child got SIGKILL");
    int code = run(NULL, "kill", "-NOSUCH", pid_s, NULL);
    CHECK(code != 0, "kill with an unknown signal name fails");

    run(NULL, "ps", NULL);
    char ps_line[64];
    snprintf(ps_line, sizeof ps_line, " %d ", getpid());
    CHECK(strncmp(c.out, "  PID  PPID STATE CMD\n", 22) == 0, "ps prints its header");
    CHECK(strstr(c.out, ps_line) != NULL, "ps lists this process (%d)", getpid());
    CHECK(strstr(c.out, "/ps") != NULL || strstr(c.out, " ps") != NULL, "ps lists itself with its command line");

    run(NULL, "free", NULL);
    unsigned long total = 0, used = 0, free_kb = 0;
    const char *mem = strstr(c.out, "Mem:");
    CHECK(strstr(c.out, "total") && mem && sscanf(mem, "Mem: %lu %lu %lu", &total, &used, &free_kb) == 3,
          "free prints a Mem: line with total, used and free");
    CHECK(total > 0 && free_kb <= total && used <= total, "free's numbers are consistent (%lu %lu %lu)", total, used, free_kb);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tools_%d", getpid());
    mkdir(dir, 0755);
    test_echo_cat();
    test_ls();
    test_text_tools();
    test_file_tools();
    test_system_tools();
    char *rm[] = {(char *)bin_path("rm"), "-rf", dir, NULL};
    capture_run(rm, NULL, &c);
    struct stat st;
    CHECK(stat(dir, &st) != 0, "the scratch directory was removed");
    return tap_done();
}
