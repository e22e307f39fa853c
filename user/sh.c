/* sh: the guest's small shell.
 *
 * Usage: sh                    read commands from stdin (prompt "# " when stdin is a tty)
 *        sh -c 'line' [name [args...]]
 *        sh script [args...]   run a script file line by line ($0, $1, ... set)
 * Exit status: that of the last command run.
 *
 * Grammar (one line at a time; a quote left open, or a trailing backslash, continues the line):
 *   list     := and_or { (';' | '&') and_or } [';' | '&']
 *   and_or   := pipeline { ('&&' | '||') pipeline }
 *   pipeline := ['!'] command { '|' command }
 *   command  := { NAME=value } { word | redirection }
 *   redirection := [n]'<' word | [n]'>' word | [n]'>>' word | [n]'>&' m | [n]'<&' m | '>&' file
 * Words: 'single quotes', "double quotes" (with \ $ " ` escapes and $ expansion), backslash
 * escapes, # comments, ~ at the start of a word, and $? $$ $! $# $0..$9 $@ $* $NAME ${NAME}
 * (unquoted expansions are split into fields on blanks). Builtins: cd, pwd, exit, export, unset,
 * wait, ':'. Everything else is searched in $PATH (default /bin:/usr/bin). A command killed by a
 * signal prints its description (e.g. "Segmentation fault") and sets $? to 128+signal. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---------------------------------------------------------------- memory and containers */

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        static const char msg[] = "sh: out of memory\n";
        write(2, msg, sizeof msg - 1);
        _exit(2);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

/* A growable string. */
struct str {
    char *s;
    size_t len, cap;
};

static void str_putc(struct str *b, char c)
{
    if (b->len + 2 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->s = xrealloc(b->s, b->cap);
    }
    b->s[b->len++] = c;
    b->s[b->len] = '\0';
}

static void str_puts(struct str *b, const char *s)
{
    while (*s)
        str_putc(b, *s++);
}

