/* bpftest.h: shared helpers for the libbpf conformance tests (user/bpftests).
 *
 * Builds on user/tests/tap.h (TAP output: CHECK, CHECK_EQ, CHECK_ERR, tap_skip, tap_done). Adds:
 * locating a test's BPF object (<name>.bpf.o next to the binary, in $BPFTESTS_DIR, or in
 * /bpftests), routing libbpf's own messages into TAP diagnostics ("# libbpf: ..."), opening and
 * loading an object as checks, the facility probes (tracefs, bpffs, PMUs, kprobes) that decide
 * between running a check and reporting "# SKIP <reason>", and /proc/kallsyms lookups.
 *
 * libbpf 1.x low-level calls (bpf_map_*, bpf_prog_*, bpf_obj_*) return -errno on failure, so
 * CHECK_ERR(ENOENT, bpf_map_lookup_elem(...), ...) checks an errno directly. */
#ifndef EXT_EBPF_BPFTEST_H
#define EXT_EBPF_BPFTEST_H

#include "tap.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define BT_BPF_FS_MAGIC 0xcafe4a11
#define BT_TRACEFS_MAGIC 0x74726163

static char bt_obj_dir[512];

/* libbpf messages become TAP diagnostics, one per line. Debug messages only with
 * BPFTESTS_DEBUG=1 in the environment. */
TAP_FN int bt_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    static int debug = -1;
    if (debug < 0)
        debug = getenv("BPFTESTS_DEBUG") != NULL;
    if (level == LIBBPF_DEBUG && !debug)
        return 0;
    static char text[65536];
    vsnprintf(text, sizeof text, fmt, ap);
    char *line = text;
    while (*line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (*line)
            printf("# %s%s\n", strncmp(line, "libbpf: ", 8) ? "libbpf: " : "", line);
        if (!nl)
            break;
        line = nl + 1;
    }
    fflush(stdout);
    return 0;
}

/* Call first: remembers where the objects are and routes libbpf's messages. */
TAP_FN void bt_init(int argc, char **argv)
{
    (void)argc;
    setvbuf(stdout, NULL, _IOLBF, 0);
    libbpf_set_print(bt_libbpf_print);
    const char *env = getenv("BPFTESTS_DIR");
    if (env && *env) {
        snprintf(bt_obj_dir, sizeof bt_obj_dir, "%s", env);
    } else if (argv && argv[0] && strchr(argv[0], '/')) {
        snprintf(bt_obj_dir, sizeof bt_obj_dir, "%s", argv[0]);
        *strrchr(bt_obj_dir, '/') = '\0';
        if (!bt_obj_dir[0])
            strcpy(bt_obj_dir, "/");
    } else {
        strcpy(bt_obj_dir, ".");
    }
}

/* The path of <name>.bpf.o: next to the binary (or $BPFTESTS_DIR), else /bpftests. */
TAP_FN const char *bt_obj_path(const char *name)
{
    static char path[640];
    snprintf(path, sizeof path, "%s/%s.bpf.o", bt_obj_dir, name);
    if (access(path, R_OK) == 0)
        return path;
    snprintf(path, sizeof path, "/bpftests/%s.bpf.o", name);
    return path;
}

/* Opens <name>.bpf.o as a check; NULL on failure. */
TAP_FN struct bpf_object *bt_open(const char *name)
{
    const char *path = bt_obj_path(name);
    struct bpf_object *obj = bpf_object__open_file(path, NULL);
    long err = libbpf_get_error(obj);
    if (!tap_ok(err == 0, "bpf_object__open_file(%s)", path)) {
        DIAG("error: %s", strerror((int)-err));
        return NULL;
    }
    return obj;
}

/* Loads an opened object as a check; 0 on success. */
TAP_FN int bt_load(struct bpf_object *obj)
{
    int err = bpf_object__load(obj);
    if (!tap_ok(err == 0, "bpf_object__load(%s)", bpf_object__name(obj))) {
        DIAG("error: %d (%s)", err, strerror(-err));
        return -1;
    }
    return 0;
}

/* Opens and loads <name>.bpf.o (two checks); NULL on failure (the object is closed). */
TAP_FN struct bpf_object *bt_open_load(const char *name)
{
    struct bpf_object *obj = bt_open(name);
    if (!obj)
        return NULL;
    if (bt_load(obj) != 0) {
        bpf_object__close(obj);
        return NULL;
    }
    return obj;
}

/* A map or program that must exist in the object (a failed lookup is reported and aborts). */
TAP_FN struct bpf_map *bt_map(struct bpf_object *obj, const char *name)
{
    struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
    if (!map) {
        tap_ok(0, "map %s exists in %s", name, bpf_object__name(obj));
        exit(tap_done());
    }
    return map;
}

