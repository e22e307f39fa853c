/* mm: the address space calls: brk (grow, shrink, zeroed regrowth, refusal), mmap (anonymous
 * private and shared — shared visible across fork, private copy-on-write — file-backed
 * private, MAP_FIXED replacement, PROT_EXEC/NX), munmap (partial, holes), mprotect (splits,
 * faults as SIGSEGV), mremap (grow, move, shrink) and their EINVAL/EBADF/ENOMEM errors. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "tap.h"

#define PAGE 4096UL

extern char end[]; /* end of .bss, from the linker */

static void *map_anon(size_t len, int prot)
{
    void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Child bodies for the fault checks: each performs one access that must kill it. */
static int touch_write(void *addr)
{
    *(volatile char *)addr = 1;
    return 0;
}

static int touch_read(void *addr)
{
    return *(volatile char *)addr == 0x55 ? 3 : 4;
}

static int call_code(void *addr)
{
    return ((int (*)(void))addr)();
}

static int all_zero(const volatile unsigned char *p, unsigned long len)
{
    for (unsigned long i = 0; i < len; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_brk(void)
{
    unsigned long cur = (unsigned long)SYS1(SYS_brk, 0);
    CHECK(cur >= (unsigned long)end, "initial brk (%#lx) is above the end of .bss (%#lx)", cur, (unsigned long)end);
    /* Work from the first page boundary at or above the break: a partial page below it
     * belongs to the data segment and is not given back when the break shrinks. */
    unsigned long base = (cur + PAGE - 1) & ~(PAGE - 1);
    unsigned long len = 3 * PAGE + 123;
    unsigned long want = base + len;
    volatile unsigned char *heap = (unsigned char *)base;
    CHECK_EQ(want, SYS1(SYS_brk, want), "brk grows by three pages and change");
    CHECK(all_zero(heap, len), "new brk memory reads as zero");
    memset((void *)heap, 0x5a, len);
    CHECK_EQ(0x5a, heap[len - 1], "new brk memory is writable up to the new break");
    CHECK_EQ(base, SYS1(SYS_brk, base), "brk shrinks back");
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(touch_read, (void *)(base + PAGE)),
                    "memory above a shrunk break is unmapped");
    CHECK_EQ(want, SYS1(SYS_brk, want), "brk grows again");
    CHECK(all_zero(heap, len), "memory given back by brk and grown again is zero, not stale");
    CHECK_EQ(want, SYS1(SYS_brk, PAGE), "brk below the data segment is refused (returns the current break)");
    CHECK_EQ(want, SYS1(SYS_brk, 0x0000800000000000UL), "brk into the kernel half is refused");
    SYS1(SYS_brk, cur);
}

static void test_anonymous(void)
{
    char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED, "mmap three anonymous private pages"))
        return;
    CHECK_EQ(0, (uintptr_t)p % PAGE, "mmap result is page aligned");
    int zero = 1;
    for (unsigned long i = 0; i < 3 * PAGE; i++)
        if (p[i])
            zero = 0;
    CHECK(zero, "anonymous memory is zero filled");
    memset(p, 0x55, 3 * PAGE);
    CHECK_EQ(0x55, p[3 * PAGE - 1], "anonymous memory is writable");

    /* mprotect the middle page read-only: the mapping splits in three. */
    CHECK_EQ(0, SYS3(SYS_mprotect, p + PAGE, PAGE, PROT_READ), "mprotect the middle page PROT_READ");
    CHECK_EQ(0x55, p[PAGE + 5], "a read-only page is still readable");
    CHECK_EXITED(0, tap_in_child(touch_write, p), "the page before it stays writable");
    CHECK_EXITED(0, tap_in_child(touch_write, p + 2 * PAGE), "the page after it stays writable");
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(touch_write, p + PAGE),
                    "writing a PROT_READ page kills with SIGSEGV");
    CHECK_EQ(0, SYS3(SYS_mprotect, p + PAGE, PAGE, PROT_NONE), "mprotect the middle page PROT_NONE");
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(touch_read, p + PAGE),
                    "reading a PROT_NONE page kills with SIGSEGV");
    CHECK_EQ(0, SYS3(SYS_mprotect, p + PAGE, PAGE, PROT_READ | PROT_WRITE), "mprotect it back to read-write");
    CHECK_EQ(0x55, p[PAGE + 7], "contents survive PROT_NONE and back");
    CHECK_ERR(EINVAL, SYS3(SYS_mprotect, p + 1, PAGE, PROT_READ), "mprotect of an unaligned address");
    CHECK_ERR(EINVAL, SYS3(SYS_mprotect, p, PAGE, 0x1000), "mprotect with unknown PROT bits");
    CHECK_ERR(ENOMEM, SYS3(SYS_mprotect, tap_unmapped_address(), PAGE, PROT_READ), "mprotect of unmapped memory");

    /* Unmap the middle page: a hole between two live pages. */
    CHECK_EQ(0, SYS2(SYS_munmap, p + PAGE, PAGE), "munmap the middle page");
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(touch_read, p + PAGE),
                    "reading an unmapped hole kills with SIGSEGV");
    CHECK_EQ(0x55, p[0], "the page before the hole is intact");
    CHECK_EQ(0x55, p[2 * PAGE], "the page after the hole is intact");
    CHECK_EQ(0, SYS2(SYS_munmap, p, 3 * PAGE), "munmap across the hole succeeds");
    CHECK_EQ(0, SYS2(SYS_munmap, p, 3 * PAGE), "munmap of an already unmapped range succeeds");
    CHECK_ERR(EINVAL, SYS2(SYS_munmap, p + 1, PAGE), "munmap of an unaligned address");
    CHECK_ERR(EINVAL, SYS2(SYS_munmap, p, 0), "munmap of zero length");
}

