/* mv: rename a file, or move files into an existing directory (same filesystem only). */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int move_one(const char *from, const char *to)
{
    if (rename(from, to) < 0) {
        fprintf(stderr, "mv: %s -> %s: %s\n", from, to, strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mv SOURCE... DEST\n");
        return 1;
    }
    const char *dest = argv[argc - 1];
    struct stat st;
    int dest_is_dir = stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
    if (argc > 3 && !dest_is_dir) {
        fprintf(stderr, "mv: %s: not a directory\n", dest);
        return 1;
    }
    int status = 0;
    for (int i = 1; i < argc - 1; i++) {
        if (!dest_is_dir) {
            status |= move_one(argv[i], dest);
            continue;
        }
        char *copy = strdup(argv[i]);
        if (!copy)
            return 1;
        const char *base = basename(copy);
        size_t len = strlen(dest) + strlen(base) + 2;
        char *target = malloc(len);
        if (!target)
            return 1;
        snprintf(target, len, "%s/%s", dest, base);
        status |= move_one(argv[i], target);
        free(target);
        free(copy);
    }
    return status;
}
