/*
 * A run under host load (TCG, tests/sweeps/load.sweep, --smp 2): one
 * process spinning per online host CPU, started before the run and killed
 * after it.  The run must still complete (exit 0) and must not present
 * its numbers as clean:
 *  - meta.json's noise section says noisy with the host-load reason, the
 *    host's measured values (other processes' CPU, vCPU run-queue wait,
 *    involuntary switches, load average) present and past a threshold;
 *  - summary.csv's noise column flags every measured configuration with
 *    host-load;
 *  - the report carries the noise banner naming the values, `hvflush runs`
 *    lists the run as noisy, `hvflush compare` warns about it;
 *  - no spinning process is left afterwards.
 * The same sweep also runs without the test's load first; what its noise
 * section says is printed, not asserted (TCG and a shared host are noisy
 * by nature).  Then each check is shown to catch the fault it guards
 * against, on doctored copies of the loaded run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "harness.h"

#define SWEEP "tests/sweeps/load.sweep"
#define problem(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), 1u)
#define LOAD_MAX 256

static char tmp[] = "/tmp/hvflush-test-load-XXXXXX";
static char quiet_dir[600], loaded_dir[600];
static char out[16384], err[4096];

HARNESS_SH(tmp, out, err)

/* ---- the load: one spinning child per online CPU --------------------------- */

static pid_t load[LOAD_MAX];
static unsigned nload;

static void start_load(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    for (nload = 0; nload < (unsigned)(n > 0 && n < LOAD_MAX ? n : 1); nload++) {
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
            volatile unsigned long spin = 0;

            prctl(PR_SET_PDEATHSIG, SIGKILL);     /* never outlives the test */
            for (;;)
                spin++;
        }
        load[nload] = pid;
    }
}

/* Kills and reaps the children; true when none is left. */
static bool stop_load(void)
{
    bool gone = true;

    for (unsigned i = 0; i < nload; i++) {
        kill(load[i], SIGKILL);
        if (waitpid(load[i], NULL, 0) != load[i])
            gone = false;
        if (!(kill(load[i], 0) == -1 && errno == ESRCH))
            gone = false;
    }
    nload = 0;
    return gone;
}

/* ---- the checks, each on a run directory ----------------------------------- */

static json_t *load_meta(const char *dir)
{
    char path[700];

    snprintf(path, sizeof(path), "%s/meta.json", dir);
    return json_load_file(path, 0, NULL);
}

static double num(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(json_object_get(o, a), b);

    return json_is_number(v) ? json_number_value(v) : -1;
}

static bool has_reason(json_t *noise, const char *reason)
{
    json_t *e;
    size_t i;

    json_array_foreach(json_object_get(noise, "reasons"), i, e)
        if (json_string_value(e) && !strcmp(json_string_value(e), reason))
            return true;
    return false;
}

/* meta.json: noisy, host-load, and the host's values that justify it. */
static unsigned check_meta_loaded(const char *dir)
{
    json_t *meta = load_meta(dir), *noise = json_object_get(meta, "noise");
    json_t *host = json_object_get(noise, "host");
    const char *verdict = json_string_value(json_object_get(noise, "verdict"));
    double others = num(noise, "host", "others_cpu_frac");
    double wait = num(noise, "host", "vcpu_wait_frac");
    double steal = num(noise, "host", "steal_frac");
    unsigned n = 0;

    if (!json_is_object(noise)) {
        json_decref(meta);
        return problem("meta.json: no noise section");
    }
    if (!verdict || strcmp(verdict, "noisy"))
        n += problem("meta.json: noise verdict %s, want noisy", verdict ? verdict : "missing");
    if (!has_reason(noise, "host-load"))
        n += problem("meta.json: no host-load reason");
    if (!json_is_true(json_object_get(host, "measured")))
        n += problem("meta.json: host load not measured");
    if (others < 0 || wait < 0 || steal < 0 || num(noise, "host", "loadavg1_end") < 0 ||
        num(noise, "host", "vcpu_nonvoluntary_switches") < 0 || num(noise, "host", "wall_s") <= 0)
        n += problem("meta.json: host values missing");
    if (num(noise, "host", "vcpu_threads") != 2)
        n += problem("meta.json: %g vCPU threads read, want 2", num(noise, "host", "vcpu_threads"));
    /* host-load must rest on a measured value past its documented threshold. */
    if (!(others >= num(noise, "thresholds", "others_cpu_frac") ||
          wait >= num(noise, "thresholds", "vcpu_wait_frac") ||
          steal >= num(noise, "thresholds", "steal_frac")))
        n += problem("meta.json: host-load without a value past its threshold");
    if (num(noise, "timer", "p50") < 0 || num(noise, "timer", "spread_rel") < 0)
        n += problem("meta.json: timer values missing");
    json_decref(meta);
    return n;
}