/* Returns the string (never NULL) and resets the builder. */
static char *str_take(struct str *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

/* A growable NULL-terminated vector of strings. */
struct vec {
    char **v;
    size_t n, cap;
};

static void vec_push(struct vec *a, char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 8;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

static void vec_free(struct vec *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

/* ---------------------------------------------------------------- shell state */

struct var {
    char *name, *value;
    int exported;
    struct var *next;
};

static struct var *vars;
static int last_status;
static pid_t shell_pid, last_background;
static char *arg0 = "sh";
static char **positional; /* $1... */
static int npositional;
static int interactive;

static int is_name_start(int c) { return isalpha(c) || c == '_'; }
static int is_name_char(int c) { return isalnum(c) || c == '_'; }

static struct var *var_find(const char *name, size_t len)
{
    for (struct var *v = vars; v; v = v->next)
        if (strlen(v->name) == len && memcmp(v->name, name, len) == 0)
            return v;
    return NULL;
}

static const char *var_get(const char *name)
{
    struct var *v = var_find(name, strlen(name));
    return v ? v->value : NULL;
}

/* export: 1 marks the variable exported, 0 keeps its current flag. */
static void var_set(const char *name, size_t len, const char *value, int export)
{
    struct var *v = var_find(name, len);
    if (!v) {
        v = xrealloc(NULL, sizeof *v);
        v->name = xrealloc(NULL, len + 1);
        memcpy(v->name, name, len);
        v->name[len] = '\0';
        v->value = NULL;
        v->exported = 0;
        v->next = vars;
        vars = v;
    }
    if (value) {
        free(v->value);
        v->value = xstrdup(value);
    }
    if (export)
        v->exported = 1;
}

static void var_unset(const char *name)
{
    for (struct var **p = &vars; *p; p = &(*p)->next) {
        if (strcmp((*p)->name, name) == 0) {
            struct var *v = *p;
            *p = v->next;
            free(v->name);
            free(v->value);
            free(v);
            return;
        }
    }
}

static void import_environment(void)
{
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (eq && eq != *e)
            var_set(*e, (size_t)(eq - *e), eq + 1, 1);
    }
}

/* Builds "NAME=value" strings for exported variables plus the command's own assignments. */
static void build_environment(struct vec *env, struct vec *assignments)
{
    for (struct var *v = vars; v; v = v->next) {
        if (!v->exported || !v->value)
            continue;
        int overridden = 0;
        size_t len = strlen(v->name);
        for (size_t i = 0; i < assignments->n; i++)
            if (strncmp(assignments->v[i], v->name, len) == 0 && assignments->v[i][len] == '=')
                overridden = 1;
        if (overridden)
            continue;
        struct str s = {0};
        str_puts(&s, v->name);
        str_putc(&s, '=');
        str_puts(&s, v->value);
        vec_push(env, str_take(&s));
    }
    for (size_t i = 0; i < assignments->n; i++)
        vec_push(env, xstrdup(assignments->v[i]));
}

static void error_msg(const char *a, const char *b, const char *c)
{
    struct str s = {0};
    str_puts(&s, "sh: ");
    str_puts(&s, a);
    if (b) {
        str_puts(&s, ": ");
        str_puts(&s, b);
    }
    if (c) {
        str_puts(&s, ": ");
        str_puts(&s, c);
    }
    str_putc(&s, '\n');
    write(2, s.s, s.len);
    free(s.s);
}

/* ---------------------------------------------------------------- lexer */

enum token_kind { TK_WORD, TK_PIPE, TK_AND_IF, TK_OR_IF, TK_SEMI, TK_AMP, TK_REDIR };
enum redir_kind { R_IN, R_OUT, R_APPEND, R_DUP_OUT, R_DUP_IN };

struct token {
    enum token_kind kind;
    char *text; /* raw word, quotes included (TK_WORD) */
    enum redir_kind redir;
    int fd; /* TK_REDIR: the redirected descriptor, -1 if implicit */
};

struct tokens {
    struct token *t;
    size_t n, cap;
};

static void tokens_push(struct tokens *ts, struct token tok)
{
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? ts->cap * 2 : 16;
        ts->t = xrealloc(ts->t, ts->cap * sizeof *ts->t);
    }
    ts->t[ts->n++] = tok;
}

static void tokens_free(struct tokens *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        free(ts->t[i].text);
    free(ts->t);
    ts->t = NULL;
    ts->n = ts->cap = 0;
}

/* LEX_QUOTE: a quote is still open; LEX_BACKSLASH: the line ends in an escaping backslash. */
enum lex_result { LEX_OK, LEX_QUOTE, LEX_BACKSLASH };

static int is_operator_char(char c)
{
    return c == '|' || c == '&' || c == ';' || c == '<' || c == '>' || c == '\n';
}

/* Splits a line into tokens. On LEX_QUOTE and LEX_BACKSLASH the caller should append the next
 * input line and try again. */
static enum lex_result lex(const char *p, struct tokens *out)
{
    while (*p) {
        if (*p == ' ' || *p == '\t' || *p == '\r') {
            p++;
            continue;
        }
        if (*p == '#')
            break;
        struct token tok = {TK_WORD, NULL, R_IN, -1};
        if (*p == '\n' || *p == ';') {
            tok.kind = TK_SEMI;
            p++;
        } else if (*p == '|') {
            tok.kind = p[1] == '|' ? TK_OR_IF : TK_PIPE;
            p += p[1] == '|' ? 2 : 1;
        } else if (*p == '&') {
            tok.kind = p[1] == '&' ? TK_AND_IF : TK_AMP;
            p += p[1] == '&' ? 2 : 1;
        } else {
            /* An io number: digits immediately followed by < or >. */
            const char *q = p;
            while (isdigit((unsigned char)*q))
                q++;
            if (q > p && q - p < 3 && (*q == '<' || *q == '>')) { /* 0..99 */
                tok.fd = atoi(p);
                p = q;
            }
            if (*p == '<' || *p == '>') {
                tok.kind = TK_REDIR;
                if (p[0] == '>' && p[1] == '>') {
                    tok.redir = R_APPEND;
                    p += 2;
                } else if (p[1] == '&') {
                    tok.redir = p[0] == '>' ? R_DUP_OUT : R_DUP_IN;
                    p += 2;
                } else {
                    tok.redir = p[0] == '>' ? R_OUT : R_IN;
                    p += (p[0] == '>' && p[1] == '|') ? 2 : 1;
                }
            } else {
                /* A word: everything up to an unquoted blank or operator character. */
                struct str w = {0};
                while (*p && *p != ' ' && *p != '\t' && *p != '\r' && !is_operator_char(*p)) {
                    if (*p == '\\') {
                        if (!p[1]) {
                            free(w.s);
                            return LEX_BACKSLASH;
                        }
                        str_putc(&w, *p++);
                        str_putc(&w, *p++);
                    } else if (*p == '\'' || *p == '"') {
                        char quote = *p;
                        str_putc(&w, *p++);
                        while (*p && *p != quote) {
                            if (quote == '"' && *p == '\\' && p[1])
                                str_putc(&w, *p++);
                            str_putc(&w, *p++);
                        }
                        if (!*p) {
                            free(w.s);
                            return LEX_QUOTE;
                        }
                        str_putc(&w, *p++);
                    } else {
                        str_putc(&w, *p++);
                    }
                }
                tok.text = str_take(&w);
            }
        }
        tokens_push(out, tok);
    }
    return LEX_OK;
}

/* ---------------------------------------------------------------- parser */

struct redirection {
    enum redir_kind kind;
    int fd;
    char *target; /* raw word, borrowed from the token list */
};

struct command {
    struct vec words; /* raw words, borrowed (vec used only as an array) */
    struct redirection *redirs;
    size_t nredirs;
};

struct pipeline {
    struct command *cmds;
    size_t ncmds;
    int negate;
};

struct and_or {
    struct pipeline *pipes;
    enum token_kind *ops; /* ops[i] joins pipes[i] and pipes[i + 1] */
    size_t npipes;
    int background;
};

struct list {
    struct and_or *items;
    size_t n;
};

static const char *token_name(const struct token *t)
{
    switch (t->kind) {
    case TK_PIPE: return "|";
    case TK_AND_IF: return "&&";
    case TK_OR_IF: return "||";
    case TK_SEMI: return ";";
    case TK_AMP: return "&";
    case TK_REDIR: return "redirection";
    case TK_WORD: return t->text;
    }
    return "?";
}

static void syntax_error(const char *near)
{
    struct str s = {0};
    str_puts(&s, "syntax error near `");
    str_puts(&s, near);
    str_puts(&s, "'");
    error_msg(s.s, NULL, NULL);
    free(s.s);
}

static void free_list(struct list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct and_or *ao = &l->items[i];
        for (size_t j = 0; j < ao->npipes; j++) {
            struct pipeline *pl = &ao->pipes[j];
            for (size_t k = 0; k < pl->ncmds; k++) {
                free(pl->cmds[k].words.v);
                free(pl->cmds[k].redirs);
            }
            free(pl->cmds);
        }
        free(ao->pipes);
        free(ao->ops);
    }
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* Parses one command starting at *i; returns 0 on success, -1 on a syntax error. */
static int parse_command(struct tokens *ts, size_t *i, struct command *cmd)
{
    memset(cmd, 0, sizeof *cmd);
    while (*i < ts->n) {
        struct token *t = &ts->t[*i];
        if (t->kind == TK_WORD) {
            if (cmd->words.n + 2 > cmd->words.cap) {
                cmd->words.cap = cmd->words.cap ? cmd->words.cap * 2 : 8;
                cmd->words.v = xrealloc(cmd->words.v, cmd->words.cap * sizeof(char *));
            }
            cmd->words.v[cmd->words.n++] = t->text;
            cmd->words.v[cmd->words.n] = NULL;
            (*i)++;
        } else if (t->kind == TK_REDIR) {
            if (*i + 1 >= ts->n || ts->t[*i + 1].kind != TK_WORD) {
                syntax_error(*i + 1 < ts->n ? token_name(&ts->t[*i + 1]) : "newline");
                return -1;
            }
            cmd->redirs = xrealloc(cmd->redirs, (cmd->nredirs + 1) * sizeof *cmd->redirs);
            struct redirection *r = &cmd->redirs[cmd->nredirs++];
            r->kind = t->redir;
            r->fd = t->fd;
            r->target = ts->t[*i + 1].text;
            *i += 2;
        } else {
            break;
        }
    }
    if (cmd->words.n == 0 && cmd->nredirs == 0) {
        syntax_error(*i < ts->n ? token_name(&ts->t[*i]) : "newline");
        return -1;
    }
    return 0;
}

static int parse_pipeline(struct tokens *ts, size_t *i, struct pipeline *pl)
{
    memset(pl, 0, sizeof *pl);
    if (*i < ts->n && ts->t[*i].kind == TK_WORD && strcmp(ts->t[*i].text, "!") == 0) {
        pl->negate = 1;
        (*i)++;
    }
    for (;;) {
        pl->cmds = xrealloc(pl->cmds, (pl->ncmds + 1) * sizeof *pl->cmds);
        pl->ncmds++;
        if (parse_command(ts, i, &pl->cmds[pl->ncmds - 1]) < 0)
            return -1;
        if (*i < ts->n && ts->t[*i].kind == TK_PIPE) {
            (*i)++;
            continue;
        }
        return 0;
    }
}

static int parse_list(struct tokens *ts, struct list *l)
{
    size_t i = 0;
    memset(l, 0, sizeof *l);
    while (i < ts->n) {
        l->items = xrealloc(l->items, (l->n + 1) * sizeof *l->items);
        struct and_or *ao = &l->items[l->n++];
        memset(ao, 0, sizeof *ao);
        for (;;) {
            ao->pipes = xrealloc(ao->pipes, (ao->npipes + 1) * sizeof *ao->pipes);
            ao->ops = xrealloc(ao->ops, (ao->npipes + 1) * sizeof *ao->ops);
            ao->npipes++;
            if (parse_pipeline(ts, &i, &ao->pipes[ao->npipes - 1]) < 0)
                return -1;
            if (i < ts->n && (ts->t[i].kind == TK_AND_IF || ts->t[i].kind == TK_OR_IF)) {
                ao->ops[ao->npipes - 1] = ts->t[i].kind;
                i++;
                continue;
            }
            break;
        }
        if (i < ts->n) {
            if (ts->t[i].kind == TK_AMP)
                ao->background = 1;
            else if (ts->t[i].kind != TK_SEMI) {
                syntax_error(token_name(&ts->t[i]));
                return -1;
            }
            i++;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- word expansion */

/* Appends the value of $name (name is a special character, digits or an identifier). */
static void append_parameter(struct str *out, const char *name)
{
    char num[32];
    const char *value = NULL;
    if (strcmp(name, "?") == 0) {
        snprintf(num, sizeof num, "%d", last_status);
        value = num;
    } else if (strcmp(name, "$") == 0) {
        snprintf(num, sizeof num, "%d", (int)shell_pid);
        value = num;
    } else if (strcmp(name, "!") == 0) {
        if (last_background) {
            snprintf(num, sizeof num, "%d", (int)last_background);
            value = num;
        }
    } else if (strcmp(name, "#") == 0) {
        snprintf(num, sizeof num, "%d", npositional);
        value = num;
    } else if (strcmp(name, "@") == 0 || strcmp(name, "*") == 0) {
        for (int i = 0; i < npositional; i++) {
            if (i)
                str_putc(out, ' ');
            str_puts(out, positional[i]);
        }
    } else if (isdigit((unsigned char)name[0])) {
        long n = strtol(name, NULL, 10);
        if (n == 0)
            value = arg0;
        else if (n > 0 && n <= npositional)
            value = positional[n - 1];
    } else {
        value = var_get(name);
    }
    if (value)
        str_puts(out, value);
}

/* Parses a parameter reference after '$' at *pp into name; returns 0 if there is none
 * (a lone '$'), -1 on a bad ${...}. Advances *pp past the reference. */
static int parse_parameter(const char **pp, char *name, size_t size)
{
    const char *p = *pp;
    size_t n = 0;
    if (*p == '{') {
        /* ${NAME}, ${N...} (digits) or ${?} style specials. */
        const char *q = p + 1;
        const char *end = strchr(q, '}');
        if (!end || end == q || (size_t)(end - q) >= size)
            return -1;
        int special = end - q == 1 && strchr("?$!#@*", *q);
        int digits = 1, identifier = is_name_start((unsigned char)*q);
        for (const char *c = q; c < end; c++) {
            digits = digits && isdigit((unsigned char)*c);
            identifier = identifier && is_name_char((unsigned char)*c);
        }
        if (!special && !digits && !identifier)
            return -1;
        memcpy(name, q, (size_t)(end - q));
        name[end - q] = '\0';
        *pp = end + 1;
        return 1;
    }
    if (*p && strchr("?$!#@*", *p)) {
        name[n++] = *p++;
    } else if (isdigit((unsigned char)*p)) {
        name[n++] = *p++; /* $1..$9; ${10} for more */
    } else if (is_name_start((unsigned char)*p)) {
        while (is_name_char((unsigned char)*p) && n < size - 1)
            name[n++] = *p++;
        while (is_name_char((unsigned char)*p))
            p++;
    } else {
        return 0;
    }
    name[n] = '\0';
    *pp = p;
    return 1;
}

/* The fields of one word being expanded. */
struct fields {
    struct vec *out;
    struct str cur;
    int has_content; /* cur is a field even if empty (something was quoted) */
};

static void field_end(struct fields *f)
{
    if (f->has_content || f->cur.len)
        vec_push(f->out, str_take(&f->cur));
    else
        free(str_take(&f->cur));
    f->has_content = 0;
}

/* Adds expanded text; unquoted text is split into fields on blanks when split is set. */
static void field_add_expansion(struct fields *f, const char *text, int split)
{
    for (; *text; text++) {
        if (split && (*text == ' ' || *text == '\t' || *text == '\n')) {
            if (f->cur.len || f->has_content)
                field_end(f);
            continue;
        }
        str_putc(&f->cur, *text);
    }
}

/* Expands one raw word into zero or more fields appended to out (split: field splitting of
 * unquoted expansions). Returns 0, or -1 after printing an error. */
static int expand_word(const char *raw, struct vec *out, int split)
{
    /* "$@" with no positional parameters yields no field at all. */
    if (strcmp(raw, "\"$@\"") == 0) {
        for (int i = 0; i < npositional; i++)
            vec_push(out, xstrdup(positional[i]));
        return 0;
    }
    struct fields f = {out, {0}, 0};
    const char *p = raw;
    if (*p == '~' && (p[1] == '\0' || p[1] == '/')) {
        const char *home = var_get("HOME");
        str_puts(&f.cur, home ? home : "/");
        f.has_content = 1;
        p++;
    }
    int in_double = 0;
    while (*p) {
        char c = *p;
        if (!in_double && c == '\'') {
            f.has_content = 1;
            p++;
            while (*p && *p != '\'')
                str_putc(&f.cur, *p++);
            if (*p)
                p++;
        } else if (c == '"') {
            f.has_content = 1;
            in_double = !in_double;
            p++;
        } else if (c == '\\') {
            p++;
            if (!*p)
                break;
            if (in_double && !strchr("$`\"\\\n", *p))
                str_putc(&f.cur, '\\');
            if (*p != '\n')
                str_putc(&f.cur, *p);
            f.has_content = 1;
            p++;
        } else if (c == '$') {
            const char *q = p + 1;
            char name[256];
            int r = parse_parameter(&q, name, sizeof name);
            if (r < 0) {
                error_msg(raw, "bad substitution", NULL);
                free(f.cur.s);
                return -1;
            }
            if (r == 0) {
                str_putc(&f.cur, '$');
                p++;
                continue;
            }
            struct str value = {0};
            append_parameter(&value, name);
            if (value.s)
                field_add_expansion(&f, value.s, split && !in_double);
            free(value.s);
            p = q;
        } else {
            str_putc(&f.cur, c);
            p++;
        }
    }
    field_end(&f);
    return 0;
}

/* Expands a word into exactly one string (no field splitting). */
static char *expand_single(const char *raw)
{
    struct vec v = {0};
    if (expand_word(raw, &v, 0) < 0)
        return NULL;
    struct str s = {0};
    for (size_t i = 0; i < v.n; i++) {
        if (i)
            str_putc(&s, ' ');
        str_puts(&s, v.v[i]);
    }
    vec_free(&v);
    return str_take(&s);
}

/* NAME=... with an unquoted, valid name. */
static int is_assignment(const char *raw)
{
    if (!is_name_start((unsigned char)raw[0]))
        return 0;
    const char *p = raw;
    while (is_name_char((unsigned char)*p))
        p++;
    return *p == '=';
}

/* The words of a command after expansion. */
struct expanded {
    struct vec assignments; /* "NAME=value" */
    struct vec argv;
};

static void expanded_free(struct expanded *e)
{
    vec_free(&e->assignments);
    vec_free(&e->argv);
}

static int expand_command(const struct command *cmd, struct expanded *e)
{
    memset(e, 0, sizeof *e);
    size_t i = 0;
    for (; i < cmd->words.n && is_assignment(cmd->words.v[i]); i++) {
        const char *raw = cmd->words.v[i];
        const char *eq = strchr(raw, '=');
        char *value = expand_single(eq + 1);
        if (!value)
            return -1;
        struct str s = {0};
        for (const char *c = raw; c <= eq; c++)
            str_putc(&s, *c);
        str_puts(&s, value);
        free(value);
        vec_push(&e->assignments, str_take(&s));
    }
    for (; i < cmd->words.n; i++)
        if (expand_word(cmd->words.v[i], &e->argv, 1) < 0)
            return -1;
    return 0;
}

/* ---------------------------------------------------------------- redirections */

/* Remembers what a redirected descriptor was, to undo redirections around builtins. */
struct saved_fd {
    int fd, copy; /* copy == -1: fd was closed */
};

static int parse_fd_number(const char *s)
{
    if (!*s)
        return -1;
    for (const char *c = s; *c; c++)
        if (!isdigit((unsigned char)*c))
            return -1;
    long n = strtol(s, NULL, 10);
    return n > 1000 ? -1 : (int)n;
}

static int move_fd(int from, int to)
{
    if (from == to)
        return 0;
    int r = dup2(from, to);
    close(from);
    return r < 0 ? -1 : 0;
}

/* A close-on-exec copy of fd above the io numbers a command can name (0..99), or -1 if fd is
 * not open. */
static int save_fd(int fd)
{
    if (fcntl(fd, F_GETFD) < 0)
        return -1;
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 100);
    if (copy < 0)
        copy = fcntl(fd, F_DUPFD_CLOEXEC, 10); /* a low RLIMIT_NOFILE */
    return copy;
}

/* Applies the redirections in order; if saved is not NULL, records the previous descriptors
 * (saved must have room for 2 * nredirs entries). Returns 0, or -1 after printing an error. */
static int apply_redirections(const struct command *cmd, struct saved_fd *saved, size_t *nsaved)
{
    for (size_t i = 0; i < cmd->nredirs; i++) {
        const struct redirection *r = &cmd->redirs[i];
        char *target = expand_single(r->target);
        if (!target)
            return -1;
        int fd = r->fd;
        if (fd < 0)
            fd = (r->kind == R_IN || r->kind == R_DUP_IN) ? 0 : 1;
        int both = 0; /* ">& file": stdout and stderr to the file */
        int source = -1;
        int close_it = 0;
        if (r->kind == R_DUP_OUT || r->kind == R_DUP_IN) {
            if (strcmp(target, "-") == 0) {
                close_it = 1;
            } else if ((source = parse_fd_number(target)) < 0) {
                if (r->kind == R_DUP_OUT && r->fd < 0) {
                    both = 1;
                } else {
                    error_msg(target, "bad file descriptor", NULL);
                    free(target);
                    return -1;
                }
            } else if (fcntl(source, F_GETFD) < 0) {
                error_msg(target, "bad file descriptor", NULL);
                free(target);
                return -1;
            }
        }
        int opened = -1;
        if (r->kind == R_IN || r->kind == R_OUT || r->kind == R_APPEND || both) {
            int flags = r->kind == R_IN ? O_RDONLY
                        : r->kind == R_APPEND ? O_WRONLY | O_CREAT | O_APPEND
                                              : O_WRONLY | O_CREAT | O_TRUNC;
            opened = open(target, flags, 0666);
            if (opened < 0) {
                error_msg(target, strerror(errno), NULL);
                free(target);
                return -1;
            }
        }
        free(target);
        int targets[2] = {fd, 2};
        for (int k = 0; k < (both ? 2 : 1); k++) {
            if (saved) {
                saved[*nsaved].fd = targets[k];
                saved[*nsaved].copy = save_fd(targets[k]);
                (*nsaved)++;
            }
        }
        if (close_it) {
            close(fd);
        } else if (opened >= 0) {
            if (both && dup2(opened, 2) < 0)
                return -1;
            if (move_fd(opened, fd) < 0) {
                error_msg("redirection", strerror(errno), NULL);
                return -1;
            }
        } else if (source != fd && dup2(source, fd) < 0) {
            error_msg("redirection", strerror(errno), NULL);
            return -1;
        }
    }
    return 0;
}

static void restore_redirections(struct saved_fd *saved, size_t nsaved)
{
    while (nsaved-- > 0) {
        if (saved[nsaved].copy >= 0) {
            dup2(saved[nsaved].copy, saved[nsaved].fd);
            close(saved[nsaved].copy);
        } else {
            close(saved[nsaved].fd);
        }
    }
}

/* ---------------------------------------------------------------- builtins */

static int run_file(const char *path, int exit_on_syntax_error);

static int builtin_cd(char **argv)
{
    const char *dir = argv[1];
    if (!dir) {
        dir = var_get("HOME");
        if (!dir || !*dir)
            dir = "/";
    }
    if (chdir(dir) < 0) {
        error_msg("cd", dir, strerror(errno));
        return 1;
    }
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd))
        var_set("PWD", 3, cwd, 0);
    return 0;
}

static int builtin_pwd(char **argv)
{
    (void)argv;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        error_msg("pwd", strerror(errno), NULL);
        return 1;
    }
    printf("%s\n", cwd);
    return 0;
}

