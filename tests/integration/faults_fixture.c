/* The host-side fault tests' common ground (see faults_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faults_fixture.h"
#include "harness.h"

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A test that fails midway skips fix_end: its scratch directory goes at
 * exit. */
static char scratch_left[32][64];

static void remove_scratch_left(void)
{
    char cmd[200];

    for (unsigned i = 0; i < 32; i++)
        if (scratch_left[i][0]) {
            snprintf(cmd, sizeof(cmd), "rm -rf '%.63s'", scratch_left[i]);
            if (system(cmd) != 0)
                fprintf(stderr, "could not remove %s\n", scratch_left[i]);
        }
}

void fix_begin(struct fault_fix *f)
{
    static bool registered;

    memset(f, 0, sizeof(*f));
    snprintf(f->scratch, sizeof(f->scratch), "/tmp/hvflush-test-XXXXXX");
    assert_non_null(mkdtemp(f->scratch));
    if (!registered)
        atexit(remove_scratch_left);
    registered = true;
    for (unsigned i = 0; i < 32; i++)
        if (!scratch_left[i][0]) {
            snprintf(scratch_left[i], sizeof(scratch_left[i]), "%s", f->scratch);
            break;
        }
    snprintf(f->tmp, sizeof(f->tmp), "%s/tmp", f->scratch);
    assert_int_equal(mkdir(f->tmp, 0700), 0);
    snprintf(f->out, sizeof(f->out), "%s/results", f->scratch);
    write_text(f->scratch, "fast.sweep",
               "name fast\nsamples 50\nwarmup 5\nverify-rounds 2\nmeasure local\n");
    write_text(f->scratch, "samples.sweep", "name samples\nsamples 3000\nwarmup 5\n"
               "verify-rounds 2\nmeasure ipi pages=1 targets=1 state=spin\n");
    write_text(f->scratch, "hang.sweep", "name hang\ninject hang\nmeasure local\n");
    leftovers_snapshot(&f->left, f->tmp);
}

static void read_text(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;

    buf[n] = '\0';
    if (f)
        fclose(f);
}

pid_t fix_spawn(struct fault_fix *f, const char *tag, const char *args)
{
    char cmd[4096];
    char *argv[] = { "/bin/sh", "-c", cmd, NULL };

    snprintf(cmd, sizeof(cmd), "exec %s %s", hvflush_bin(), args);
    return fix_spawn_argv(f, tag, argv);
}

