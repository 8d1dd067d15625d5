/* What a run must not leave behind (see leftovers.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leftovers.h"

/* /proc/<pid>/cmdline with its NULs turned into spaces; false if gone. */
static bool read_cmdline(const char *pid, char *buf, size_t cap, size_t *argv0_len)
{
    char path[300];
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
    f = fopen(path, "r");
    if (!f)
        return false;
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    *argv0_len = strlen(buf);
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    return n > 0;
}

static bool is_qemu(const char *cmdline, size_t argv0_len)
{
    const char *base = cmdline;

    for (size_t i = 0; i < argv0_len; i++)
        if (cmdline[i] == '/')
            base = cmdline + i + 1;
    return strncmp(base, "qemu", 4) == 0;
}

unsigned leftovers_qemu_naming(const char *needle, pid_t *out, unsigned cap)
{
    static char cmd[65536];
    DIR *d = opendir("/proc");
    struct dirent *e;
    unsigned n = 0;
    size_t a0;

    if (!d)
        return 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        if (!read_cmdline(e->d_name, cmd, sizeof(cmd), &a0) || !is_qemu(cmd, a0) ||
            !strstr(cmd, needle))
            continue;
        if (n < cap)
            out[n] = (pid_t)atoi(e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

void leftovers_snapshot(struct leftovers *s, const char *private_tmp)
{
    DIR *d = opendir("/tmp");
    struct dirent *e;

    memset(s, 0, sizeof(*s));
    snprintf(s->private_tmp, sizeof(s->private_tmp), "%s", private_tmp ? private_tmp : "");
    assert_non_null(d);
    while ((e = readdir(d)) && s->ntmp < LEFTOVERS_NAMES_MAX)
        s->tmp[s->ntmp++] = strdup(e->d_name);
    closedir(d);
}

static bool was_there(const struct leftovers *s, const char *name)
{
    for (unsigned i = 0; i < s->ntmp; i++)
        if (!strcmp(s->tmp[i], name))
            return true;
    return false;
}

/* A name hvflush's mkdtemp("hvflush-XXXXXX") makes: were the tool to
 * ignore $TMPDIR, its temporary directory would appear in /tmp as one.
 * (Other tests' scratch names are longer.) */
static bool is_tool_temp(const char *name)
{
    if (strncmp(name, "hvflush-", 8) || strlen(name) != 14)
        return false;
    for (const char *p = name + 8; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* Appends to report the dot-files under dir (recursively, links not followed). */
static void find_dotfiles(const char *dir, char *report, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];

    if (!d)
        return;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.')
            snprintf(report + strlen(report), cap - strlen(report), " %s", path);
        else if (e->d_type == DT_DIR)
            find_dotfiles(path, report, cap);
    }
    closedir(d);
}

void leftovers_assert_none(struct leftovers *s, const char *needle, const char *results_dir)
{
    char report[8192];

    leftovers_find(s, needle, results_dir, report, sizeof(report));
    if (report[0])
        fail_msg("left behind:%s", report);
}

void leftovers_find(struct leftovers *s, const char *needle, const char *results_dir,
                    char *report, size_t cap)
{
    char in_use[300];
    pid_t pids[16];
    unsigned nq = leftovers_qemu_naming(needle, pids, 16);
    DIR *d;
    struct dirent *e;

    report[0] = '\0';
    for (unsigned i = 0; i < nq && i < 16; i++)
        snprintf(report + strlen(report), cap - strlen(report),
                 " QEMU pid %d naming %s;", (int)pids[i], needle);
    d = opendir("/tmp");
    while (d && (e = readdir(d))) {
        if (!is_tool_temp(e->d_name) || was_there(s, e->d_name))
            continue;
        /* Another run's QMP directory: its live QEMU names it. */
        snprintf(in_use, sizeof(in_use), "/tmp/%s/", e->d_name);
        if (leftovers_qemu_naming(in_use, pids, 1))
            continue;
        snprintf(report + strlen(report), cap - strlen(report), " /tmp/%s;",
                 e->d_name);
    }
    if (d)
        closedir(d);
    d = s->private_tmp[0] ? opendir(s->private_tmp) : NULL;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(report + strlen(report), cap - strlen(report), " %s/%s;",
                     s->private_tmp, e->d_name);
    if (d)
        closedir(d);
    if (results_dir)
        find_dotfiles(results_dir, report, cap);
    for (unsigned i = 0; i < s->ntmp; i++)
        free(s->tmp[i]);
    s->ntmp = 0;
}

void tree_digest(const char *dir, char *out, size_t cap)
{
    char cmd[1200];
    FILE *p;
    size_t n;

    out[0] = '\0';
    if (access(dir, F_OK) != 0)
        return;
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && find . -type f -print0 | sort -z | xargs -0 -r sha256sum | sha256sum",
             dir);
    p = popen(cmd, "r");
    if (!p)
        return;
    n = fread(out, 1, cap - 1, p);
    pclose(p);
    out[n < 64 ? n : 64] = '\0';
}