static int builtin_exit(char **argv)
{
    int code = last_status;
    if (argv[1]) {
        char *end;
        long n = strtol(argv[1], &end, 10);
        if (!*argv[1] || *end) {
            error_msg("exit", argv[1], "numeric argument required");
            code = 2;
        } else {
            code = (int)(n & 255);
        }
    }
    fflush(stdout);
    exit(code);
}

static int builtin_export(char **argv)
{
    if (!argv[1]) {
        for (struct var *v = vars; v; v = v->next)
            if (v->exported)
                printf("export %s=\"%s\"\n", v->name, v->value ? v->value : "");
        return 0;
    }
    int status = 0;
    for (int i = 1; argv[i]; i++) {
        const char *eq = strchr(argv[i], '=');
        size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
        int valid = len > 0 && is_name_start((unsigned char)argv[i][0]);
        for (size_t k = 0; valid && k < len; k++)
            valid = is_name_char((unsigned char)argv[i][k]);
        if (!valid) {
            error_msg("export", argv[i], "not a valid identifier");
            status = 1;
            continue;
        }
        var_set(argv[i], len, eq ? eq + 1 : NULL, 1);
    }
    return status;
}

static int builtin_unset(char **argv)
{
    for (int i = 1; argv[i]; i++)
        var_unset(argv[i]);
    return 0;
}

