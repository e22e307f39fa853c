/* shell: /bin/sh's grammar and behaviour, run as `sh -c '...'` and `sh script args`:
 * quoting and escapes, $? $# $0 $N ${VAR} expansion and field splitting, assignments and
 * export, pipelines, redirections (< > >> 2> 2>&1), ; && || !, comments, builtins (cd, pwd,
 * exit, export, unset), background jobs and wait, scripts with arguments, "not found" (127),
 * death by signal (message and 128+N), and survival on malformed input. */
#include <fcntl.h>
#include <sys/stat.h>

#include "capture.h"
#include "tap.h"

static struct captured c;

/* Runs script and checks stdout and the exit code. */
static void expect(const char *script, const char *out, int code, const char *what)
{
    capture_sh(script, &c);
    int ok = tap_ok(strcmp(c.out, out) == 0 && exit_code(c.status) == code, "%s", what);
    if (!ok) {
        DIAG("script:   %s", script);
        DIAG("expected: exit %d, stdout \"%s\"", code, out);
        DIAG("actual:   %s, stdout \"%s\"", tap_describe_status(c.status), c.out);
        if (c.err_len)
            DIAG("stderr:   %s", c.err);
    }
}

static void expect_stderr(const char *script, const char *out, int code, const char *err_part, const char *what)
{
    capture_sh(script, &c);
    int ok = tap_ok(strcmp(c.out, out) == 0 && exit_code(c.status) == code && strstr(c.err, err_part) != NULL, "%s", what);
    if (!ok) {
        DIAG("script:   %s", script);
        DIAG("expected: exit %d, stdout \"%s\", stderr containing \"%s\"", code, out, err_part);
        DIAG("actual:   %s, stdout \"%s\", stderr \"%s\"", tap_describe_status(c.status), c.out, c.err);
    }
}

static void test_words(void)
{
    expect("echo hello world", "hello world\n", 0, "a simple command");
    expect("echo 'a  b' \"c  d\" e\\ f", "a  b c  d e f\n", 0, "single quotes, double quotes, backslash");
    expect("echo 'it''s' \"say \\\"hi\\\"\" \\$HOME", "its say \"hi\" $HOME\n", 0, "adjacent quotes and escapes");
    expect("echo x # a comment", "x\n", 0, "a # comment ends the line");
    expect("echo a#b", "a#b\n", 0, "# inside a word is literal");
    expect("echo \"multi\nline\"", "multi\nline\n", 0, "a newline inside quotes");
    expect("echo one; echo two\necho three", "one\ntwo\nthree\n", 0, "; and newlines separate commands");
}

static void test_variables(void)
{
    expect("X=abc; echo $X ${X}def \"$X\" '$X'", "abc abcdef abc $X\n", 0, "$VAR, ${VAR}, quoted and single-quoted");
    expect("echo \"[$UNSET_VARIABLE]\"", "[]\n", 0, "an unset variable expands to nothing");
    expect("false; echo $?; true; echo $?", "1\n0\n", 0, "$? after false and true");
    expect("X='a   b'; echo [$X] \"[$X]\"", "[a b] [a   b]\n", 0, "unquoted expansions are split into fields");
    expect("X=1; env | grep -c X=1; export X; env | grep X=", "0\nX=1\n", 0, "variables reach the environment only when exported");
    expect("export Y=2; env | grep Y=", "Y=2\n", 0, "export NAME=value");
    expect("Z=9 env | grep Z=; echo \"[$Z]\"", "Z=9\n[]\n", 0, "NAME=value before a command sets it for that command only");
    expect("export W=1; unset W; env | grep -c W=", "0\n", 1, "unset removes a variable");
    expect("echo $$ | grep -c '^[0-9][0-9]*$'", "0\n", 1, "grep is fixed-string: a regex does not match");
    capture_sh("echo $$", &c);
    CHECK(atoi(c.out) > 1, "$$ expands to a process id (%d)", atoi(c.out));
}