/* summary.csv: every configuration with samples flagged host-load. */
static unsigned check_summary_loaded(const char *dir)
{
    struct run_result r;
    struct csv_table t;
    unsigned n = 0, flagged = 0;

    memset(&r, 0, sizeof(r));
    snprintf(r.run_dir, sizeof(r.run_dir), "%s", dir);
    if (!csv_read(&r, "summary.csv", &t))
        return problem("summary.csv unreadable");
    if (!csv_get(&t, 0, "noise") || strcmp(t.cols[t.ncols - 1], "noise"))
        n += problem("summary.csv: noise is not the last column");
    for (unsigned i = 0; i < t.nrows; i++) {
        if (csv_num(&t, i, "n") <= 0)
            continue;
        if (!strstr(csv_cell(&t, i, "noise"), "host-load"))
            n += problem("summary.csv %s: noise '%s' lacks host-load", csv_cell(&t, i, "label"),
                         csv_cell(&t, i, "noise"));
        else
            flagged++;
    }
    if (!flagged)
        n += problem("summary.csv: no configuration flagged");
    csv_free(&t);
    return n;
}

/* report.html: the banner, naming the reason and the measured values. */
static unsigned check_report(const char *dir)
{
    char path[700];

    if (sh("build/hvflush report '%s'", dir) != 0)
        return problem("hvflush report failed: %s", err);
    snprintf(path, sizeof(path), "%s/report.html", dir);
    if (!file_contains(path, "id=\"noise-banner\" data-noise=\"noisy\""))
        return problem("report.html: no noise banner");
    if (!file_contains(path, "NOISY RUN") || !file_contains(path, "host-load") ||
        !file_contains(path, "vCPU run-queue wait") || !file_contains(path, "CPU "))
        return problem("report.html: the banner does not name the measured values");
    return 0;
}

static unsigned check_all(const char *dir)
{
    return check_meta_loaded(dir) + check_summary_loaded(dir) + check_report(dir);
}

/* ---- the runs ---------------------------------------------------------------- */

static void print_noise(const char *what, const char *dir)
{
    json_t *meta = load_meta(dir), *noise = json_object_get(meta, "noise");
    char *text = json_dumps(noise, JSON_COMPACT | JSON_PRESERVE_ORDER);

    printf("%s run's noise: %s\n", what, text ? text : "(none)");
    free(text);
    json_decref(meta);
}