static int status_from_wait(int status, int report);

static int builtin_wait(char **argv)
{
    (void)argv;
    int status = 0, st;
    for (;;) {
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        status = status_from_wait(st, 0);
    }
    return status;
}

static int builtin_colon(char **argv)
{
    (void)argv;
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(char **argv);
} builtins[] = {
    {"cd", builtin_cd}, {"pwd", builtin_pwd}, {"exit", builtin_exit}, {"export", builtin_export},
    {"unset", builtin_unset}, {"wait", builtin_wait}, {":", builtin_colon},
};

static int (*find_builtin(const char *name))(char **)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return builtins[i].fn;
    return NULL;
}

/* ---------------------------------------------------------------- execution */

static const char *signal_description(int sig)
{
    switch (sig) {
    case SIGHUP: return "Hangup";
    case SIGQUIT: return "Quit";
    case SIGILL: return "Illegal instruction";
    case SIGTRAP: return "Trace/breakpoint trap";
    case SIGABRT: return "Aborted";
    case SIGBUS: return "Bus error";
    case SIGFPE: return "Floating point exception";
    case SIGKILL: return "Killed";
    case SIGUSR1: return "User defined signal 1";
    case SIGSEGV: return "Segmentation fault";
    case SIGUSR2: return "User defined signal 2";
    case SIGALRM: return "Alarm clock";
    case SIGTERM: return "Terminated";
    case SIGSTKFLT: return "Stack fault";
    case SIGXCPU: return "CPU time limit exceeded";
    case SIGXFSZ: return "File size limit exceeded";
    case SIGVTALRM: return "Virtual timer expired";
    case SIGPROF: return "Profiling timer expired";
    case SIGIO: return "I/O possible";
    case SIGPWR: return "Power failure";
    case SIGSYS: return "Bad system call";
    }
    return NULL;
}

