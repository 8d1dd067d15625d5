/*
 * A short libFuzzer run of every harness (tests/fuzz/README.md), part of
 * `make test`.  Each fuzzer runs a fixed number of inputs (-runs=N from
 * short_runs[] below, FUZZ_RUNS for a target not listed; seed 1; no
 * wall-clock limit): a few seconds each, the targets that write a run
 * directory per input getting fewer.  It starts from its seed corpus
 * tests/fuzz/corpus/<target>/ (new inputs go to a temporary directory,
 * removed afterwards, so the corpus in the repository is not touched); the
 * test asserts exit status 0, libFuzzer's "Done N runs", no sanitizer or
 * libFuzzer report, and that the harness removed its scratch directory.  Crash inputs are saved under FUZZ_BUILD/artifacts/.
 *
 * The check can fail: test_planted_crash_is_caught runs a harness with
 * HVFLUSH_FUZZ_PLANT=1 on an input holding the marker, which makes the
 * harness read past a heap block, and asserts that the run fails with
 * AddressSanitizer's report and the crash input saved.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../tests/fuzz/fuzz_files.h"

/* Runs cmd through the shell; its output (stdout and stderr) in *out. */
static int run_capture(const char *cmd, char **out)
{
    size_t len = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    FILE *p = popen(cmd, "r");
    size_t n;
    int status;

    assert_non_null(buf);
    assert_non_null(p);
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 4096) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    status = pclose(p);
    *out = buf;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void remove_dir(const char *dir)
{
    char cmd[4200];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* The fuzzer of target run over its corpus for runs inputs; the exit status,
 * output in *out.  extra: more arguments (a corpus directory), env: a
 * variable assignment, both may be "". */
static int fuzz(const char *target, unsigned runs, const char *env, const char *extra,
                char **out)
{
    char tmp[] = "/tmp/hvflush-fuzz-test.XXXXXX", cmd[8192], sub[64];
    DIR *d;
    struct dirent *e;
    int rc;

    assert_non_null(mkdtemp(tmp));
    mkdir(FUZZ_BUILD "/artifacts", 0755);
    /* tmp/new: the inputs libFuzzer adds; tmp/scratch: the harness's $TMPDIR. */
    snprintf(cmd, sizeof(cmd), "mkdir '%s/new' '%s/scratch'", tmp, tmp);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd),
             "%s TMPDIR='%s/scratch' %s/fuzz_%s -runs=%u -seed=1 -close_fd_mask=3 -timeout=25 "
             "-rss_limit_mb=2048 -artifact_prefix=%s/artifacts/%s- '%s/new' %s 2>&1",
             env, tmp, FUZZ_BUILD, target, runs, FUZZ_BUILD, target, tmp, extra);
    rc = run_capture(cmd, out);
    /* A run that ended normally left no scratch directory behind. */
    snprintf(sub, sizeof(sub), "%s/scratch", tmp);
    d = opendir(sub);
    assert_non_null(d);
    while (rc == 0 && (e = readdir(d)))
        if (e->d_name[0] != '.')
            fail_msg("fuzz_%s left %s/%s", target, sub, e->d_name);
    closedir(d);
    remove_dir(tmp);
    return rc;
}

/* Inputs per target in `make test` (about 1000 per second for the ones
 * that parse a buffer, 50 to 100 for those that write and read files). */
static const struct { const char *target; unsigned runs; } short_runs[] = {
    { "sweep", 20000 }, { "import", 10000 },
    { "records", 400 }, { "compare", 200 }, { "report", 300 }, { "lab", 400 },
};

static unsigned runs_of(const char *target)
{
    for (size_t i = 0; i < sizeof(short_runs) / sizeof(short_runs[0]); i++)
        if (!strcmp(short_runs[i].target, target))
            return short_runs[i].runs;
    return FUZZ_RUNS;
}

static void test_every_target(void **state)
{
    char targets[] = FUZZ_TARGETS, *save = NULL;
    unsigned n = 0;

    (void)state;
    for (char *t = strtok_r(targets, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        char corpus[512], done[64], *out = NULL;
        int rc;

        snprintf(corpus, sizeof(corpus), "tests/fuzz/corpus/%s", t);
        rc = fuzz(t, runs_of(t), "", corpus, &out);
        snprintf(done, sizeof(done), "Done %u runs", runs_of(t));
        if (rc != 0 || !strstr(out, done) || strstr(out, "ERROR: ") ||
            strstr(out, "runtime error:"))
            fail_msg("fuzz_%s (exit status %d):\n%s", t, rc, out);
        printf("fuzz_%s: %u runs, no findings\n", t, runs_of(t));
        free(out);
        n++;
    }
    assert_true(n >= 6);
}

static void test_planted_crash_is_caught(void **state)
{
    char dir[] = "/tmp/hvflush-fuzz-plant.XXXXXX", path[256], extra[300], *out = NULL;
    DIR *d;
    struct dirent *e;
    bool saved = false;
    FILE *f;
    int rc;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/planted", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("name planted\n# " FUZZ_PLANT_MARKER "\n", f);
    fclose(f);
    snprintf(extra, sizeof(extra), "'%s'", dir);
    /* Clear earlier artifacts of this target. */
    assert_int_equal(system("rm -f " FUZZ_BUILD "/artifacts/sweep-crash-*"), 0);
    rc = fuzz("sweep", 1000, "HVFLUSH_FUZZ_PLANT=1", extra, &out);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(out, "ERROR: AddressSanitizer: heap-buffer-overflow"));
    assert_non_null(strstr(out, "fuzz_planted_crash"));
    assert_non_null(strstr(out, "Test unit written to " FUZZ_BUILD "/artifacts/sweep-crash-"));
    d = opendir(FUZZ_BUILD "/artifacts");
    assert_non_null(d);
    while ((e = readdir(d)))
        saved |= !strncmp(e->d_name, "sweep-crash-", 12);
    closedir(d);
    assert_true(saved);
    assert_int_equal(system("rm -f " FUZZ_BUILD "/artifacts/sweep-crash-*"), 0);
    free(out);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_crash_is_caught),
        cmocka_unit_test(test_every_target),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