TAP_FN struct bpf_program *bt_prog(struct bpf_object *obj, const char *name)
{
    struct bpf_program *prog = bpf_object__find_program_by_name(obj, name);
    if (!prog) {
        tap_ok(0, "program %s exists in %s", name, bpf_object__name(obj));
        exit(tap_done());
    }
    return prog;
}

/* Reads element `key` (a u32 index) of an array-like map as a u64 (the value may be 4 or 8 bytes). */
TAP_FN unsigned long long bt_array_u64(struct bpf_map *map, unsigned key)
{
    unsigned long long value = 0;
    if (bpf_map_lookup_elem(bpf_map__fd(map), &key, &value) != 0)
        return ~0ULL;
    return value;
}

/* Sets global variable `var` of the internal map `sec` (".rodata", ".data", ".bss") before the
 * object is loaded, at the offset the section's BTF DATASEC gives it, the way bpftool's
 * skeletons write skel->rodata->var; as a check. */
TAP_FN int bt_set_global(struct bpf_object *obj, const char *sec, const char *var, const void *value, size_t size)
{
    struct bpf_map *map = bpf_object__find_map_by_name(obj, sec);
    struct btf *btf = bpf_object__btf(obj);
    size_t map_size = 0;
    char *image = map ? (char *)bpf_map__initial_value(map, &map_size) : NULL;
    int id = btf ? btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC) : -1;
    if (image && id > 0) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        const struct btf_var_secinfo *vs = btf_var_secinfos(t);
        for (int i = 0; i < btf_vlen(t); i++, vs++) {
            const struct btf_type *v = btf__type_by_id(btf, vs->type);
            if (strcmp(btf__name_by_offset(btf, v->name_off), var) != 0)
                continue;
            if (vs->size != size || vs->offset + size > map_size)
                break;
            memcpy(image + vs->offset, value, size);
            return tap_ok(1, "set %s in %s before load (offset %u)", var, sec, vs->offset);
        }
    }
    return tap_ok(0, "set %s in %s before load", var, sec);
}

/* Mounts `type` at `dir` if nothing of that type is mounted there. Returns 1 if it is mounted
 * afterwards, 0 otherwise (with a reason in *why). */
TAP_FN int bt_ensure_mount(const char *type, const char *dir, long magic, const char **why)
{
    struct statfs st;
    if (statfs(dir, &st) == 0 && (long)st.f_type == magic)
        return 1;
    if (access(dir, F_OK) != 0) {
        *why = "mount point does not exist";
        return 0;
    }
    if (mount(type, dir, type, 0, NULL) != 0) {
        static char buf[160];
        snprintf(buf, sizeof buf, "%s is not mounted at %s and mounting it failed: %s", type, dir,
                 strerror(errno));
        *why = buf;
        return 0;
    }
    if (statfs(dir, &st) != 0 || (long)st.f_type != magic) {
        *why = "mounted, but statfs does not report the expected magic";
        return 0;
    }
    DIAG("mounted %s at %s", type, dir);
    return 1;
}

/* The bpf filesystem at /sys/fs/bpf (pinning). NULL if usable, else the reason. */
TAP_FN const char *bt_need_bpffs(void)
{
    const char *why = NULL;
    return bt_ensure_mount("bpf", "/sys/fs/bpf", BT_BPF_FS_MAGIC, &why) ? NULL : why;
}

/* The tracefs directory libbpf will use (it prefers /sys/kernel/debug/tracing if that exists),
 * mounting tracefs at /sys/kernel/tracing if needed; NULL (with the reason in *why) if none. */
TAP_FN const char *bt_tracefs(const char **why)
{
    static char reason[256];
    if (access("/sys/kernel/debug/tracing", F_OK) == 0)
        return "/sys/kernel/debug/tracing";
    const char *r = NULL;
    if (!bt_ensure_mount("tracefs", "/sys/kernel/tracing", BT_TRACEFS_MAGIC, &r)) {
        snprintf(reason, sizeof reason, "no tracefs: %s", r);
        *why = reason;
        return NULL;
    }
    return "/sys/kernel/tracing";
}

/* NULL if the trace event <tracefs>/events/<event> exists, else the reason. */
TAP_FN const char *bt_need_trace_event(const char *event)
{
    static char why[512];
    char path[256];
    const char *reason = NULL;
    const char *root = bt_tracefs(&reason);
    if (!root)
        return reason;
    snprintf(path, sizeof path, "%s/events/%s/id", root, event);
    if (access(path, R_OK) != 0) {
        snprintf(why, sizeof why, "kernel has no tracepoint %s (%s: %s)", event, path, strerror(errno));
        return why;
    }
    return NULL;
}