/* Converts a wait status into $? and, if report is set, describes a death by signal the way
 * bash does (nothing for SIGINT and SIGPIPE). */
static int status_from_wait(int status, int report)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (report && sig == SIGINT && interactive)
            write(2, "\n", 1);
        if (report && sig != SIGINT && sig != SIGPIPE) {
            char msg[64];
            const char *d = signal_description(sig);
            if (d)
                snprintf(msg, sizeof msg, "%s%s\n", d, WCOREDUMP(status) ? " (core dumped)" : "");
            else
                snprintf(msg, sizeof msg, "Killed by signal %d\n", sig);
            write(2, msg, strlen(msg));
        }
        return 128 + sig;
    }
    return 1;
}

static pid_t wait_for(pid_t pid, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, 0);
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

/* In a freshly forked child: undo the interactive shell's signal dispositions. */
static void reset_child_signals(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
}

/* Runs a file that execve refused as a shell script in this (child) process. */
static void run_as_script(const char *path, char **argv)
{
    arg0 = (char *)path;
    positional = argv + 1;
    npositional = 0;
    while (positional[npositional])
        npositional++;
    last_status = 0;
    exit(run_file(path, 1));
}

/* Execs argv (in a child); never returns. */
static void exec_command(char **argv, struct vec *assignments)
{
    struct vec env = {0};
    build_environment(&env, assignments);
    const char *name = argv[0];
    if (strchr(name, '/')) {
        execve(name, argv, env.v);
        int err = errno;
        if (err == ENOEXEC)
            run_as_script(name, argv);
        error_msg(name, strerror(err), NULL);
        _exit(err == ENOENT ? 127 : 126);
    }
    const char *path = var_get("PATH");
    if (!path || !*path)
        path = "/bin:/usr/bin";
    int saw_eacces = 0;
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        struct str full = {0};
        if (len == 0)
            str_putc(&full, '.');
        for (size_t i = 0; i < len; i++)
            str_putc(&full, path[i]);
        str_putc(&full, '/');
        str_puts(&full, name);
        execve(full.s, argv, env.v);
        if (errno == ENOEXEC)
            run_as_script(full.s, argv);
        if (errno == EACCES)
            saw_eacces = 1;
        free(full.s);
        path += len;
        if (*path == ':')
            path++;
    }
    if (saw_eacces) {
        error_msg(name, "Permission denied", NULL);
        _exit(126);
    }
    error_msg(name, "not found", NULL);
    _exit(127);
}

