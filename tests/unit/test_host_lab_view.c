/*
 * Unit tests of L1's view of the host (host/lab/view_plan.c,
 * view_tree.c): the dynamic loader's --list output read into files (the
 * vDSO skipped, a missing library an error); PT_INTERP read from a real
 * ELF file and refused from a damaged one; a path walked as the kernel
 * resolves it, with relative and absolute symlinks kept and followed and
 * ".." after a real directory; a data directory added whole, a link back
 * to its parent and a dangling link not followed; a tree that holds the
 * plan's files (hard links) and nothing else, reused for the same plan and
 * made anew when a file changes; on another file system, one copy of a
 * file shared by the trees; the run directory's mount point made and
 * removed with its empty parents only.  Finally the closure is complete:
 * build/hvflush runs chrooted in a tree of its own closure, and no longer
 * runs once the tree's libc is taken out (root only: chroot).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab/lab.h"

static char top[PATH_MAX];

static int setup(void **state)
{
    char tmpl[] = "/tmp/hvflush-view-XXXXXX";

    (void)state;
    if (!mkdtemp(tmpl) || !realpath(tmpl, top))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    char cmd[PATH_MAX + 16];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
    return system(cmd) == 0 ? 0 : -1;
}

static void sh(const char *fmt_, ...)
{
    char cmd[4 * PATH_MAX];
    va_list ap;

    va_start(ap, fmt_);
    vsnprintf(cmd, sizeof(cmd), fmt_, ap);
    va_end(ap);
    assert_int_equal(system(cmd), 0);
}

struct paths {
    char p[8][128];
    int n;
};

static bool collect(void *ctx, const char *path, char *err, size_t errcap)
{
    struct paths *ps = ctx;

    (void)err;
    (void)errcap;
    snprintf(ps->p[ps->n++], sizeof(ps->p[0]), "%s", path);
    return true;
}

static void test_ldso_parse(void **state)
{
    static const char listing[] =
        "\tlinux-vdso.so.1 (0x00007ffd4b1f2000)\n"
        "\tlibhwloc.so.15 => /lib/x86_64-linux-gnu/libhwloc.so.15 (0x00007f1e8c5d1000)\n"
        "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f1e8c3f0000)\n"
        "\t/lib64/ld-linux-x86-64.so.2 (0x00007f1e8c640000)\n";
    static const char missing[] =
        "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f1e8c3f0000)\n"
        "\tlibgone.so.3 => not found\n";
    struct paths ps = { .n = 0 };
    char err[256];

    (void)state;
    assert_true(lab_ldso_parse(listing, collect, &ps, err, sizeof(err)));
    assert_int_equal(ps.n, 3);
    assert_string_equal(ps.p[0], "/lib/x86_64-linux-gnu/libhwloc.so.15");
    assert_string_equal(ps.p[1], "/lib/x86_64-linux-gnu/libc.so.6");
    assert_string_equal(ps.p[2], "/lib64/ld-linux-x86-64.so.2");
    ps.n = 0;
    assert_false(lab_ldso_parse(missing, collect, &ps, err, sizeof(err)));
    assert_non_null(strstr(err, "libgone.so.3"));
}

static void test_elf_interp(void **state)
{
    static unsigned char buf[65536];
    char interp[PATH_MAX], err[256];
    int fd = open("build/hvflush", O_RDONLY);
    ssize_t n;

    (void)state;
    assert_true(fd >= 0);
    n = read(fd, buf, sizeof(buf));
    close(fd);
    assert_true(n > 64);
    assert_true(lab_elf_interp(buf, (size_t)n, interp, sizeof(interp), err, sizeof(err)));
    assert_int_equal(interp[0], '/');
    assert_int_equal(access(interp, X_OK), 0);
    /* Program headers cut off, and no ELF at all. */
    assert_false(lab_elf_interp(buf, 80, interp, sizeof(interp), err, sizeof(err)));
    buf[1] = 'X';
    assert_false(lab_elf_interp(buf, (size_t)n, interp, sizeof(interp), err, sizeof(err)));
    assert_non_null(strstr(err, "not an ELF"));
}

static const struct lab_view_entry *entry(const struct lab_view_plan *p, const char *fmt_,
                                          const char *arg)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof(path), fmt_, arg);
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->e[i].path, path))
            return &p->e[i];
    return NULL;
}

/* A small "host" under top: real/f, rel -> real, abs -> TOP/real/f,
 * data/ with a file, a link back to data and a dangling link, other. */