static void test_positional(void)
{
    char *argv[] = {(char *)bin_path("sh"), "-c", "echo $0 $# $1 $2 \"$@\"", "name", "x", "y z", NULL};
    capture_run(argv, NULL, &c);
    CHECK_STR("name 2 x y z x y z\n", c.out, "sh -c 'line' name args: $0 $# $1 $2 $@");

    char path[64];
    snprintf(path, sizeof path, "/tmp/shell_script_%d", getpid());
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    const char *script = "# a script\necho \"script $# [$1] [$2]\"\nX=5\necho x=$X\n"
                         "if_this_ran_it_would_fail_below=1\nexit 3\necho not reached\n";
    write(fd, script, strlen(script));
    close(fd);
    char *args[] = {(char *)bin_path("sh"), path, "first", "second arg", NULL};
    capture_run(args, NULL, &c);
    if (!CHECK(strcmp(c.out, "script 2 [first] [second arg]\nx=5\n") == 0 && exit_code(c.status) == 3,
               "sh script args: runs line by line, exit 3 ends it"))
        DIAG("stdout \"%s\", %s", c.out, tap_describe_status(c.status));
    char line[96];
    snprintf(line, sizeof line, "%s p", path);
    capture_sh(line, &c);
    CHECK_STR("script 1 [p] []\nx=5\n", c.out, "an executable script without #! (ENOEXEC) runs through the shell");
    unlink(path);
}

static void test_pipes_and_lists(void)
{
    expect("echo one two three | wc -w", "3\n", 0, "a two-stage pipeline");
    expect("echo abc | cat | cat | cat", "abc\n", 0, "a four-stage pipeline");
    expect("true | false", "", 1, "a pipeline's status is the last command's");
    expect("false | true", "", 0, "even when an earlier one fails");
    expect("true && echo a; false && echo b; false || echo c; true || echo d", "a\nc\n", 0, "&& and ||");
    expect("false && echo no || echo yes", "yes\n", 0, "&& then || chain");
    expect("! true; echo $?; ! false; echo $?", "1\n0\n", 0, "! negates a status");
    expect("sleep 0.05 & echo started; wait; echo done", "started\ndone\n", 0, "& runs in the background; wait waits");
}

static void test_redirections(void)
{
    char script[512];
    char f[64];
    snprintf(f, sizeof f, "/tmp/shell_redir_%d", getpid());
    snprintf(script, sizeof script, "echo first > %s; echo second >> %s; cat < %s; rm %s", f, f, f, f);
    expect(script, "first\nsecond\n", 0, "> creates, >> appends, < reads");
    snprintf(script, sizeof script, "echo gone > %s; echo new > %s; cat %s; rm %s", f, f, f, f);
    expect(script, "new\n", 0, "> truncates");
    snprintf(script, sizeof script, "ls /no/such/path 2> %s; wc -l < %s; rm %s", f, f, f);
    expect(script, "1\n", 0, "2> captures stderr");
    expect("ls /no/such/path 2>&1 | wc -l", "1\n", 0, "2>&1 sends stderr into the pipe");
    expect("echo to-stderr 1>&2", "", 0, "1>&2 moves stdout to stderr");
    expect_stderr("cat < /no/such/file; echo $?", "1\n", 0, "/no/such/file", "a failed redirection fails the command");
    snprintf(script, sizeof script, "cd /tmp > %s; pwd; rm %s", f, f);
    expect(script, "/tmp\n", 0, "redirections on a builtin are undone afterwards");
}

static void test_builtins(void)
{
    expect("cd /tmp && pwd", "/tmp\n", 0, "cd and pwd");
    expect("cd /tmp; cd ..; pwd", "/\n", 0, "cd ..");
    expect("HOME=/tmp; cd; pwd", "/tmp\n", 0, "cd without arguments goes to $HOME");
    expect_stderr("cd /no/such/dir; echo $?", "1\n", 0, "cd", "cd to a missing directory fails with 1");
    expect("exit 7", "", 7, "exit 7");
    expect("false; exit", "", 1, "exit without a number keeps the last status");
    expect("exit 300", "", 44, "exit status is taken modulo 256");
    expect(": ignored arguments", "", 0, "the : builtin");
}

