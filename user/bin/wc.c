/* wc: count lines, words and bytes (-l, -w, -c select columns) of files or stdin. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct counts {
    unsigned long lines, words, bytes;
};

static int count_fd(int fd, struct counts *c)
{
    char buf[4096];
    int in_word = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c->bytes += (unsigned long)n;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)buf[i];
            if (ch == '\n')
                c->lines++;
            if (isspace(ch)) {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                c->words++;
            }
        }
    }
}

static int show_lines, show_words, show_bytes;

static void print_counts(const struct counts *c, const char *name, int width)
{
    int first = 1;
    unsigned long values[3] = {c->lines, c->words, c->bytes};
    int shown[3] = {show_lines, show_words, show_bytes};
    for (int i = 0; i < 3; i++) {
        if (!shown[i])
            continue;
        printf(first ? "%*lu" : " %*lu", width, values[i]);
        first = 0;
    }
    if (name)
        printf(" %s", name);
    printf("\n");
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        for (const char *f = argv[i] + 1; *f; f++) {
            if (*f == 'l') show_lines = 1;
            else if (*f == 'w') show_words = 1;
            else if (*f == 'c') show_bytes = 1;
            else {
                fprintf(stderr, "usage: wc [-lwc] [FILE]...\n");
                return 1;
            }
        }
    }
    if (!show_lines && !show_words && !show_bytes)
        show_lines = show_words = show_bytes = 1;
    int columns = show_lines + show_words + show_bytes;

    if (i == argc) {
        struct counts c = {0, 0, 0};
        if (count_fd(0, &c) < 0) {
            perror("wc");
            return 1;
        }
        print_counts(&c, NULL, columns == 1 ? 1 : 7);
        return 0;
    }
    struct counts total = {0, 0, 0};
    int status = 0, files = argc - i;
    for (; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
        struct counts c = {0, 0, 0};
        if (fd < 0 || count_fd(fd, &c) < 0) {
            fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            if (fd >= 0)
                close(fd);
            continue;
        }
        close(fd);
        print_counts(&c, argv[i], columns == 1 && files == 1 ? 1 : 7);
        total.lines += c.lines;
        total.words += c.words;
        total.bytes += c.bytes;
    }
    if (files > 1)
        print_counts(&total, "total", 7);
    return status;
}
