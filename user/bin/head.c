/* head: print the first N lines (default 10) of files or stdin: head [-n N | -N] [FILE]... */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Copies up to `lines` lines from fd to stdout; reads byte blocks but never writes past them. */
static int head_fd(int fd, long lines)
{
    char buf[4096];
    while (lines > 0) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        ssize_t end = 0;
        while (end < n && lines > 0) {
            if (buf[end++] == '\n')
                lines--;
        }
        if (fwrite(buf, 1, (size_t)end, stdout) != (size_t)end)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long lines = 10;
    int i = 1;
    if (i < argc && strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
        lines = strtol(argv[i + 1], NULL, 10);
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9') {
        lines = strtol(argv[i] + 1, NULL, 10);
        i++;
    }
    if (lines < 0) {
        fprintf(stderr, "head: invalid line count\n");
        return 1;
    }
    if (i == argc) {
        int r = head_fd(0, lines);
        fflush(stdout);
        return r < 0;
    }
    int status = 0, files = argc - i;
    for (int first = 1; i < argc; i++, first = 0) {
        int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "head: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        if (files > 1)
            printf("%s==> %s <==\n", first ? "" : "\n", argv[i]);
        if (head_fd(fd, lines) < 0) {
            fprintf(stderr, "head: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        }
        close(fd);
    }
    fflush(stdout);
    return status;
}
