/* tracefs: the tracefs files libbpf and tracing users read (available_events, events/.../id
 * and format with Linux's field layouts, enable, trace, trace_pipe, tracing_on) and the raw
 * tracepoint rules of bpf(BPF_RAW_TRACEPOINT_OPEN). Runs on the Linux host too (mounting
 * tracefs if needed), which is the oracle for every expectation. */
#include "bpf_common.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#define TRACEFS "/sys/kernel/tracing"
#define TRACEFS_MAGIC 0x74726163

static char big[1 << 16];

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int err = n < 0 ? -errno : 0;
    close(fd);
    return err;
}

/* Finds "field:<decl>;\toffset:O;\tsize:S;\tsigned:G;" in a format text. */
static int has_field(const char *format, const char *decl, int offset, int size, int is_signed)
{
    char want[160];
    snprintf(want, sizeof want, "\tfield:%s;\toffset:%d;\tsize:%d;\tsigned:%d;\n", decl, offset, size, is_signed);
    return strstr(format, want) != NULL;
}

static long event_id(const char *event)
{
    char path[160], buf[32];
    snprintf(path, sizeof path, TRACEFS "/events/%s/id", event);
    if (read_small_file(path, buf, sizeof buf) < 0)
        return -1;
    return strtol(buf, NULL, 10);
}

static void run_true(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
}

