/*
 * Unit tests of the results store (host/results.c): run ids, label
 * sanitizing, run directories that are never reused or overwritten, and
 * the atomically replaced "latest" symlink.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "results.h"

static void test_sanitize_label(void **state)
{
    char out[64];

    (void)state;
    results_sanitize_label("my label", out, sizeof(out));
    assert_string_equal(out, "my-label");
    results_sanitize_label("  a//b  c!! ", out, sizeof(out));
    assert_string_equal(out, "a-b-c");
    results_sanitize_label("../etc/passwd", out, sizeof(out));
    assert_string_equal(out, "etc-passwd");
    results_sanitize_label("v1.2_rc-3", out, sizeof(out));
    assert_string_equal(out, "v1.2_rc-3");
    results_sanitize_label("///", out, sizeof(out));
    assert_string_equal(out, "");
    results_sanitize_label("x\xe2\x80\x94y", out, sizeof(out));
    assert_string_equal(out, "x-y");
    results_sanitize_label("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", out, sizeof(out));
    assert_int_equal(strlen(out), 40);
}

static void test_run_id(void **state)
{
    char id[RUN_ID_MAX];

    (void)state;
    /* 2024-02-29 13:14:15 UTC */
    results_run_id(1709212455, "tcg", 4, NULL, id, sizeof(id));
    assert_string_equal(id, "20240229-131415-tcg-4cpu");
    results_run_id(1709212455, "kvm", 2, "quick test", id, sizeof(id));
    assert_string_equal(id, "20240229-131415-kvm-2cpu-quick-test");
    results_run_id(1709212455, "kvm", 2, "!!!", id, sizeof(id));
    assert_string_equal(id, "20240229-131415-kvm-2cpu");
}

static void remove_tree(const char *dir)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static char *temp_dir(void)
{
    static char dir[64];

    strcpy(dir, "/tmp/hvflush-unit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void test_run_dir_never_reused(void **state)
{
    char *top = temp_dir(), out[400], id[RUN_ID_MAX], path[256], err[512], marker[300];
    struct stat st;
    FILE *f;

    (void)state;
    /* The results directory itself is created, parents included. */
    snprintf(out, sizeof(out), "%s/a/results", top);
    assert_true(results_create_run_dir(out, "run", id, sizeof(id), path, sizeof(path),
                                       err, sizeof(err)));
    assert_string_equal(id, "run");
    snprintf(marker, sizeof(marker), "%s/keep", path);
    f = fopen(marker, "w");
    assert_non_null(f);
    fputs("old", f);
    fclose(f);

    assert_true(results_create_run_dir(out, "run", id, sizeof(id), path, sizeof(path),
                                       err, sizeof(err)));
    assert_string_equal(id, "run-2");
    assert_true(results_create_run_dir(out, "run", id, sizeof(id), path, sizeof(path),
                                       err, sizeof(err)));
    assert_string_equal(id, "run-3");
    /* The first directory and its contents are untouched. */
    assert_int_equal(stat(marker, &st), 0);
    assert_int_equal(st.st_size, 3);

    /* A plain file where the results directory should be is an error. */
    snprintf(out, sizeof(out), "%s/keep", path);
    fclose(fopen(out, "w"));
    assert_false(results_create_run_dir(out, "run", id, sizeof(id), path, sizeof(path),
                                        err, sizeof(err)));
    assert_non_null(strstr(err, "cannot create results directory"));
    remove_tree(top);
}

static void test_latest_symlink(void **state)
{
    char *top = temp_dir(), link[128], target[128], err[256];
    ssize_t n;

    (void)state;
    snprintf(link, sizeof(link), "%s/latest", top);
    assert_true(results_update_latest(top, "run-a", err, sizeof(err)));
    n = readlink(link, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, "run-a");
    assert_true(results_update_latest(top, "run-b", err, sizeof(err)));
    n = readlink(link, target, sizeof(target) - 1);
    target[n > 0 ? n : 0] = '\0';
    assert_string_equal(target, "run-b");
    remove_tree(top);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sanitize_label),
        cmocka_unit_test(test_run_id),
        cmocka_unit_test(test_run_dir_never_reused),
        cmocka_unit_test(test_latest_symlink),
    };

    return cmocka_run_group_tests_name("host_results", tests, NULL, NULL);
}