static void test_errors_and_signals(void)
{
    expect_stderr("no_such_command_xyz", "", 127, "not found", "an unknown command gives 127 and a message");
    expect_stderr("/tmp/no/such/program", "", 127, "", "a missing path gives 127");
    expect_stderr("sh -c 'kill -SEGV $$'; echo $?", "139\n", 0, "Segmentation fault",
                  "a child killed by SIGSEGV: message and $? = 139");
    expect_stderr("sh -c 'kill -KILL $$'; echo $?", "137\n", 0, "Killed", "SIGKILL: \"Killed\" and 137");
    expect_stderr("sh -c 'kill -ILL $$'; echo $?", "132\n", 0, "Illegal instruction", "SIGILL: \"Illegal instruction\" and 132");
    expect("sh -c 'kill -TERM $$'; echo $?", "143\n", 0, "SIGTERM gives 143");
    expect_stderr("echo 'unterminated", "", 2, "syntax error", "an unterminated quote is a syntax error (2)");
    expect_stderr("echo a | | cat", "", 2, "syntax error", "an empty pipeline element is a syntax error");
    expect_stderr("echo ${", "", 1, "bad substitution", "a bad ${ is reported");
}

static void test_odd_input(void)
{
    static const char *const odd[] = {
        "", ";", "&&", "||", "|", ">", "<", "2>", ">&", "&", ";;", "echo $", "echo ${}", "echo ${x",
        "echo $((1+1))", "echo `x`", "echo \\", "'", "\"", "\"\\", "$", "$$$$", "${?}${#}${@}", "<<EOF",
        "echo >", "echo 99999999999999999999>/dev/null", "exit notanumber", "cd ''", "export =x 1a=b",
        "!", "! !", "a=b=c", "${10000000000}", "echo $9999999999", "x\x01\x02\x7f\xff", "(", ")",
        "{ }", "echo a 2>&99", "echo a >&-", "unset", "wait", "echo ~ ~/x x~",
    };
    int survived = 0, total = (int)(sizeof odd / sizeof odd[0]);
    for (int i = 0; i < total; i++) {
        capture_sh(odd[i], &c);
        if (c.status != -1 && WIFEXITED(c.status))
            survived++;
        else
            DIAG("sh -c '%s' ended with %s", odd[i], tap_describe_status(c.status));
    }
    CHECK_EQ(total, survived, "the shell exits normally on %d malformed lines", total);

    static char big[60001];
    memcpy(big, "echo ", 5);
    memset(big + 5, 'x', sizeof big - 6);
    capture_sh(big, &c);
    CHECK(exit_code(c.status) == 0 && c.out_len == sizeof big - 6 + 1, "a 60 kB command line works (%zu bytes out)", c.out_len);

    static char pipes[4096];
    strcpy(pipes, "echo deep");
    for (int i = 0; i < 30; i++)
        strcat(pipes, " | cat");
    expect(pipes, "deep\n", 0, "a 31-stage pipeline");

    char *stdin_sh[] = {(char *)bin_path("sh"), NULL};
    capture_run(stdin_sh, "echo from stdin\nexit 4\necho no\n", &c);
    CHECK(strcmp(c.out, "from stdin\n") == 0 && exit_code(c.status) == 4, "commands read from a non-tty stdin, no prompt");
    capture_run(stdin_sh, "echo a 'b\nc'\n", &c);
    CHECK_STR("a b\nc\n", c.out, "a quote left open continues on the next input line");
}

int main(void)
{
    test_words();
    test_variables();
    test_positional();
    test_pipes_and_lists();
    test_redirections();
    test_builtins();
    test_errors_and_signals();
    test_odd_input();
    return tap_done();
}
