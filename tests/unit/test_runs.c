/*
 * Unit tests of "hvflush runs" (host/analysis/runs.c) on a results
 * directory written here: two runs listed newest first (or by name) with
 * their label, accelerator, timing class, kernel (the L1 kernel of a lab
 * run), sweep, status and summary.csv's verdict counts; a run whose
 * meta.json is not JSON listed as damaged; `latest`, files and other
 * directories skipped; a missing DIR, a DIR that is a file and a stray
 * argument are bad input (2); the default DIR is <root>/results.
 */
#include <fcntl.h>
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

#include "commands.h"
#include "util.h"

static char tmp[64], results[128];

static void put(const char *dir, const char *name, const char *text)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true(write_file(path, text, strlen(text)));
}

static void make_run(const char *id, const char *meta, const char *summary)
{
    char dir[256];

    snprintf(dir, sizeof(dir), "%s/%s", results, id);
    assert_int_equal(mkdir(dir, 0755), 0);
    if (meta)
        put(dir, "meta.json", meta);
    if (summary)
        put(dir, "summary.csv", summary);
}

/* runs_command(argv) with its stdout in *out; returns its exit status. */
static int runs(char **out, int argc, char **argv)
{
    char path[256];
    size_t len;
    int fd, saved, ret;

    snprintf(path, sizeof(path), "%s/stdout", tmp);
    fflush(stdout);
    saved = dup(1);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 1);
    close(fd);
    ret = runs_command(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    assert_true(read_file(path, out, &len, 0));
    return ret;
}

