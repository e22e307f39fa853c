/* meminfo.h: what the leak tests (memfree.c, bpf_leak.c) share: MemFree read without
 * allocating, and whether this is the ext-ebpf kernel (where MemFree must not move; on other
 * kernels it fluctuates and the comparison is reported as a SKIP). Include after tap.h. */
#ifndef EXT_EBPF_MEMINFO_H
#define EXT_EBPF_MEMINFO_H

#include <fcntl.h>
#include <sys/utsname.h>

/* Parses MemFree (kB) with raw syscalls into a static buffer: nothing here allocates. */
TAP_FN long mem_free_kb(void)
{
    static char buf[8192];
    long fd = SYS3(SYS_open, "/proc/meminfo", O_RDONLY, 0);
    if (fd < 0)
        return -1;
    long total = 0, n;
    while (total < (long)sizeof buf - 1 && (n = SYS3(SYS_read, fd, buf + total, sizeof buf - 1 - total)) > 0)
        total += n;
    SYS1(SYS_close, fd);
    buf[total] = '\0';
    const char *p = strstr(buf, "MemFree:");
    if (!p)
        return -1;
    p += 8;
    while (*p == ' ')
        p++;
    long kb = 0;
    while (*p >= '0' && *p <= '9')
        kb = kb * 10 + (*p++ - '0');
    return kb;
}

/* True when uname -r ends in "ext-ebpf". */
TAP_FN int on_ext_ebpf_kernel(void)
{
    struct utsname u;
    if (uname(&u) != 0)
        return 0;
    size_t a = strlen(u.release), b = strlen("ext-ebpf");
    return a >= b && strcmp(u.release + a - b, "ext-ebpf") == 0;
}

#endif
