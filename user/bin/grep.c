/* grep: print lines containing a fixed string: grep [-cvqn] STRING [FILE]...
 * Exit status 0 if a line was selected, 1 if none, 2 on error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int opt_count, opt_invert, opt_quiet, opt_number;

/* Returns the number of selected lines in f; -1 never happens (read errors end the input). */
static long grep_stream(FILE *f, const char *pattern, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long selected = 0, lineno = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        int match = strstr(line, pattern) != NULL;
        if (match == opt_invert)
            continue;
        selected++;
        if (opt_quiet)
            break;
        if (opt_count)
            continue;
        if (name)
            printf("%s:", name);
        if (opt_number)
            printf("%ld:", lineno);
        fwrite(line, 1, (size_t)len, stdout);
        if (len == 0 || line[len - 1] != '\n')
            putchar('\n');
    }
    free(line);
    if (opt_count && !opt_quiet) {
        if (name)
            printf("%s:", name);
        printf("%ld\n", selected);
    }
    return selected;
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        for (const char *f = argv[i] + 1; *f; f++) {
            if (*f == 'c') opt_count = 1;
            else if (*f == 'v') opt_invert = 1;
            else if (*f == 'q') opt_quiet = 1;
            else if (*f == 'n') opt_number = 1;
            else if (*f == 'F') continue; /* patterns are always fixed strings */
            else {
                fprintf(stderr, "usage: grep [-cvqnF] STRING [FILE]...\n");
                return 2;
            }
        }
    }
    if (i == argc) {
        fprintf(stderr, "usage: grep [-cvqnF] STRING [FILE]...\n");
        return 2;
    }
    const char *pattern = argv[i++];
    long selected = 0;
    int error = 0;
    if (i == argc) {
        selected = grep_stream(stdin, pattern, NULL);
    } else {
        int files = argc - i;
        for (; i < argc; i++) {
            FILE *f = fopen(argv[i], "r");
            if (!f) {
                if (!opt_quiet)
                    perror(argv[i]);
                error = 1;
                continue;
            }
            selected += grep_stream(f, pattern, files > 1 ? argv[i] : NULL);
            fclose(f);
            if (opt_quiet && selected)
                break;
        }
    }
    fflush(stdout);
    if (selected)
        return 0;
    return error ? 2 : 1;
}
