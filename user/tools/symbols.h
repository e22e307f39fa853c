/* symbols.h: address → symbol name for profile and stackcount (and the kernel symbol list
 * funccount expands wildcards against). Kernel addresses come from /proc/kallsyms
 * (text symbols, sorted once); user addresses from the ELF symbol table of the file mapped at
 * that address in /proc/<pid>/maps (libelf), per process and cached. Both return NULL when no
 * symbol covers the address (the caller prints the hex address). */
#ifndef EXT_EBPF_SYMBOLS_H
#define EXT_EBPF_SYMBOLS_H

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYMBOLS_FN static __attribute__((unused))

struct sym {
    uint64_t addr, size; /* size 0: up to the next symbol */
    char *name;
};

struct symtab {
    struct sym *syms;
    size_t count, cap;
};

SYMBOLS_FN int sym_cmp(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

SYMBOLS_FN void symtab_add(struct symtab *t, uint64_t addr, uint64_t size, const char *name)
{
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->syms = realloc(t->syms, t->cap * sizeof *t->syms);
        if (!t->syms) {
            t->count = t->cap = 0;
            return;
        }
    }
    t->syms[t->count++] = (struct sym){ addr, size, strdup(name) };
}

SYMBOLS_FN const char *symtab_find(const struct symtab *t, uint64_t addr)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct sym *s = &t->syms[lo - 1];
    if (s->size && addr >= s->addr + s->size)
        return NULL;
    return s->name;
}

/* /proc/kallsyms text symbols (all zero addresses: no permission, nothing loaded). */
SYMBOLS_FN struct symtab *kernel_symbols(void)
{
    static struct symtab t;
    static int loaded;
    if (loaded)
        return &t;
    loaded = 1;
    FILE *f = fopen("/proc/kallsyms", "r");
    if (!f)
        return &t;
    char line[512], name[256], type;
    unsigned long long addr;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || addr == 0)
            continue;
        if (type == 't' || type == 'T' || type == 'w' || type == 'W')
            symtab_add(&t, addr, 0, name);
    }
    fclose(f);
    qsort(t.syms, t.count, sizeof *t.syms, sym_cmp);
    return &t;
}

/* Function symbols of an ELF file at their link-time addresses; *is_dyn says ET_DYN. */
SYMBOLS_FN int elf_symbols(const char *path, struct symtab *t, int *is_dyn)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    GElf_Ehdr ehdr;
    if (!elf || !gelf_getehdr(elf, &ehdr)) {
        if (elf)
            elf_end(elf);
        close(fd);
        return -1;
    }
    *is_dyn = ehdr.e_type == ET_DYN;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) || !sh.sh_entsize)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        size_t n = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; data && i < n; i++) {
            GElf_Sym s;
            if (!gelf_getsym(data, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC || !s.st_value)
                continue;
            const char *name = elf_strptr(elf, sh.sh_link, s.st_name);
            if (name && *name)
                symtab_add(t, s.st_value, s.st_size, name);
        }
    }
    elf_end(elf);
    close(fd);
    qsort(t->syms, t->count, sizeof *t->syms, sym_cmp);
    return 0;
}

/* One executable mapping of a process with its file's symbols. */
struct user_map {
    uint64_t start, end, offset;
    int is_dyn;
    struct symtab syms;
};

struct process_syms {
    uint32_t pid;
    struct user_map maps[16];
    int count;
};

/* Reads /proc/<pid>/maps once per pid (the process may be gone: then nothing resolves). */
SYMBOLS_FN struct process_syms *process_symbols(uint32_t pid)
{
    static struct process_syms cache[64];
    static int used;
    for (int i = 0; i < used; i++)
        if (cache[i].pid == pid)
            return &cache[i];
    struct process_syms *p = &cache[used < 64 ? used++ : (int)(pid % 64)];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%u/maps", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return p;
    while (fgets(line, sizeof line, f) && p->count < 16) {
        unsigned long long start, end, offset;
        char perms[8], file[512] = "";
        if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %511s", &start, &end, perms, &offset, file) < 4)
            continue;
        if (perms[2] != 'x' || file[0] != '/')
            continue;
        struct user_map *m = &p->maps[p->count];
        m->start = start;
        m->end = end;
        m->offset = offset;
        if (elf_symbols(file, &m->syms, &m->is_dyn) == 0)
            p->count++;
    }
    fclose(f);
    return p;
}

SYMBOLS_FN const char *user_symbol(uint32_t pid, uint64_t addr)
{
    struct process_syms *p = process_symbols(pid);
    for (int i = 0; i < p->count; i++) {
        struct user_map *m = &p->maps[i];
        if (addr < m->start || addr >= m->end)
            continue;
        uint64_t file_addr = m->is_dyn ? addr - m->start + m->offset : addr;
        return symtab_find(&m->syms, file_addr);
    }
    return NULL;
}

#endif