/* Runs one expanded command inside a child process; never returns. */
static void run_in_child(const struct command *cmd)
{
    struct expanded e;
    if (expand_command(cmd, &e) < 0 || apply_redirections(cmd, NULL, NULL) < 0)
        _exit(1);
    if (e.argv.n == 0)
        _exit(0);
    int (*builtin)(char **) = find_builtin(e.argv.v[0]);
    if (builtin) {
        for (size_t i = 0; i < e.assignments.n; i++) {
            char *eq = strchr(e.assignments.v[i], '=');
            var_set(e.assignments.v[i], (size_t)(eq - e.assignments.v[i]), eq + 1, 0);
        }
        int status = builtin(e.argv.v);
        fflush(stdout);
        _exit(status);
    }
    exec_command(e.argv.v, &e.assignments);
}

/* A pipeline of a single command runs builtins and assignments in the shell itself. */
static int run_simple(const struct command *cmd)
{
    struct expanded e;
    if (expand_command(cmd, &e) < 0) {
        expanded_free(&e);
        return 1;
    }
    int (*builtin)(char **) = e.argv.n ? find_builtin(e.argv.v[0]) : NULL;
    if (e.argv.n == 0 || builtin) {
        for (size_t i = 0; i < e.assignments.n; i++) {
            char *eq = strchr(e.assignments.v[i], '=');
            var_set(e.assignments.v[i], (size_t)(eq - e.assignments.v[i]), eq + 1, 0);
        }
        struct saved_fd *saved = xrealloc(NULL, (2 * cmd->nredirs + 1) * sizeof *saved);
        size_t nsaved = 0;
        int status = 0;
        if (apply_redirections(cmd, saved, &nsaved) < 0)
            status = 1;
        else if (builtin)
            status = builtin(e.argv.v);
        fflush(stdout);
        restore_redirections(saved, nsaved);
        free(saved);
        expanded_free(&e);
        return status;
    }
    expanded_free(&e);
    pid_t pid = fork();
    if (pid < 0) {
        error_msg("fork", strerror(errno), NULL);
        return 1;
    }
    if (pid == 0) {
        reset_child_signals();
        run_in_child(cmd);
    }
    int status;
    if (wait_for(pid, &status) < 0)
        return 1;
    return status_from_wait(status, 1);
}

