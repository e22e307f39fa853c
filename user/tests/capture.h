/* capture.h: run a program with given stdin text and collect its stdout, stderr and wait
 * status; used by the tests that exercise the shell and the tools. Programs are looked up in
 * the guest's /bin, or in $EXT_EBPF_BIN when set (to run the host-built binaries in place). */
#ifndef EXT_EBPF_CAPTURE_H
#define EXT_EBPF_CAPTURE_H

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct captured {
    char out[65536];
    char err[8192];
    size_t out_len, err_len;
    int status; /* wait status, -1 if the program could not be started */
};

/* The directory holding sh and the tools. */
static __attribute__((unused)) const char *bin_dir(void)
{
    const char *d = getenv("EXT_EBPF_BIN");
    return d && *d ? d : "/bin";
}

/* "<bin_dir>/<name>" in a static buffer slot (a few can be live at once). */
static __attribute__((unused)) const char *bin_path(const char *name)
{
    static char slots[8][512];
    static int next;
    char *p = slots[next++ % 8];
    snprintf(p, sizeof slots[0], "%s/%s", bin_dir(), name);
    return p;
}

/* Runs argv[0] (a path) with the given stdin text (NULL: /dev/null). PATH is set to bin_dir(). */
static __attribute__((unused)) int capture_run(char *const argv[], const char *input, struct captured *c)
{
    int out_pipe[2], err_pipe[2], in_pipe[2];
    c->out_len = c->err_len = 0;
    c->out[0] = c->err[0] = '\0';
    c->status = -1;
    if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0 || pipe2(in_pipe, O_CLOEXEC) < 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        char path_env[600], home_env[] = "HOME=/tmp";
        snprintf(path_env, sizeof path_env, "PATH=%s", bin_dir());
        char bin_env[600];
        snprintf(bin_env, sizeof bin_env, "EXT_EBPF_BIN=%s", bin_dir());
        char *envp[] = {path_env, home_env, bin_env, NULL};
        execve(argv[0], argv, envp);
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (input) {
        size_t len = strlen(input), done = 0;
        while (done < len) {
            ssize_t n = write(in_pipe[1], input + done, len - done);
            if (n <= 0)
                break;
            done += (size_t)n;
        }
    }
    close(in_pipe[1]);
    struct pollfd fds[2] = {{.fd = out_pipe[0], .events = POLLIN}, {.fd = err_pipe[0], .events = POLLIN}};
    int open_count = 2;
    while (open_count > 0) {
        if (poll(fds, 2, -1) < 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !fds[i].revents)
                continue;
            char *buf = i == 0 ? c->out : c->err;
            size_t *len = i == 0 ? &c->out_len : &c->err_len;
            size_t cap = i == 0 ? sizeof c->out : sizeof c->err;
            char scratch[4096];
            ssize_t n;
            if (*len + 1 < cap)
                n = read(fds[i].fd, buf + *len, cap - 1 - *len);
            else
                n = read(fds[i].fd, scratch, sizeof scratch); /* overflow: drain and drop */
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_count--;
                continue;
            }
            if (*len + 1 < cap) {
                *len += (size_t)n;
                buf[*len] = '\0';
            }
        }
    }
    int status;
    if (waitpid(pid, &status, 0) == pid)
        c->status = status;
    return 0;
}

/* Runs `sh -c script` from bin_dir(). */
static __attribute__((unused)) int capture_sh(const char *script, struct captured *c)
{
    char *argv[] = {(char *)bin_path("sh"), "-c", (char *)script, NULL};
    return capture_run(argv, NULL, c);
}

/* The exit code of a wait status, or -1 if the program did not exit normally. */
static __attribute__((unused)) int exit_code(int status)
{
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