static unsigned count_lines(const char *s)
{
    unsigned n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The line of out that holds needle. */
static const char *line_with(const char *out, const char *needle, char *line, size_t cap)
{
    const char *at = strstr(out, needle), *start, *end;

    assert_non_null(at);
    for (start = at; start > out && start[-1] != '\n'; start--)
        ;
    end = strchr(at, '\n');
    snprintf(line, cap, "%.*s", (int)(end - start), start);
    return line;
}

static int setup(void **state)
{
    char link[256];

    (void)state;
    snprintf(tmp, sizeof(tmp), "/tmp/hvflush-test-runs-XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    snprintf(results, sizeof(results), "%s/results", tmp);
    if (mkdir(results, 0755))
        return -1;
    make_run("20261127-080739-lab-2cpu",
             "{\"run_id\": \"20261127-080739-lab-2cpu\", \"start_utc\": \"2026-11-27T08:07:39Z\","
             " \"label\": null, \"status\": \"ok\","
             " \"host\": {\"kernel\": \"Linux 6.18.44-fc #1 SMP x86_64\"},"
             " \"accelerator\": {\"name\": \"lab\", \"timing_class\": \"nested-emulated\"},"
             " \"lab\": {\"l1\": {\"kernel_release\": \"6.12.117+deb12-amd64\"}},"
             " \"sweep\": {\"name\": \"default\"}}",
             "id,label,verdict\n0,a,pass\n1,b,pass\n2,c,inconclusive\n3,d,fail\n4,e,-\n"
             "5,f,unsupported\n6,g,error\n7,h,pass\n");
    make_run("20261127-065722-tcg-2cpu-before",
             "{\"run_id\": \"20261127-065722-tcg-2cpu-before\","
             " \"start_utc\": \"2026-11-27T06:57:22Z\", \"label\": \"before\","
             " \"status\": \"failed\","
             " \"host\": {\"kernel\": \"Linux 6.18.44-fc #1 SMP x86_64\"},"
             " \"accelerator\": {\"name\": \"tcg\", \"timing_class\": \"emulated\"},"
             " \"sweep\": {\"name\": \"smoke\"}}", NULL);
    /* Damaged: a run id, a meta.json cut short. */
    make_run("20261127-070000-kvm-4cpu", "{\"run_id\": \"20261127-07", NULL);
    /* Not runs. */
    make_run("plots", NULL, NULL);
    put(results, "README.md", "# results\n");
    snprintf(link, sizeof(link), "%s/latest", results);
    if (symlink("20261127-080739-lab-2cpu", link))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_lists_runs_newest_first(void **state)
{
    char *argv[] = { "runs", results, NULL }, *out, line[512];
    const char *lab, *damaged, *tcg;

    (void)state;
    assert_int_equal(runs(&out, 2, argv), 0);
    /* A head and three runs: latest, plots and README.md are skipped. */
    assert_int_equal(count_lines(out), 4);
    assert_non_null(strstr(out, "run "));
    assert_null(strstr(out, "latest"));
    assert_null(strstr(out, "plots"));
    assert_null(strstr(out, "README"));
    lab = strstr(out, "20261127-080739-lab-2cpu");
    damaged = strstr(out, "20261127-070000-kvm-4cpu");
    tcg = strstr(out, "20261127-065722-tcg-2cpu-before");
    assert_true(lab && damaged && tcg && lab < damaged && damaged < tcg);

    line_with(out, "lab-2cpu", line, sizeof(line));
    assert_non_null(strstr(line, "2026-11-27T08:07:39Z"));
    assert_non_null(strstr(line, " nested-emulated "));
    assert_non_null(strstr(line, " L1 6.12.117+deb12-amd64 "));
    assert_non_null(strstr(line, " default "));
    assert_non_null(strstr(line, " ok "));
    assert_non_null(strstr(line, " 3/1/1/1/1"));  /* pass/inconcl/fail/error/unsupp */

    line_with(out, "tcg-2cpu-before", line, sizeof(line));
    assert_non_null(strstr(line, " before "));
    assert_non_null(strstr(line, " emulated "));
    assert_non_null(strstr(line, " 6.18.44-fc "));
    assert_non_null(strstr(line, " smoke "));
    assert_non_null(strstr(line, " failed "));
    assert_non_null(strstr(line, " no summary.csv"));

    line_with(out, "kvm-4cpu", line, sizeof(line));
    assert_non_null(strstr(line, "meta.json unreadable"));
    assert_non_null(strstr(line, "2026-11-27T07:00:00Z"));
    free(out);
}

static void test_by_name(void **state)
{
    char *argv[] = { "runs", "--by-name", results, NULL }, *out;
    const char *lab, *damaged, *tcg;

    (void)state;
    assert_int_equal(runs(&out, 3, argv), 0);
    lab = strstr(out, "20261127-080739-lab-2cpu");
    damaged = strstr(out, "20261127-070000-kvm-4cpu");
    tcg = strstr(out, "20261127-065722-tcg-2cpu-before");
    assert_true(lab && damaged && tcg && tcg < damaged && damaged < lab);
    free(out);
}

static void test_default_dir_is_root_results(void **state)
{
    char *argv[] = { "runs", NULL }, *out;

    (void)state;
    setenv("HVFLUSH_ROOT", tmp, 1);
    assert_int_equal(runs(&out, 1, argv), 0);
    unsetenv("HVFLUSH_ROOT");
    assert_int_equal(count_lines(out), 4);
    assert_non_null(strstr(out, "20261127-080739-lab-2cpu"));
    free(out);
}

static void test_bad_input(void **state)
{
    char missing[256], file[256], *out;
    char *argv_missing[] = { "runs", missing, NULL };
    char *argv_file[] = { "runs", file, NULL };
    char *argv_two[] = { "runs", results, results, NULL };
    char *argv_opt[] = { "runs", "--newest", NULL };
    char *argv_help[] = { "runs", "--help", NULL };

    (void)state;
    snprintf(missing, sizeof(missing), "%s/no-such-dir", tmp);
    snprintf(file, sizeof(file), "%s/README.md", results);
    assert_int_equal(runs(&out, 2, argv_missing), 2);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(runs(&out, 2, argv_file), 2);
    free(out);
    assert_int_equal(runs(&out, 3, argv_two), 2);
    free(out);
    assert_int_equal(runs(&out, 2, argv_opt), 2);
    free(out);
    assert_int_equal(runs(&out, 2, argv_help), 0);
    assert_non_null(strstr(out, "usage: hvflush runs"));
    free(out);
}

static void test_empty_dir(void **state)
{
    char dir[256], *argv[] = { "runs", dir, NULL }, *out;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/empty", tmp);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(runs(&out, 2, argv), 0);
    assert_non_null(strstr(out, "no runs under"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lists_runs_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_dir_is_root_results, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_dir, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