static int run_pipeline(const struct pipeline *pl)
{
    int status;
    if (pl->ncmds == 1) {
        status = run_simple(&pl->cmds[0]);
    } else {
        pid_t *pids = xrealloc(NULL, pl->ncmds * sizeof *pids);
        size_t started = 0;
        int input = -1; /* read end of the previous pipe */
        for (size_t i = 0; i < pl->ncmds; i++) {
            int p[2] = {-1, -1};
            if (i + 1 < pl->ncmds && pipe2(p, O_CLOEXEC) < 0) {
                error_msg("pipe", strerror(errno), NULL);
                break;
            }
            fflush(stdout);
            pid_t pid = fork();
            if (pid < 0) {
                error_msg("fork", strerror(errno), NULL);
                if (p[0] >= 0) {
                    close(p[0]);
                    close(p[1]);
                }
                break;
            }
            if (pid == 0) {
                reset_child_signals();
                if (input >= 0 && dup2(input, 0) < 0)
                    _exit(1);
                if (p[1] >= 0 && dup2(p[1], 1) < 0)
                    _exit(1);
                run_in_child(&pl->cmds[i]);
            }
            pids[started++] = pid;
            if (input >= 0)
                close(input);
            if (p[1] >= 0)
                close(p[1]);
            input = p[0];
        }
        if (input >= 0)
            close(input);
        status = 1;
        for (size_t i = 0; i < started; i++) {
            int st;
            if (wait_for(pids[i], &st) < 0)
                continue;
            int s = status_from_wait(st, 1);
            if (i == pl->ncmds - 1)
                status = s;
        }
        free(pids);
    }
    return pl->negate ? !status : status;
}

static int run_and_or(const struct and_or *ao)
{
    int status = run_pipeline(&ao->pipes[0]);
    for (size_t i = 1; i < ao->npipes; i++) {
        last_status = status;
        enum token_kind op = ao->ops[i - 1];
        if ((op == TK_AND_IF && status == 0) || (op == TK_OR_IF && status != 0))
            status = run_pipeline(&ao->pipes[i]);
    }
    return status;
}

