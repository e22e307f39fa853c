/* kill: send a signal to processes: kill [-SIG | -N | -n N | -s SIG] PID...; kill -l lists names. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    int number;
} signal_names[] = {
    {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL}, {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"BUS", SIGBUS}, {"FPE", SIGFPE}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG}, {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO}, {"PWR", SIGPWR}, {"SYS", SIGSYS},
};
#define NSIGNAMES (sizeof signal_names / sizeof signal_names[0])

/* Parses "9", "KILL" or "SIGKILL"; returns -1 if unknown. */
static int parse_signal(const char *s)
{
    if (isdigit((unsigned char)*s)) {
        char *end;
        long n = strtol(s, &end, 10);
        return (*end || n < 0 || n > 64) ? -1 : (int)n;
    }
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < NSIGNAMES; i++)
        if (strcasecmp(s, signal_names[i].name) == 0)
            return signal_names[i].number;
    return -1;
}

static int usage(void)
{
    fprintf(stderr, "usage: kill [-SIG | -n N | -s SIG] PID... | kill -l\n");
    return 2;
}

int main(int argc, char **argv)
{
    int sig = SIGTERM;
    int i = 1;
    if (i < argc && strcmp(argv[i], "-l") == 0) {
        for (size_t j = 0; j < NSIGNAMES; j++)
            printf("%2d) SIG%s\n", signal_names[j].number, signal_names[j].name);
        return 0;
    }
    if (i < argc && (strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "-s") == 0)) {
        if (i + 1 >= argc)
            return usage();
        sig = parse_signal(argv[i + 1]);
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
        sig = parse_signal(argv[i] + 1);
        i++;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (sig < 0) {
        fprintf(stderr, "kill: unknown signal\n");
        return usage();
    }
    if (i == argc)
        return usage();
    int status = 0;
    for (; i < argc; i++) {
        char *end;
        long pid = strtol(argv[i], &end, 10);
        if (*end || end == argv[i]) {
            fprintf(stderr, "kill: %s: invalid process id\n", argv[i]);
            status = 1;
            continue;
        }
        if (kill((pid_t)pid, sig) < 0) {
            fprintf(stderr, "kill: (%ld): %s\n", pid, strerror(errno));
            status = 1;
        }
    }
    return status;
}