static int setup(void **state)
{
    struct run_result *r;

    (void)state;
    if (!mkdtemp(tmp))
        return -1;
    r = run_hvflush("run --accel tcg --smp 2 --sweep " SWEEP " --label quiet");
    if (r->exit_code != 0 || !r->run_dir[0]) {
        fprintf(stderr, "unloaded run exited %d: %s\n", r->exit_code, r->err);
        return -1;
    }
    snprintf(quiet_dir, sizeof(quiet_dir), "%s/quiet", tmp);
    if (sh("cp -r '%s' '%s'", r->run_dir, quiet_dir) != 0)
        return -1;
    start_load();
    r = run_hvflush("run --accel tcg --smp 2 --sweep " SWEEP " --label loaded");
    if (!stop_load()) {
        fprintf(stderr, "a load process is left\n");
        return -1;
    }
    if (r->exit_code != 0 || !r->run_dir[0]) {
        fprintf(stderr, "loaded run exited %d: %s\n", r->exit_code, r->err);
        return -1;
    }
    snprintf(loaded_dir, sizeof(loaded_dir), "%s/loaded", tmp);
    if (sh("cp -r '%s' '%s'", r->run_dir, loaded_dir) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stop_load();
    sh("rm -rf '%s'", tmp);
    return 0;
}

/* Unloaded: whatever it says, the section is there and complete. */
static void test_unloaded_run_is_assessed(void **state)
{
    json_t *meta = load_meta(quiet_dir), *noise = json_object_get(meta, "noise");
    const char *verdict = json_string_value(json_object_get(noise, "verdict"));

    (void)state;
    print_noise("unloaded", quiet_dir);
    assert_non_null(verdict);
    assert_true(!strcmp(verdict, "clean") || !strcmp(verdict, "noisy"));
    assert_true(json_is_true(json_object_get(json_object_get(noise, "host"), "measured")));
    assert_true(json_is_object(json_object_get(noise, "thresholds")));
    json_decref(meta);
}

static void test_loaded_run_is_flagged(void **state)
{
    (void)state;
    print_noise("loaded", loaded_dir);
    assert_int_equal(check_all(loaded_dir), 0);
}

static void test_runs_and_compare_say_so(void **state)
{
    char cmp[700];

    (void)state;
    assert_int_equal(sh("build/hvflush runs '%s'", tmp), 0);
    assert_non_null(strstr(out, "noise"));
    assert_non_null(strstr(out, "noisy"));
    snprintf(cmp, sizeof(cmp), "%s/cmp", tmp);
    assert_true(sh("build/hvflush compare '%s' '%s' --out '%s'", quiet_dir, loaded_dir, cmp)
                <= 1);
    assert_non_null(strstr(err, "loaded is a noisy run (host-load"));
}

/* Doctored copies of the loaded run: each check catches its fault. */
static const struct {
    const char *what, *edit;     /* a shell command run in the copy */
} faults[] = {
    { "no noise section",
      "python3 -c \"import json;m=json.load(open('meta.json'));del m['noise'];"
      "json.dump(m,open('meta.json','w'))\"" },
    { "verdict clean, no reasons",
      "python3 -c \"import json;m=json.load(open('meta.json'));m['noise']['verdict']='clean';"
      "m['noise']['reasons']=[];json.dump(m,open('meta.json','w'))\"" },
    { "host values below every threshold",
      "python3 -c \"import json;m=json.load(open('meta.json'));h=m['noise']['host'];"
      "h['others_cpu_frac']=h['vcpu_wait_frac']=h['steal_frac']=0.0;"
      "json.dump(m,open('meta.json','w'))\"" },
    { "summary.csv's noise column emptied",
      "python3 -c \"import csv;r=list(csv.reader(open('summary.csv')));"
      "[x.__setitem__(-1,'') for x in r[1:]];csv.writer(open('summary.csv','w'),"
      "lineterminator='\\n').writerows(r)\"" },
};

static void test_checks_catch_faults(void **state)
{
    char copy[700];

    (void)state;
    snprintf(copy, sizeof(copy), "%s/fault", tmp);
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        assert_int_equal(sh("rm -rf '%s' && cp -r '%s' '%s' && cd '%s' && %s", copy, loaded_dir,
                            copy, copy, faults[i].edit), 0);
        if (check_all(copy) == 0)
            fail_msg("fault not caught: %s", faults[i].what);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unloaded_run_is_assessed),
        cmocka_unit_test(test_loaded_run_is_flagged),
        cmocka_unit_test(test_runs_and_compare_say_so),
        cmocka_unit_test(test_checks_catch_faults),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