pid_t fix_spawn_argv(struct fault_fix *f, const char *tag, char *const argv[])
{
    char path[200];
    pid_t pid;

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd;

        setenv("TMPDIR", f->tmp, 1);
        snprintf(path, sizeof(path), "%s/%s.out", f->scratch, tag);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        snprintf(path, sizeof(path), "%s/%s.err", f->scratch, tag);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

void fix_wait(struct fault_fix *f, pid_t pid, const char *tag, struct fault_outcome *o)
{
    char path[200];
    int status;

    assert_int_equal(waitpid(pid, &status, 0), pid);
    o->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    snprintf(path, sizeof(path), "%s/%s.err", f->scratch, tag);
    read_text(path, o->err, sizeof(o->err));
    unlink(path);
    snprintf(path, sizeof(path), "%s/%s.out", f->scratch, tag);
    read_text(path, o->out, sizeof(o->out));
    unlink(path);
}

void fix_run(struct fault_fix *f, const char *tag, const char *args, struct fault_outcome *o)
{
    fix_wait(f, fix_spawn(f, tag, args), tag, o);
}

void fix_earlier_run(struct fault_fix *f)
{
    struct fault_outcome o;
    char args[700], target[256];
    ssize_t n;

    snprintf(args, sizeof(args), FAULT_FAST_ARGS " --out %s --label earlier", f->scratch,
             f->out);
    fix_run(f, "earlier", args, &o);
    if (o.exit_code != 0)
        fail_msg("earlier run: exit %d: %s", o.exit_code, o.err);
    snprintf(f->earlier, sizeof(f->earlier), "%s/latest", f->out);
    n = readlink(f->earlier, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    snprintf(f->earlier, sizeof(f->earlier), "%s/%s", f->out, target);
    tree_digest(f->earlier, f->digest, sizeof(f->digest));
    assert_int_equal(strlen(f->digest), 64);
}

bool fix_is_named(const char *path, const char *name)
{
    const char *slash = strrchr(path, '/');

    return !strcmp(slash ? slash + 1 : path, name);
}

/* The newest directory under out other than skip, "" if none. */
static void newest_run_dir(const char *out, const char *skip, char *dir, size_t cap)
{
    DIR *d = opendir(out);
    struct dirent *e;
    char best[256] = "";

    dir[0] = '\0';
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && e->d_type == DT_DIR && strcmp(e->d_name, "latest") &&
            (!skip || !fix_is_named(skip, e->d_name)) && strcmp(e->d_name, best) > 0)
            snprintf(best, sizeof(best), "%s", e->d_name);
    if (d)
        closedir(d);
    if (best[0])
        snprintf(dir, cap, "%s/%s", out, best);
}

void fix_wait_hanging(struct fault_fix *f, pid_t pid, char *run_dir, size_t cap, pid_t *qemu)
{
    char serial[700];
    int status;

    for (;;) {
        /* Bounded by the run's own --timeout: hvflush ends by then. */
        if (waitpid(pid, &status, WNOHANG) == pid) {
            char err[4096];

            snprintf(serial, sizeof(serial), "%s/hang.err", f->scratch);
            read_text(serial, err, sizeof(err));
            fail_msg("hvflush ended (status %#x) before its guest hung: %s", status, err);
        }
        newest_run_dir(f->out, f->earlier[0] ? f->earlier : NULL, run_dir, cap);
        snprintf(serial, sizeof(serial), "%s/serial.log", run_dir);
        if (run_dir[0] && file_contains(serial, "injecting fault 'hang'") &&
            leftovers_qemu_naming(run_dir, qemu, 1) == 1)
            return;
        usleep(100 * 1000);
    }
}

void fix_assert_said(const struct fault_outcome *o, const char *needle)
{
    const char *hit = strstr(o->err, needle);
    const char *start;

    if (!hit)
        fail_msg("stderr lacks '%s': %s", needle, o->err);
    for (start = hit; start > o->err && start[-1] != '\n'; start--)
        ;
    if (strncmp(start, "hvflush: ", 9))
        fail_msg("'%s' is not on an hvflush: line: %s", needle, o->err);
}

void fix_assert_one_line(const struct fault_outcome *o, const char *needle)
{
    const char *nl = strchr(o->err, '\n');

    fix_assert_said(o, needle);
    if (strncmp(o->err, "hvflush: ", 9) || !nl || nl[1] != '\0')
        fail_msg("stderr is not one hvflush: line: '%s'", o->err);
}

/* A test that fails in the middle leaves its mount: taken down at exit. */
static char mounted[8][128];

static void unmount_leftovers(void)
{
    char cmd[400];

    for (unsigned i = 0; i < 8; i++)
        if (mounted[i][0]) {
            snprintf(cmd, sizeof(cmd), "umount -l '%s' 2>/dev/null; rm -rf '%.*s'",
                     mounted[i], (int)(strlen(mounted[i]) - 4), mounted[i]);
            if (system(cmd) != 0)
                fprintf(stderr, "could not take down %s\n", mounted[i]);
        }
}

bool fix_mount_tmpfs(struct fault_fix *f, const char *opts)
{
    static bool registered;
    char cmd[400];

    if (geteuid() != 0) {
        fprintf(stderr, "SKIP: not root: cannot mount a tmpfs\n");
        return false;
    }
    snprintf(f->mnt, sizeof(f->mnt), "%s/mnt", f->scratch);
    assert_int_equal(mkdir(f->mnt, 0755), 0);
    snprintf(cmd, sizeof(cmd), "mount -t tmpfs -o %s hvflush-test '%s' 2>/dev/null", opts,
             f->mnt);
    if (system(cmd) != 0) {
        fprintf(stderr, "SKIP: mount -t tmpfs -o %s is not permitted here\n", opts);
        f->mnt[0] = '\0';
        return false;
    }
    snprintf(f->out, sizeof(f->out), "%s/results", f->mnt);
    if (!registered)
        atexit(unmount_leftovers);
    registered = true;
    for (unsigned i = 0; i < 8; i++)
        if (!mounted[i][0]) {
            snprintf(mounted[i], sizeof(mounted[i]), "%s", f->mnt);
            break;
        }
    return true;
}

void fix_meta(const char *run_dir, const char *key, char *out, size_t cap)
{
    char path[700];
    json_t *root, *v;

    out[0] = '\0';
    snprintf(path, sizeof(path), "%s/meta.json", run_dir);
    root = json_load_file(path, 0, NULL);
    v = root ? json_object_get(root, key) : NULL;
    if (json_is_string(v))
        snprintf(out, cap, "%s", json_string_value(v));
    json_decref(root);
}

void fix_end(struct fault_fix *f)
{
    char digest[72] = "", cmd[200], left[8192];
    int umounted = 0;

    if (f->earlier[0])
        tree_digest(f->earlier, digest, sizeof(digest));
    leftovers_find(&f->left, f->out, f->out, left, sizeof(left));
    /* Cleaned up before judging, so that a failure leaves no mount. */
    if (f->mnt[0]) {
        snprintf(cmd, sizeof(cmd), "umount '%s'", f->mnt);
        umounted = system(cmd);
        for (unsigned i = 0; umounted == 0 && i < 8; i++)
            if (!strcmp(mounted[i], f->mnt))
                mounted[i][0] = '\0';
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->scratch);
    if (umounted == 0 && system(cmd) != 0)
        fail_msg("cannot remove %s", f->scratch);
    for (unsigned i = 0; i < 32; i++)
        if (!strcmp(scratch_left[i], f->scratch))
            scratch_left[i][0] = '\0';
    if (f->earlier[0] && strcmp(digest, f->digest))
        fail_msg("the earlier run %s changed", f->earlier);
    if (left[0])
        fail_msg("left behind:%s", left);
    assert_int_equal(umounted, 0);
}
