/* echo: print the arguments separated by spaces; -n suppresses the trailing newline. */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int newline = 1;
    int i = 1;
    while (i < argc && strcmp(argv[i], "-n") == 0) {
        newline = 0;
        i++;
    }
    /* Build the whole output first so it reaches a pipe in a single write. */
    size_t len = 0;
    for (int j = i; j < argc; j++)
        len += strlen(argv[j]) + 1;
    char out[len + 2];
    size_t pos = 0;
    for (int j = i; j < argc; j++) {
        if (j > i)
            out[pos++] = ' ';
        size_t n = strlen(argv[j]);
        memcpy(out + pos, argv[j], n);
        pos += n;
    }
    if (newline)
        out[pos++] = '\n';
    size_t done = 0;
    while (done < pos) {
        ssize_t n = write(1, out + done, pos - done);
        if (n <= 0)
            return 1;
        done += (size_t)n;
    }
    return 0;
}