static void make_host(void)
{
    sh("cd %s && mkdir -p real data && echo one >real/f && ln -s real rel && "
       "ln -s %s/real/f abs && echo rom >data/rom.bin && ln -s . data/loop && "
       "ln -s gone data/dangling && echo secret >other", top, top);
}

static void test_walk_and_tree(void **state)
{
    struct lab_view_plan p = { 0 };
    struct lab_view_found f;
    char path[3 * PATH_MAX], tree[PATH_MAX], tree2[PATH_MAX], cache[PATH_MAX + 16],
         err[PATH_MAX + 256];
    const struct lab_view_entry *e;
    struct stat host, in_tree;
    bool built;

    (void)state;
    make_host();
    snprintf(path, sizeof(path), "%s/rel/f", top);
    assert_true(lab_view_add(&p, path, true, &f, err, sizeof(err)));
    assert_int_equal(f.kind, LAB_VIEW_FILE);
    snprintf(path, sizeof(path), "%s/real/f", top);
    assert_string_equal(f.real, path);
    assert_non_null(e = entry(&p, "%s/rel", top));
    assert_int_equal(e->kind, LAB_VIEW_LINK);
    assert_string_equal(e->target, "real");
    snprintf(path, sizeof(path), "%s/abs", top);
    assert_true(lab_view_add(&p, path, true, &f, err, sizeof(err)));
    assert_int_equal(entry(&p, "%s/abs", top)->kind, LAB_VIEW_LINK);
    snprintf(path, sizeof(path), "%s/data/../real/f", top);
    assert_true(lab_view_add(&p, path, true, &f, err, sizeof(err)));
    assert_int_equal(f.kind, LAB_VIEW_FILE);
    snprintf(path, sizeof(path), "%s/missing", top);
    assert_true(lab_view_add(&p, path, false, &f, err, sizeof(err)));
    assert_int_equal(f.kind, LAB_VIEW_ABSENT);
    assert_false(lab_view_add(&p, path, true, &f, err, sizeof(err)));
    snprintf(path, sizeof(path), "%s/data", top);
    assert_true(lab_view_add_dir(&p, path, err, sizeof(err)));
    assert_non_null(entry(&p, "%s/data/rom.bin", top));
    assert_int_equal(entry(&p, "%s/data/loop", top)->kind, LAB_VIEW_LINK);
    assert_int_equal(entry(&p, "%s/data/dangling", top)->kind, LAB_VIEW_LINK);
    assert_null(entry(&p, "%s/other", top));

    /* The tree: the plan's files as hard links, and nothing else. */
    snprintf(cache, sizeof(cache), "%s/cache", top);
    assert_true(lab_view_build(&p, cache, tree, sizeof(tree), &built, err, sizeof(err)));
    assert_true(built);
    snprintf(path, sizeof(path), "%s%s/real/f", tree, top);
    assert_int_equal(stat(path, &in_tree), 0);
    snprintf(path, sizeof(path), "%s/real/f", top);
    assert_int_equal(stat(path, &host), 0);
    assert_true(host.st_ino == in_tree.st_ino);
    snprintf(path, sizeof(path), "%s%s/rel/f", tree, top);
    assert_int_equal(access(path, R_OK), 0);      /* through the kept relative link */
    snprintf(path, sizeof(path), "%s%s/other", tree, top);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/proc", tree);
    assert_int_equal(access(path, F_OK), 0);
    /* The same plan: the same tree, not built again. */
    assert_true(lab_view_build(&p, cache, tree2, sizeof(tree2), &built, err, sizeof(err)));
    assert_false(built);
    assert_string_equal(tree, tree2);
    lab_view_plan_free(&p);

    /* A changed file (a new inode, as an install makes it): a new tree. */
    sh("cd %s && echo two >real/f.new && mv real/f.new real/f", top);
    snprintf(path, sizeof(path), "%s/rel/f", top);
    assert_true(lab_view_add(&p, path, true, &f, err, sizeof(err)));
    snprintf(path, sizeof(path), "%s/abs", top);
    assert_true(lab_view_add(&p, path, true, &f, err, sizeof(err)));
    snprintf(path, sizeof(path), "%s/data", top);
    assert_true(lab_view_add_dir(&p, path, err, sizeof(err)));
    assert_true(lab_view_build(&p, cache, tree2, sizeof(tree2), &built, err, sizeof(err)));
    assert_true(built);
    assert_string_not_equal(tree, tree2);
    lab_view_plan_free(&p);

    /* Mount points: made, and removed with their empty parents only. */
    assert_true(lab_view_mount_point(tree, "/w/results/run1", err, sizeof(err)));
    assert_true(lab_view_mount_point(tree, "/w/results/run2", err, sizeof(err)));
    lab_view_unmount_point(tree, "/w/results/run1");
    snprintf(path, sizeof(path), "%s/w/results/run2", tree);
    assert_int_equal(access(path, F_OK), 0);
    lab_view_unmount_point(tree, "/w/results/run2");
    snprintf(path, sizeof(path), "%s/w/results", tree);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/w", tree);
    assert_int_equal(access(path, F_OK), 0);      /* the top level stays */
}

