/* sleep: pause for a (decimal) number of seconds, e.g. `sleep 0.25`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: sleep SECONDS\n");
        return 1;
    }
    char *end;
    double seconds = strtod(argv[1], &end);
    if (end == argv[1] || *end != '\0' || !(seconds >= 0) || seconds > 1e9) {
        fprintf(stderr, "sleep: invalid time interval '%s'\n", argv[1]);
        return 1;
    }
    struct timespec req;
    req.tv_sec = (time_t)seconds;
    req.tv_nsec = (long)((seconds - (double)req.tv_sec) * 1e9);
    if (req.tv_nsec >= 1000000000L)
        req.tv_nsec = 999999999L;
    while (nanosleep(&req, &req) < 0) {
        if (errno != EINTR) {
            perror("sleep");
            return 1;
        }
    }
    return 0;
}
