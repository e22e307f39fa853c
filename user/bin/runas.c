/* runas UID[:GID] CMD [ARGS...]: run CMD with real, effective and saved uid UID and gid GID
 * (default: GID = UID) and no supplementary groups, like `setpriv --reuid --regid
 * --clear-groups`. Needs root; exits 126 if the ids cannot be set, 127 if CMD is not found. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_id(const char *text, char **end, unsigned *id)
{
    if (*text < '0' || *text > '9')
        return -1;
    unsigned long value = strtoul(text, end, 10);
    if (value > 0xfffffffeUL)
        return -1;
    *id = (unsigned)value;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: runas UID[:GID] CMD [ARGS...]\n");
        return 125;
    }
    char *end;
    unsigned uid, gid;
    if (parse_id(argv[1], &end, &uid) != 0 || (*end && *end != ':')) {
        fprintf(stderr, "runas: bad UID[:GID] '%s'\n", argv[1]);
        return 125;
    }
    gid = uid;
    if (*end == ':' && (parse_id(end + 1, &end, &gid) != 0 || *end)) {
        fprintf(stderr, "runas: bad UID[:GID] '%s'\n", argv[1]);
        return 125;
    }
    if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
        fprintf(stderr, "runas: cannot become %u:%u: %s\n", uid, gid, strerror(errno));
        return 126;
    }
    execvp(argv[2], argv + 2);
    fprintf(stderr, "runas: %s: %s\n", argv[2], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