/* A cache on another file system (a tmpfs): files are copied once into
 * view-files and every tree links to that copy. */
static void test_copies_shared(void **state)
{
    struct lab_view_plan p = { 0 };
    char cache[] = "/dev/shm/hvflush-view-XXXXXX", path[3 * PATH_MAX], tree[PATH_MAX],
         tree2[PATH_MAX], err[PATH_MAX + 256];
    struct stat host, a, b;
    bool built;

    (void)state;
    if (!mkdtemp(cache))
        skip();                       /* no /dev/shm */
    sh("mkdir -p %s/copy && echo data >%s/copy/f && echo more >%s/copy/g", top, top, top);
    snprintf(path, sizeof(path), "%s/copy/f", top);
    assert_true(lab_view_add(&p, path, true, NULL, err, sizeof(err)));
    assert_true(lab_view_build(&p, cache, tree, sizeof(tree), &built, err, sizeof(err)));
    snprintf(path, sizeof(path), "%s/copy/g", top);
    assert_true(lab_view_add(&p, path, true, NULL, err, sizeof(err)));
    assert_true(lab_view_build(&p, cache, tree2, sizeof(tree2), &built, err, sizeof(err)));
    assert_string_not_equal(tree, tree2);
    snprintf(path, sizeof(path), "%s/copy/f", top);
    assert_int_equal(stat(path, &host), 0);
    snprintf(path, sizeof(path), "%s%s/copy/f", tree, top);
    assert_int_equal(stat(path, &a), 0);
    snprintf(path, sizeof(path), "%s%s/copy/f", tree2, top);
    assert_int_equal(stat(path, &b), 0);
    if (a.st_dev != host.st_dev) {
        assert_true(a.st_ino == b.st_ino);        /* one copy, two links */
        assert_int_equal(a.st_nlink, 3);          /* and the store's */
    }
    lab_view_plan_free(&p);
    sh("rm -rf %s", cache);
}

/* Runs TREE's copy of binary --version chrooted in tree; its exit status. */
static int run_chrooted(const char *tree, const char *binary)
{
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);

        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        if (chroot(tree) != 0 || chdir("/") != 0)
            _exit(125);
        execl(binary, binary, "--version", (char *)NULL);
        _exit(127);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void test_closure_runs_chrooted(void **state)
{
    struct lab_view_plan p = { 0 };
    char hvflush[PATH_MAX], tree[PATH_MAX], cache[PATH_MAX + 16], err[PATH_MAX + 256];
    char path[2 * PATH_MAX];
    bool built, removed = false;

    (void)state;
    if (geteuid() != 0)
        skip();
    assert_non_null(realpath("build/hvflush", hvflush));
    assert_true(lab_view_add_binary(&p, hvflush, err, sizeof(err)));
    snprintf(cache, sizeof(cache), "%s/closure", top);
    assert_true(lab_view_build(&p, cache, tree, sizeof(tree), &built, err, sizeof(err)));
    assert_int_equal(run_chrooted(tree, hvflush), 0);
    /* Without its libc (only the tree's link to it goes), it cannot. */
    for (size_t i = 0; i < p.n; i++) {
        const char *base = strrchr(p.e[i].path, '/');

        if (p.e[i].kind == LAB_VIEW_FILE && !strcmp(base, "/libc.so.6")) {
            snprintf(path, sizeof(path), "%s%s", tree, p.e[i].path);
            assert_int_equal(unlink(path), 0);
            removed = true;
        }
    }
    assert_true(removed);
    assert_int_equal(access("/lib/x86_64-linux-gnu/libc.so.6", R_OK) == 0 ||
                     access("/usr/lib/x86_64-linux-gnu/libc.so.6", R_OK) == 0, 1);
    assert_int_not_equal(run_chrooted(tree, hvflush), 0);
    lab_view_plan_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ldso_parse),
        cmocka_unit_test(test_elf_interp),
        cmocka_unit_test(test_walk_and_tree),
        cmocka_unit_test(test_copies_shared),
        cmocka_unit_test(test_closure_runs_chrooted),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