static void drain_trace_pipe(void)
{
    int fd = open(TRACEFS "/trace_pipe", O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return;
    while (read(fd, big, sizeof big) > 0)
        ;
    close(fd);
}

static void test_files(void)
{
    struct statfs st;
    CHECK_LIBC_OK(statfs(TRACEFS, &st), "statfs(" TRACEFS ")");
    CHECK_EQ(TRACEFS_MAGIC, (long)st.f_type, "tracefs f_type is TRACEFS_MAGIC");

    CHECK(read_small_file(TRACEFS "/available_events", big, sizeof big) > 0, "available_events is readable");
    CHECK(strstr(big, "syscalls:sys_enter_openat\n") != NULL, "available_events lists syscalls:sys_enter_openat");
    CHECK(strstr(big, "raw_syscalls:sys_enter\n") != NULL, "... raw_syscalls:sys_enter");
    CHECK(strstr(big, "sched:sched_switch\n") != NULL, "... sched:sched_switch");
    CHECK(strstr(big, "sched:sched_process_exec\n") != NULL, "... sched:sched_process_exec");
    CHECK(strstr(big, "signal:signal_generate\n") != NULL, "... signal:signal_generate");

    long openat = event_id("syscalls/sys_enter_openat");
    long getpid_id = event_id("syscalls/sys_enter_getpid");
    long sw = event_id("sched/sched_switch");
    CHECK(openat > 0 && getpid_id > 0 && sw > 0, "event ids are positive");
    CHECK(openat != getpid_id && openat != sw && sw != getpid_id, "event ids are distinct");
    CHECK_ERR(ENOENT, read_small_file(TRACEFS "/events/syscalls/sys_enter_no_such_call/id", big, sizeof big), "unknown event: ENOENT");

    CHECK(read_small_file(TRACEFS "/events/syscalls/sys_enter_openat/format", big, sizeof big) > 0, "sys_enter_openat/format");
    char head[64];
    snprintf(head, sizeof head, "name: sys_enter_openat\nID: %ld\nformat:\n", openat);
    CHECK(strncmp(big, head, strlen(head)) == 0, "format starts with name, ID (= id file) and format:");
    CHECK(has_field(big, "unsigned short common_type", 0, 2, 0), "common_type field");
    CHECK(has_field(big, "int common_pid", 4, 4, 1), "common_pid field");
    CHECK(has_field(big, "int __syscall_nr", 8, 4, 1), "__syscall_nr at 8");
    CHECK(has_field(big, "int dfd", 16, 8, 0), "dfd at 16, 8 bytes");
    CHECK(has_field(big, "const char * filename", 24, 8, 0), "filename at 24");
    CHECK(has_field(big, "umode_t mode", 40, 8, 0), "mode at 40");
    CHECK(strstr(big, "\nprint fmt: \"dfd: 0x%08lx, filename: 0x%08lx") != NULL, "Linux's print fmt");

    CHECK(read_small_file(TRACEFS "/events/syscalls/sys_exit_openat/format", big, sizeof big) > 0, "sys_exit_openat/format");
    CHECK(has_field(big, "long ret", 16, 8, 1), "sys_exit: ret at 16");

    CHECK(read_small_file(TRACEFS "/events/sched/sched_switch/format", big, sizeof big) > 0, "sched_switch/format");
    CHECK(has_field(big, "char prev_comm[16]", 8, 16, 0), "prev_comm[16] at 8");
    CHECK(has_field(big, "long prev_state", 32, 8, 1), "prev_state at 32");
    CHECK(has_field(big, "pid_t next_pid", 56, 4, 1), "next_pid at 56");

    CHECK(read_small_file(TRACEFS "/events/sched/sched_process_exec/format", big, sizeof big) > 0, "sched_process_exec/format");
    CHECK(has_field(big, "__data_loc char[] filename", 8, 4, 0), "filename is a __data_loc string");

    CHECK(read_small_file(TRACEFS "/events/raw_syscalls/sys_enter/format", big, sizeof big) > 0, "raw_syscalls/sys_enter/format");
    CHECK(has_field(big, "unsigned long args[6]", 16, 48, 0), "args[6] at 16");

    CHECK(read_small_file(TRACEFS "/events/sched/sched_switch/enable", big, sizeof big) == 2 && big[0] == '0',
        "sched_switch/enable reads 0");
}

static void test_enable_and_pipe(void)
{
    const char *enable = TRACEFS "/events/sched/sched_process_exec/enable";
    CHECK_EQ(0, write_file(TRACEFS "/tracing_on", "1\n"), "tracing_on = 1");
    CHECK_EQ(0, write_file(TRACEFS "/trace", ""), "opening trace with O_TRUNC clears it");
    drain_trace_pipe();

    int fd = open(TRACEFS "/trace_pipe", O_RDONLY | O_NONBLOCK);
    CHECK(fd >= 0, "open trace_pipe");
    CHECK_LIBC_ERR(EAGAIN, read(fd, big, sizeof big), "empty trace_pipe with O_NONBLOCK: EAGAIN");
    close(fd);

    CHECK_EQ(0, write_file(enable, "1\n"), "enable sched_process_exec");
    CHECK(read_small_file(enable, big, sizeof big) == 2 && big[0] == '1', "enable reads back 1");
    run_true();
    CHECK_EQ(0, write_file(enable, "0\n"), "disable it");
    CHECK_ERR(EINVAL, write_file(enable, "2\n"), "enable accepts only 0 and 1");

    CHECK(read_small_file(TRACEFS "/trace", big, sizeof big) > 0, "trace is readable");
    CHECK(strncmp(big, "# tracer: nop\n", 14) == 0, "trace starts with Linux's header");
    char *line = strstr(big, "sched_process_exec: filename=/bin/true pid=");
    CHECK(line != NULL, "trace has the exec line");
    if (line) {
        char *start = line;
        while (start > big && start[-1] != '\n')
            start--;
        DIAG("%.*s", (int)(strchr(line, '\n') - start), start);
        CHECK(strstr(start, "true-") != NULL && strstr(start, "[00") != NULL, "line has <comm>-<pid> [cpu]");
    }
    CHECK(strstr(big, "old_pid=") != NULL, "... and old_pid");

    fd = open(TRACEFS "/trace_pipe", O_RDONLY);
    long n = read(fd, big, sizeof big - 1);
    CHECK(n > 0, "trace_pipe returns the buffered line without blocking");
    if (n > 0) {
        big[n] = 0;
        CHECK(strstr(big, "sched_process_exec: filename=/bin/true") != NULL, "trace_pipe line");
        CHECK(big[n - 1] == '\n', "whole lines");
    }
    close(fd);

    /* A blocked reader wakes up when a line arrives. */
    CHECK_EQ(0, write_file(enable, "1\n"), "enable again");
    pid_t child = fork();
    if (child == 0) {
        usleep(200 * 1000);
        run_true();
        _exit(0);
    }
    fd = open(TRACEFS "/trace_pipe", O_RDONLY);
    n = read(fd, big, sizeof big - 1);
    CHECK(n > 0, "a blocking trace_pipe read returns when an event arrives");
    close(fd);
    waitpid(child, NULL, 0);
    CHECK_EQ(0, write_file(enable, "0\n"), "disable");
    drain_trace_pipe();

    /* tracing_on = 0 stops recording. */
    CHECK_EQ(0, write_file(TRACEFS "/trace", ""), "clear");
    CHECK_EQ(0, write_file(TRACEFS "/tracing_on", "0\n"), "tracing_on = 0");
    CHECK_EQ(0, write_file(enable, "1\n"), "enable");
    run_true();
    CHECK_EQ(0, write_file(enable, "0\n"), "disable");
    CHECK_EQ(0, write_file(TRACEFS "/tracing_on", "1\n"), "tracing_on = 1");
    read_small_file(TRACEFS "/trace", big, sizeof big);
    CHECK(strstr(big, "sched_process_exec:") == NULL, "nothing recorded while tracing_on was 0");
}

static long raw_tp_open(const char *name, long prog)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.raw_tracepoint.name = (__u64)(uintptr_t)name;
    a.raw_tracepoint.prog_fd = (__u32)prog;
    return bpf_call(BPF_RAW_TRACEPOINT_OPEN, &a);
}