static void test_mmap_errors(void)
{
    CHECK_ERR(EINVAL, SYS6(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), "mmap of zero length");
    CHECK_ERR(EINVAL, SYS6(SYS_mmap, 0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0),
              "mmap with neither MAP_PRIVATE nor MAP_SHARED");
    CHECK_ERR(EBADF, SYS6(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, TAP_BAD_FD, 0), "file mmap of a bad fd");
    CHECK_ERR(EINVAL, SYS6(SYS_mmap, 0x10001000UL + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
              "MAP_FIXED at an unaligned address");
    CHECK_ERR(ENOMEM, SYS6(SYS_mmap, 0, 1UL << 50, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              "mmap larger than the address space");
}

static void test_fixed(void)
{
    char *p = map_anon(3 * PAGE, PROT_READ | PROT_WRITE);
    if (!CHECK(p != NULL, "mmap three pages for MAP_FIXED"))
        return;
    memset(p, 'A', 3 * PAGE);
    char *q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(q == p + PAGE, "MAP_FIXED returns exactly the requested address");
    CHECK_EQ(0, p[PAGE], "MAP_FIXED replaced the old page with a zero page");
    CHECK_EQ('A', p[PAGE - 1], "the page before is untouched");
    CHECK_EQ('A', p[2 * PAGE], "the page after is untouched");
    munmap(p, 3 * PAGE);
}

static void test_exec(void)
{
    static const unsigned char code[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3}; /* mov $42,%eax; ret */
    unsigned char *p = map_anon(PAGE, PROT_READ | PROT_WRITE);
    if (!CHECK(p != NULL, "mmap a page for code"))
        return;
    memcpy(p, code, sizeof code);
    CHECK_KILLED_BY(SIGSEGV, tap_in_child(call_code, p), "executing a page without PROT_EXEC faults (NX)");
    CHECK_EQ(0, mprotect(p, PAGE, PROT_READ | PROT_EXEC), "mprotect the code page PROT_READ|PROT_EXEC");
    CHECK_EXITED(42, tap_in_child(call_code, p), "code in a PROT_EXEC page runs");
    munmap(p, PAGE);
}

static void test_shared_and_private_fork(void)
{
    volatile int *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile int *priv = map_anon(PAGE, PROT_READ | PROT_WRITE);
    if (!CHECK(shared != MAP_FAILED && priv != NULL, "mmap a shared and a private anonymous page"))
        return;
    shared[0] = 1;
    priv[0] = 1;
    int to_child[2], to_parent[2];
    pipe2(to_child, 0);
    pipe2(to_parent, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        shared[0] = 2;
        priv[0] = 2;
        char c;
        write(to_parent[1], "w", 1);
        read(to_child[0], &c, 1); /* the parent has written its values */
        _exit((shared[0] == 3 ? 0 : 10) + (priv[0] == 2 ? 0 : 20));
    }
    char c = 0;
    read(to_parent[0], &c, 1);
    CHECK_EQ(2, shared[0], "a child's write to MAP_SHARED memory is visible to the parent");
    CHECK_EQ(1, priv[0], "a child's write to MAP_PRIVATE memory is not (copy-on-write)");
    shared[0] = 3;
    priv[0] = 3;
    write(to_child[1], "x", 1);
    int status;
    waitpid(pid, &status, 0);
    CHECK_EXITED(0, status, "the child sees the parent's shared write and not its private write");
    close(to_child[0]);
    close(to_child[1]);
    close(to_parent[0]);
    close(to_parent[1]);
    munmap((void *)shared, PAGE);
    munmap((void *)priv, PAGE);
}

static void test_file_private(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/mm_file_%d", getpid());
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (!CHECK_LIBC_OK(fd, "create a file in /tmp to map"))
        return;
    static char content[2 * PAGE + 100];
    for (size_t i = 0; i < sizeof content; i++)
        content[i] = (char)('a' + i % 26);
    write(fd, content, sizeof content);

    char *m = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    if (CHECK(m != MAP_FAILED, "mmap the file PROT_READ MAP_PRIVATE")) {
        CHECK(memcmp(m, content, sizeof content) == 0, "mapped bytes equal the file contents");
        int zero = 1;
        for (size_t i = sizeof content; i < 3 * PAGE; i++)
            if (m[i])
                zero = 0;
        CHECK(zero, "the rest of the last page past end of file reads as zero");
        munmap(m, 3 * PAGE);
    }
    m = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
    if (CHECK(m != MAP_FAILED, "mmap the file at offset 4096"))
        CHECK(memcmp(m, content + PAGE, PAGE) == 0, "an offset mapping shows the second page");
    if (m != MAP_FAILED)
        munmap(m, PAGE);
    CHECK_ERR(EINVAL, SYS6(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), "file mmap at an unaligned offset");

    m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (CHECK(m != MAP_FAILED, "mmap the file PROT_READ|PROT_WRITE MAP_PRIVATE")) {
        m[0] = 'Z';
        char first = 0;
        pread(fd, &first, 1, 0);
        CHECK_EQ('a', first, "writing a private file mapping does not change the file");
        CHECK_EQ('Z', m[0], "the private copy holds the write");
        munmap(m, PAGE);
    }
    int wfd = open(path, O_WRONLY);
    CHECK_ERR(EACCES, SYS6(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, wfd, 0), "mmap of a write-only fd");
    close(wfd);
    close(fd);
    unlink(path);
}

static void test_mremap(void)
{
    char *p = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
    if (!CHECK(p != NULL, "mmap two pages for mremap"))
        return;
    memset(p, 'M', 2 * PAGE);
    char *q = mremap(p, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
    if (CHECK(q != MAP_FAILED, "mremap grows 2 -> 8 pages with MREMAP_MAYMOVE")) {
        CHECK(q[0] == 'M' && q[2 * PAGE - 1] == 'M', "contents move with the mapping");
        int zero = 1;
        for (unsigned long i = 2 * PAGE; i < 8 * PAGE; i++)
            if (q[i])
                zero = 0;
        CHECK(zero, "the grown part is zero");
        q[8 * PAGE - 1] = 1;
        char *r = mremap(q, 8 * PAGE, PAGE, 0);
        CHECK(r == q, "mremap shrinks in place");
        CHECK_KILLED_BY(SIGSEGV, tap_in_child(touch_read, q + PAGE),
                        "pages cut off by a shrinking mremap are unmapped");
        munmap(q, PAGE);
    }
    /* A mapping followed by a differently protected page cannot grow in place. */
    char *a = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
    if (a) {
        mprotect(a + PAGE, PAGE, PROT_READ);
        CHECK_ERR(ENOMEM, SYS5(SYS_mremap, a, PAGE, 2 * PAGE, 0, 0), "mremap cannot grow into a neighbour without MAYMOVE");
        munmap(a, 2 * PAGE);
    }
    CHECK_ERR(EINVAL, SYS5(SYS_mremap, 0x10000001UL, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0), "mremap of an unaligned address");
    CHECK_ERR(EINVAL, SYS5(SYS_mremap, 0x10000000UL, PAGE, 2 * PAGE, 0x80, 0), "mremap with unknown flags");
    CHECK_ERR(EFAULT, SYS5(SYS_mremap, tap_unmapped_address(), PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0), "mremap of unmapped memory");
}

int main(void)
{
    test_brk();
    test_anonymous();
    test_mmap_errors();
    test_fixed();
    test_exec();
    test_shared_and_private_fork();
    test_file_private();
    test_mremap();
    return tap_done();
}
