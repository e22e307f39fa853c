/* ps: list processes from /proc/<pid>/stat and /proc/<pid>/cmdline (PID, PPID, STATE, CMD). */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a whole small file; returns its length or -1. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t total = 0;
    while (total < size - 1) {
        ssize_t n = read(fd, buf + total, size - 1 - total);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    close(fd);
    buf[total] = '\0';
    return (ssize_t)total;
}

static int compare_pids(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void show(int pid)
{
    char path[64], stat[1024], cmd[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (read_file(path, stat, sizeof stat) <= 0)
        return; /* the process exited meanwhile */
    /* "pid (comm) S ppid ...": comm may contain spaces and ')', so find the last ')'. */
    char *open_paren = strchr(stat, '(');
    char *close_paren = strrchr(stat, ')');
    if (!open_paren || !close_paren || close_paren < open_paren)
        return;
    *close_paren = '\0';
    const char *comm = open_paren + 1;
    char state = '?';
    int ppid = 0;
    if (sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2)
        return;

    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    ssize_t n = read_file(path, cmd, sizeof cmd);
    if (n > 0) {
        while (n > 0 && cmd[n - 1] == '\0')
            n--;
        for (ssize_t i = 0; i < n; i++)
            if (cmd[i] == '\0')
                cmd[i] = ' ';
        cmd[n] = '\0';
    }
    if (n <= 0)
        snprintf(cmd, sizeof cmd, "[%s]", comm);
    printf("%5d %5d %c     %s\n", pid, ppid, state, cmd);
}

int main(void)
{
    DIR *d = opendir("/proc");
    if (!d) {
        perror("ps: /proc");
        return 1;
    }
    int *pids = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            int *grown = realloc(pids, cap * sizeof *pids);
            if (!grown)
                break;
            pids = grown;
        }
        pids[count++] = atoi(e->d_name);
    }
    closedir(d);
    qsort(pids, count, sizeof *pids, compare_pids);
    printf("  PID  PPID STATE CMD\n");
    for (size_t i = 0; i < count; i++)
        show(pids[i]);
    free(pids);
    return 0;
}