static void run_list(const struct list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct and_or *ao = &l->items[i];
        if (!ao->background) {
            last_status = run_and_or(ao);
            continue;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            error_msg("fork", strerror(errno), NULL);
            last_status = 1;
            continue;
        }
        if (pid == 0) {
            reset_child_signals();
            if (!interactive) {
                int null_fd = open("/dev/null", O_RDONLY);
                if (null_fd >= 0)
                    move_fd(null_fd, 0);
            }
            interactive = 0;
            exit(run_and_or(ao));
        }
        last_background = pid;
        if (interactive) {
            char msg[32];
            snprintf(msg, sizeof msg, "[%d]\n", (int)pid);
            write(2, msg, strlen(msg));
        }
        last_status = 0;
    }
}

/* Lexes, parses and runs one complete line. Returns -1 on a syntax error. */
static int run_line(const char *line)
{
    struct tokens ts = {0};
    if (lex(line, &ts) != LEX_OK) {
        error_msg("syntax error: unterminated quote", NULL, NULL);
        tokens_free(&ts);
        last_status = 2;
        return -1;
    }
    struct list l;
    int rc = 0;
    if (parse_list(&ts, &l) < 0) {
        last_status = 2;
        rc = -1;
    } else {
        run_list(&l);
    }
    free_list(&l);
    tokens_free(&ts);
    return rc;
}

/* ---------------------------------------------------------------- input */

/* Reads lines from a descriptor. Unbuffered readers take one byte at a time so that commands
 * started by the shell can read the rest of a shared stdin. */
struct reader {
    int fd;
    int unbuffered;
    char buf[4096];
    size_t pos, len;
};

/* Returns the next line without its newline (malloc'd), or NULL at end of input. */
static char *read_line(struct reader *r)
{
    struct str line = {0};
    int got_any = 0;
    for (;;) {
        if (r->pos == r->len) {
            ssize_t n = read(r->fd, r->buf, r->unbuffered ? 1 : sizeof r->buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            r->pos = 0;
            r->len = (size_t)n;
        }
        char c = r->buf[r->pos++];
        got_any = 1;
        if (c == '\n')
            break;
        if (c == '\0')
            c = ' ';
        str_putc(&line, c);
    }
    if (!got_any) {
        free(line.s);
        return NULL;
    }
    return str_take(&line);
}

static void prompt(const char *text)
{
    if (interactive)
        write(2, text, strlen(text));
}

/* Reaps finished background commands without blocking. */
static void reap_background(void)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        if (interactive) {
            char msg[48];
            snprintf(msg, sizeof msg, "[%d] done, status %d\n", (int)pid, status_from_wait(st, 0));
            write(2, msg, strlen(msg));
        }
    }
}

/* Runs every line from a reader; returns the last status. */
static int run_reader(struct reader *r, int exit_on_syntax_error)
{
    for (;;) {
        reap_background();
        prompt("# ");
        char *line = read_line(r);
        if (!line) {
            if (interactive)
                write(2, "\n", 1);
            break;
        }
        /* A quote left open or a trailing backslash: append the following lines. */
        for (;;) {
            struct tokens ts = {0};
            enum lex_result lr = lex(line, &ts);
            tokens_free(&ts);
            if (lr == LEX_OK)
                break;
            prompt("> ");
            char *more = read_line(r);
            if (!more)
                break;
            struct str all = {0};
            str_puts(&all, line);
            if (lr == LEX_BACKSLASH)
                all.s[--all.len] = '\0'; /* drop the backslash: the lines are joined */
            else
                str_putc(&all, '\n');
            str_puts(&all, more);
            free(more);
            free(line);
            line = str_take(&all);
        }
        int rc = run_line(line);
        free(line);
        if (rc < 0 && exit_on_syntax_error)
            break;
    }
    return last_status;
}

static int run_file(const char *path, int exit_on_syntax_error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error_msg(path, strerror(errno), NULL);
        return 127;
    }
    /* Keep the script away from the descriptors redirections use. */
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    if (high >= 0) {
        close(fd);
        fd = high;
    }
    struct reader *r = xrealloc(NULL, sizeof *r);
    r->fd = fd;
    r->unbuffered = 0;
    r->pos = r->len = 0;
    interactive = 0;
    int status = run_reader(r, exit_on_syntax_error);
    close(fd);
    free(r);
    return status;
}

int main(int argc, char **argv)
{
    shell_pid = getpid();
    import_environment();
    if (!var_get("PATH"))
        var_set("PATH", 4, "/bin:/usr/bin", 1);
    signal(SIGPIPE, SIG_DFL);

    if (argc >= 2 && strcmp(argv[1], "-c") == 0) {
        if (argc < 3) {
            error_msg("-c", "option requires an argument", NULL);
            return 2;
        }
        if (argc >= 4) {
            arg0 = argv[3];
            positional = argv + 4;
            npositional = argc - 4;
        }
        run_line(argv[2]);
        return last_status;
    }
    if (argc >= 2 && argv[1][0] == '-' && argv[1][1] && strcmp(argv[1], "--") != 0) {
        error_msg(argv[1], "invalid option", NULL);
        return 2;
    }
    if (argc >= 2) {
        int first = strcmp(argv[1], "--") == 0 ? 2 : 1;
        if (first < argc) {
            arg0 = argv[first];
            positional = argv + first + 1;
            npositional = argc - first - 1;
            return run_file(argv[first], 1);
        }
    }

    /* Commands from stdin. */
    interactive = isatty(0);
    if (interactive) {
        signal(SIGINT, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
    }
    static struct reader in = {0, 1, {0}, 0, 0};
    return run_reader(&in, !interactive);
}
