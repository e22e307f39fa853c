/* init: PID 1. Makes sure fds 0/1/2 are the console, prints a banner, then runs either
 * `/bin/sh /etc/autorun` (when that file exists) or an interactive /bin/sh, reaps every
 * orphan that is reparented to it meanwhile, and finally exits with the shell's exit status
 * (128+N if the shell died of signal N). The kernel powers the machine off when init exits
 * and hands init's status to QEMU as its exit code. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONSOLE "/dev/console"
#define AUTORUN "/etc/autorun"
#define SHELL "/bin/sh"

/* Opens the console on any of fds 0, 1, 2 that is not open. */
static void ensure_console_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0)
            continue;
        int c = open(CONSOLE, O_RDWR | O_NOCTTY);
        if (c < 0)
            return; /* nothing to print to either */
        if (c != fd) {
            dup2(c, fd);
            close(c);
        }
    }
}

/* `-q` (kernel command line `-- -q`) silences the progress messages; errors still print. */
static int quiet;

static void say(const char *msg)
{
    size_t len = strlen(msg);
    while (len > 0) {
        ssize_t n = write(2, msg, len);
        if (n <= 0)
            return;
        msg += n;
        len -= (size_t)n;
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-q") == 0)
            quiet = 1;
    ensure_console_fds();
    if (!quiet)
        say("ext-ebpf init: starting\n");

    int autorun = faccessat(AT_FDCWD, AUTORUN, F_OK, 0) == 0;
    char *argv_script[] = {SHELL, AUTORUN, NULL};
    char *argv_interactive[] = {SHELL, NULL};
    char **args = autorun ? argv_script : argv_interactive;
    char *envp[] = {"PATH=/bin:/usr/bin", "HOME=/root", "TERM=vt100", NULL};
    if (autorun && !quiet)
        say("ext-ebpf init: running " SHELL " " AUTORUN "\n");
    if (!autorun && faccessat(AT_FDCWD, "/bin/bpfdemo", X_OK, 0) == 0)
        say("\nWelcome to ext-ebpf. Try `bpfdemo` for a live libbpf demo (libbpf 1.1.2 loads a\n"
            "clang-built XDP program and runs it), `ls /bpftests` for the libbpf tests, `exit` to power off.\n"
            "Tracing tools: opensnoop, execsnoop, syscount, profile; try: opensnoop -d 5 & cat /proc/version\n\n");

    pid_t shell = fork();
    if (shell < 0) {
        say("ext-ebpf init: fork failed\n");
        return 1;
    }
    if (shell == 0) {
        execve(SHELL, args, envp);
        say("ext-ebpf init: cannot execute " SHELL "\n");
        _exit(127);
    }

    /* Reap everything until the shell itself is gone. */
    int code = 1;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            say("ext-ebpf init: lost the shell\n");
            break;
        }
        if (pid != shell)
            continue;
        if (WIFEXITED(status))
            code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
            code = 128 + WTERMSIG(status);
        else
            continue;
        break;
    }
    char msg[64];
    snprintf(msg, sizeof msg, "ext-ebpf init: shell exited with status %d\n", code);
    if (!quiet)
        say(msg);
    return code;
}
