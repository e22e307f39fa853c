/* ls: list directory contents, one name per line; -l long format, -a include dot files. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static int opt_long, opt_all;

static void mode_string(mode_t m, char out[11])
{
    char t = '?';
    if (S_ISREG(m)) t = '-';
    else if (S_ISDIR(m)) t = 'd';
    else if (S_ISLNK(m)) t = 'l';
    else if (S_ISCHR(m)) t = 'c';
    else if (S_ISBLK(m)) t = 'b';
    else if (S_ISFIFO(m)) t = 'p';
    else if (S_ISSOCK(m)) t = 's';
    out[0] = t;
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        out[1 + i] = (m & (0400 >> i)) ? rwx[i] : '-';
    if (m & S_ISUID) out[3] = (m & S_IXUSR) ? 's' : 'S';
    if (m & S_ISGID) out[6] = (m & S_IXGRP) ? 's' : 'S';
    if (m & S_ISVTX) out[9] = (m & S_IXOTH) ? 't' : 'T';
    out[10] = '\0';
}

/* Prints one entry; path is used for lstat/readlink, name is what is shown. */
static int print_entry(const char *path, const char *name)
{
    if (!opt_long) {
        printf("%s\n", name);
        return 0;
    }
    struct stat st;
    if (lstat(path, &st) < 0) {
        fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char mode[11];
    mode_string(st.st_mode, mode);
    char when[32] = "?";
    time_t mtime = st.st_mtime;
    struct tm tm;
    if (gmtime_r(&mtime, &tm))
        strftime(when, sizeof when, "%b %e %H:%M", &tm);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        printf("%s %2lu %4u %4u %4u, %4u %s %s", mode, (unsigned long)st.st_nlink, st.st_uid, st.st_gid,
               major(st.st_rdev), minor(st.st_rdev), when, name);
    else
        printf("%s %2lu %4u %4u %9lld %s %s", mode, (unsigned long)st.st_nlink, st.st_uid, st.st_gid,
               (long long)st.st_size, when, name);
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n >= 0) {
            target[n] = '\0';
            printf(" -> %s", target);
        }
    }
    printf("\n");
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_directory(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "ls: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && !opt_all)
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[count] = strdup(e->d_name);
        if (names[count])
            count++;
    }
    closedir(d);
    qsort(names, count, sizeof *names, compare_names);
    int status = 0;
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(len);
        if (path) {
            snprintf(path, len, "%s/%s", dir, names[i]);
            status |= print_entry(path, names[i]);
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return status;
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        for (const char *f = argv[i] + 1; *f; f++) {
            if (*f == 'l')
                opt_long = 1;
            else if (*f == 'a')
                opt_all = 1;
            else {
                fprintf(stderr, "usage: ls [-la] [FILE]...\n");
                return 2;
            }
        }
    }
    if (i == argc)
        return list_directory(".");

    int status = 0, printed = 0;
    int nargs = argc - i;
    /* Files first, then directories with a header when there is more than one argument. */
    for (int j = i; j < argc; j++) {
        struct stat st;
        if (stat(argv[j], &st) < 0 && lstat(argv[j], &st) < 0) {
            fprintf(stderr, "ls: %s: %s\n", argv[j], strerror(errno));
            status = 2;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            status |= print_entry(argv[j], argv[j]);
            printed = 1;
        }
    }
    for (int j = i; j < argc; j++) {
        struct stat st;
        if (stat(argv[j], &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        if (nargs > 1)
            printf("%s%s:\n", printed ? "\n" : "", argv[j]);
        status |= list_directory(argv[j]);
        printed = 1;
    }
    return status;
}
