/* free: memory usage in KiB from /proc/meminfo (columns total, used, free like `free -k`). */
#include <stdio.h>
#include <string.h>

struct field {
    const char *name;
    unsigned long long value;
    int found;
};

int main(void)
{
    struct field fields[] = {
        {"MemTotal", 0, 0}, {"MemFree", 0, 0}, {"Buffers", 0, 0}, {"Cached", 0, 0},
        {"SReclaimable", 0, 0}, {"SwapTotal", 0, 0}, {"SwapFree", 0, 0},
    };
    enum { MEM_TOTAL, MEM_FREE, BUFFERS, CACHED, SRECLAIMABLE, SWAP_TOTAL, SWAP_FREE, NFIELDS };

    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) {
        perror("free: /proc/meminfo");
        return 1;
    }
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char name[64];
        unsigned long long value;
        if (sscanf(line, "%63[^:]: %llu", name, &value) != 2)
            continue;
        for (int i = 0; i < NFIELDS; i++) {
            if (strcmp(name, fields[i].name) == 0) {
                fields[i].value = value;
                fields[i].found = 1;
            }
        }
    }
    fclose(f);
    if (!fields[MEM_TOTAL].found || !fields[MEM_FREE].found) {
        fprintf(stderr, "free: /proc/meminfo lacks MemTotal or MemFree\n");
        return 1;
    }
    unsigned long long total = fields[MEM_TOTAL].value, free_kb = fields[MEM_FREE].value;
    unsigned long long cache = fields[BUFFERS].value + fields[CACHED].value + fields[SRECLAIMABLE].value;
    unsigned long long used = total > free_kb + cache ? total - free_kb - cache : total - free_kb;
    printf("%18s %11s %11s\n", "total", "used", "free");
    printf("Mem:   %11llu %11llu %11llu\n", total, used, free_kb);
    if (fields[SWAP_TOTAL].found) {
        unsigned long long st = fields[SWAP_TOTAL].value, sf = fields[SWAP_FREE].value;
        printf("Swap:  %11llu %11llu %11llu\n", st, st >= sf ? st - sf : 0, sf);
    }
    return 0;
}
