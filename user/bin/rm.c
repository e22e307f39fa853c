/* rm: remove files; -r removes directories recursively, -f ignores missing files. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int recursive, force;

static int remove_path(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (force && errno == ENOENT)
            return 0;
        fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) < 0) {
            fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
            return 1;
        }
        return 0;
    }
    if (!recursive) {
        fprintf(stderr, "rm: %s: is a directory\n", path);
        return 1;
    }
    int status = 0;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *child = malloc(len);
        if (!child) {
            status = 1;
            break;
        }
        snprintf(child, len, "%s/%s", path, e->d_name);
        status |= remove_path(child);
        free(child);
    }
    closedir(d);
    if (rmdir(path) < 0) {
        fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
        status = 1;
    }
    return status;
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        for (const char *f = argv[i] + 1; *f; f++) {
            if (*f == 'r' || *f == 'R')
                recursive = 1;
            else if (*f == 'f')
                force = 1;
            else {
                fprintf(stderr, "usage: rm [-rf] FILE...\n");
                return 1;
            }
        }
    }
    if (i == argc && !force) {
        fprintf(stderr, "usage: rm [-rf] FILE...\n");
        return 1;
    }
    int status = 0;
    for (; i < argc; i++)
        status |= remove_path(argv[i]);
    return status;
}
