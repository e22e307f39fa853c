/* uname: print system information (-s default, -n, -r, -v, -m, -a). */
#include <stdio.h>
#include <sys/utsname.h>

int main(int argc, char **argv)
{
    enum { SYS = 1, NODE = 2, REL = 4, VER = 8, MACH = 16, ALL = 31 };
    int which = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-' || !argv[i][1])
            goto usage;
        for (const char *f = argv[i] + 1; *f; f++) {
            switch (*f) {
            case 'a': which |= ALL; break;
            case 's': which |= SYS; break;
            case 'n': which |= NODE; break;
            case 'r': which |= REL; break;
            case 'v': which |= VER; break;
            case 'm': which |= MACH; break;
            default: goto usage;
            }
        }
    }
    if (!which)
        which = SYS;
    struct utsname u;
    if (uname(&u) < 0) {
        perror("uname");
        return 1;
    }
    const char *parts[] = {u.sysname, u.nodename, u.release, u.version, u.machine};
    int first = 1;
    for (int i = 0; i < 5; i++) {
        if (!(which & (1 << i)))
            continue;
        printf("%s%s", first ? "" : " ", parts[i]);
        first = 0;
    }
    printf("\n");
    return 0;
usage:
    fprintf(stderr, "usage: uname [-asnrvm]\n");
    return 1;
}
