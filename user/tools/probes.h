/* probes.h: probe targets for the tools that attach to functions (funclatency, funccount,
 * stackcount). A target is a kernel function (`vfs_read`, optionally `k:vfs_read`) or a user
 * function `PATH:FUNC` (optionally `u:PATH:FUNC`; PATH is an ELF file, FUNC a symbol of its
 * symbol table). Patterns may contain fnmatch wildcards (`vfs_*`), expanded against
 * /proc/kallsyms or the file's ELF symbols. Attaching goes through libbpf's kprobe and uprobe
 * attach functions, which use the kprobe/uprobe PMUs or the tracefs *_events files. */
#ifndef EXT_EBPF_PROBES_H
#define EXT_EBPF_PROBES_H

#include <fnmatch.h>
#include <limits.h>
#include "symbols.h"
#include "tools.h"

struct probe_target {
    int user;            /* 1: uprobe in `path`, 0: kprobe */
    char path[PATH_MAX]; /* user: the file's absolute path */
    char func[256];      /* function name or pattern */
};

/* Parses "[k:]FUNC" or "[u:]PATH:FUNC". Returns 0, or -1 with a message on stderr. */
TOOL_FN int probe_target_parse(const char *tool, const char *text, struct probe_target *t)
{
    memset(t, 0, sizeof *t);
    if (strncmp(text, "k:", 2) == 0)
        text += 2;
    else if (strncmp(text, "u:", 2) == 0)
        t->user = 1, text += 2;
    const char *colon = strrchr(text, ':');
    if (colon)
        t->user = 1;
    if (!t->user) {
        snprintf(t->func, sizeof t->func, "%s", text);
        return t->func[0] ? 0 : -1;
    }
    if (!colon || colon == text || !colon[1]) {
        fprintf(stderr, "%s: '%s': expected PATH:FUNCTION for a user function\n", tool, text);
        return -1;
    }
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%.*s", (int)(colon - text), text);
    if (!realpath(file, t->path)) {
        fprintf(stderr, "%s: %s: %s\n", tool, file, strerror(errno));
        return -1;
    }
    snprintf(t->func, sizeof t->func, "%s", colon + 1);
    return 0;
}

TOOL_FN int probe_has_wildcard(const char *pattern)
{
    return strpbrk(pattern, "*?[") != NULL;
}

/* Calls `found(name, arg)` for every distinct function name matching t->func: kernel text
 * symbols from /proc/kallsyms (C names only: mangled C++ names and compiler clones with a
 * '.' are not probe targets) or the FUNC symbols of t->path. Returns the number of calls. */
TOOL_FN int probe_expand(const struct probe_target *t, void (*found)(const char *name, void *arg), void *arg)
{
    struct symtab user = { 0 };
    const struct symtab *tab;
    if (t->user) {
        int is_dyn;
        if (elf_symbols(t->path, &user, &is_dyn) != 0)
            return 0;
        tab = &user;
    } else {
        tab = kernel_symbols();
    }
    /* Names sorted so that duplicates (aliases, several symbol tables) are reported once. */
    const char **names = calloc(tab->count ? tab->count : 1, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; names && i < tab->count; i++) {
        const char *name = tab->syms[i].name;
        if (!t->user && (strncmp(name, "_Z", 2) == 0 || strchr(name, '.')))
            continue;
        if (fnmatch(t->func, name, 0) == 0)
            names[n++] = name;
    }
    int calls = 0;
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(names[i], names[j]) == 0;
        if (!dup) {
            found(names[i], arg);
            calls++;
        }
    }
    free(names);
    for (size_t i = 0; i < user.count; i++)
        free(user.syms[i].name);
    free(user.syms);
    return calls;
}

/* Attaches `prog` to function `func` of target `t` (entry, or return with `retprobe`), for
 * process `pid` (user functions; -1 all), with `cookie` for bpf_get_attach_cookie. NULL with
 * errno set on failure. */
TOOL_FN struct bpf_link *probe_attach(struct bpf_program *prog, const struct probe_target *t, const char *func,
                                     int retprobe, int pid, __u64 cookie)
{
    if (t->user) {
        LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = func, .retprobe = retprobe, .bpf_cookie = cookie);
        return bpf_program__attach_uprobe_opts(prog, pid, t->path, 0, &uo);
    }
    LIBBPF_OPTS(bpf_kprobe_opts, ko, .retprobe = retprobe, .bpf_cookie = cookie);
    return bpf_program__attach_kprobe_opts(prog, func, &ko);
}

#endif