/* Whether a perf PMU (kprobe, uprobe) is registered: reads its dynamic type, or -1. */
TAP_FN int bt_pmu_type(const char *pmu)
{
    char path[128];
    snprintf(path, sizeof path, "/sys/bus/event_source/devices/%s/type", pmu);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int type = -1;
    if (fscanf(f, "%d", &type) != 1)
        type = -1;
    fclose(f);
    return type;
}

/* Why kprobes cannot be attached on this kernel (neither the kprobe PMU nor a writable
 * <tracefs>/kprobe_events), or NULL when they can. */
TAP_FN const char *bt_need_kprobes(void)
{
    if (bt_pmu_type("kprobe") >= 0)
        return NULL;
    const char *why = NULL, *tracefs = bt_tracefs(&why);
    char events[300];
    if (tracefs) {
        snprintf(events, sizeof events, "%s/kprobe_events", tracefs);
        if (access(events, W_OK) == 0)
            return NULL;
    }
    return "kernel has neither the kprobe PMU (/sys/bus/event_source/devices/kprobe) nor <tracefs>/kprobe_events";
}

/* Kernel text symbols from /proc/kallsyms, sorted by address (loaded once; empty when the
 * addresses are hidden). Among symbols at one address an unmangled name wins (the kernel's C
 * aliases of C++ functions). */
struct bt_ksym {
    unsigned long long addr;
    char name[96];
};
static struct bt_ksym *bt_ksyms;
static size_t bt_ksym_count;

TAP_FN int bt_ksym_cmp(const void *a, const void *b)
{
    const struct bt_ksym *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return (strncmp(x->name, "_Z", 2) == 0) - (strncmp(y->name, "_Z", 2) == 0);
}

TAP_FN void bt_ksyms_load(void)
{
    if (bt_ksyms)
        return;
    size_t cap = 4096;
    bt_ksyms = malloc(cap * sizeof *bt_ksyms);
    FILE *f = fopen("/proc/kallsyms", "r");
    char line[512], name[500], type;
    unsigned long long addr;
    while (f && bt_ksyms && fgets(line, sizeof line, f)) {
        if (sscanf(line, "%llx %c %499s", &addr, &type, name) != 3 || addr == 0)
            continue;
        if (type != 't' && type != 'T' && type != 'w' && type != 'W')
            continue;
        if (bt_ksym_count == cap) {
            cap *= 2;
            struct bt_ksym *grown = realloc(bt_ksyms, cap * sizeof *bt_ksyms);
            if (!grown)
                break;
            bt_ksyms = grown;
        }
        bt_ksyms[bt_ksym_count].addr = addr;
        snprintf(bt_ksyms[bt_ksym_count].name, sizeof bt_ksyms[0].name, "%.95s", name);
        bt_ksym_count++;
    }
    if (f)
        fclose(f);
    if (bt_ksyms)
        qsort(bt_ksyms, bt_ksym_count, sizeof *bt_ksyms, bt_ksym_cmp);
}

/* The address of kernel text symbol `name`; 0 if absent or hidden. */
TAP_FN unsigned long long bt_ksym_address(const char *name)
{
    bt_ksyms_load();
    for (size_t i = 0; i < bt_ksym_count; i++)
        if (strcmp(bt_ksyms[i].name, name) == 0)
            return bt_ksyms[i].addr;
    return 0;
}

/* The kernel text symbol at or before `addr` (the function containing it), with the offset
 * into it; NULL below the first symbol. */
TAP_FN const char *bt_ksym_at(unsigned long long addr, unsigned long long *offset)
{
    bt_ksyms_load();
    size_t lo = 0, hi = bt_ksym_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (bt_ksyms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    size_t i = lo - 1;
    while (i > 0 && bt_ksyms[i - 1].addr == bt_ksyms[i].addr)
        i--; /* the preferred name among aliases sorts first */
    if (offset)
        *offset = addr - bt_ksyms[i].addr;
    return bt_ksyms[i].name;
}

/* The number of possible CPUs as libbpf computes it, as a check. */
TAP_FN int bt_possible_cpus(void)
{
    int n = libbpf_num_possible_cpus();
    if (!tap_ok(n > 0, "libbpf_num_possible_cpus() > 0 (/sys/devices/system/cpu/possible)"))
        DIAG("returned %d", n);
    return n > 0 ? n : 1;
}

/* CHECK_BPF_OK(libbpf_call, "description"): the call returned >= 0 (else shows the -errno). */
#define CHECK_BPF_OK(ret, ...)                                                                    \
    do {                                                                                          \
        long r_ = (long)(ret);                                                                    \
        if (!tap_ok(r_ >= 0, __VA_ARGS__))                                                        \
            tap_diag("%s:%d: %s = %ld (%s)", __FILE__, __LINE__, #ret, r_,                         \
                     r_ < 0 ? tap_errname((int)-r_) : "ok");                                      \
    } while (0)

#endif