static void test_raw_tracepoints(void)
{
    /* r0 = 0; exit */
    struct bpf_insn ret0[] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
        { .code = BPF_JMP | BPF_EXIT },
    };
    /* r0 = *(u64 *)(r1 + 88) (args[11]); exit */
    struct bpf_insn far[] = {
        { .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = 0, .src_reg = 1, .off = 88 },
        { .code = BPF_JMP | BPF_EXIT },
    };
    long prog = prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, ret0, 2);
    CHECK(prog >= 0, "load a RAW_TRACEPOINT program");
    CHECK_ERR(ENOENT, raw_tp_open("sys_enter_openat", prog), "a per-syscall event is not a raw tracepoint: ENOENT");
    CHECK_ERR(ENOENT, raw_tp_open("no_such_tracepoint", prog), "unknown name: ENOENT");
    CHECK_ERR(EFAULT, raw_tp_open(NULL, prog), "NULL name: EFAULT");
    long link = raw_tp_open("sched_switch", prog);
    CHECK(link >= 0, "sched_switch");
    long link2 = raw_tp_open("sched_switch", prog);
    CHECK(link2 >= 0, "the same program again: a second link");

    struct bpf_link_info info;
    char name[64];
    memset(&info, 0, sizeof info);
    info.raw_tracepoint.tp_name = (__u64)(uintptr_t)name;
    info.raw_tracepoint.tp_name_len = sizeof name;
    __u32 len = sizeof info;
    CHECK_EQ(0, obj_info(link, &info, &len), "link info");
    CHECK_EQ(BPF_LINK_TYPE_RAW_TRACEPOINT, info.type, "link type raw_tracepoint");
    CHECK_STR("sched_switch", name, "tp_name");
    CHECK_EQ(13, info.raw_tracepoint.tp_name_len, "tp_name_len includes the NUL");

    memset(&info, 0, sizeof info);
    info.raw_tracepoint.tp_name = (__u64)(uintptr_t)name;
    info.raw_tracepoint.tp_name_len = 4;
    len = sizeof info;
    CHECK_ERR(ENOSPC, obj_info(link, &info, &len), "a short tp_name buffer: ENOSPC");

    char path[64], text[512], value[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%ld", link);
    read_small_file(path, text, sizeof text);
    CHECK(fdinfo_value(text, "link_type", value, sizeof value) && strcmp(value, "raw_tracepoint") == 0, "fdinfo link_type");
    CHECK(fdinfo_value(text, "tp_name", value, sizeof value) && strcmp(value, "sched_switch") == 0, "fdinfo tp_name");

    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.link_detach.link_fd = (__u32)link;
    CHECK_ERR(EOPNOTSUPP, bpf_call(BPF_LINK_DETACH, &a), "LINK_DETACH of a raw tracepoint link: EOPNOTSUPP");
    memset(&a, 0, sizeof a);
    a.link_create.prog_fd = (__u32)prog;
    a.link_create.attach_type = BPF_TRACE_RAW_TP;
    CHECK_ERR(EINVAL, bpf_call(BPF_LINK_CREATE, &a), "LINK_CREATE with a raw tracepoint program: EINVAL");

    long far_prog = prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, far, 2);
    CHECK(far_prog >= 0, "a program reading args[11] loads");
    CHECK_ERR(EINVAL, raw_tp_open("sys_enter", far_prog), "... but does not attach to sys_enter (2 args): EINVAL");
    close((int)far_prog);
    close((int)link);
    close((int)link2);
    close((int)prog);
}

int main(void)
{
    struct stat st;
    if (stat(TRACEFS "/available_events", &st) != 0)
        mount("tracefs", TRACEFS, "tracefs", 0, NULL); /* the host's namespace may lack it */
    if (stat(TRACEFS "/available_events", &st) != 0) {
        tap_skip("no tracefs at " TRACEFS, "tracefs");
        return tap_done();
    }
    test_files();
    test_enable_and_pipe();
    test_raw_tracepoints();
    return tap_done();
}
