/*
 * Unit tests of compare_env() (host/analysis/compare_env.c) on run
 * directories written here: the keys that differ (host kernel, L1 kernel,
 * QEMU, timing class) are listed and marked, the others named as the same,
 * runs of different timing classes are flagged, and a meta.json that is
 * missing or not JSON is bad input (2).
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

#include <jansson.h>

#include "analysis/compare_parts.h"
#include "util.h"

static char tmp[64];

struct env {
    const char *kernel, *l1, *qemu, *accel, *tc, *git, *policy;
};

static const struct env lab61 = {
    "Linux 6.18.44 #1 SMP x86_64", "6.1.0-56-amd64", "QEMU emulator version 7.2.22",
    "lab", "nested-emulated", "abc1234", "compact",
};

/* Writes tmp/name/meta.json as host/meta.c would, for e. */
static const char *make_run(const char *name, const struct env *e)
{
    static char dir[8][256];
    static unsigned next;
    char path[512];
    char *dump;
    json_t *meta = json_pack(
        "{s:{s:s, s:s}, s:n, s:s, s:s, s:{s:s, s:s, s:i}, s:{s:s}, "
        "s:{s:s, s:s, s:s}, s:{s:s, s:i, s:[{s:i, s:s}, {s:i, s:s}]}, "
        "s:{s:s, s:i}, s:{s:i}, s:{s:b, s:[s, s], s:[s]}}",
        "hvflush", "version", "0.1.0", "git_rev", e->git, "label", "run_id", name,
        "status", "ok", "host", "kernel", e->kernel, "cpu_model", "AMD EPYC", "nproc", 2,
        "qemu", "version", e->qemu, "accelerator", "name", e->accel, "timing_class", e->tc,
        "label", "a label", "pinning", "policy", e->policy, "host_pus", 2, "map", "vcpu", 0,
        "pus", "0", "vcpu", 1, "pus", "1", "sweep", "name", "default", "configurations", 4,
        "vm", "smp", 2, "hyperv_flags", "probed", 1, "requested", "hv-vpindex", "hv-tlbflush",
        "accepted", "hv-vpindex");
    char *d = dir[next++ % 8];

    assert_non_null(meta);
    if (e->l1)
        json_object_set_new(meta, "lab", json_pack("{s:{s:s, s:s}}", "l1", "kernel_release",
                                                    e->l1, "package_version", "1.2.3"));
    snprintf(d, 256, "%s/%s", tmp, name);
    assert_int_equal(mkdir(d, 0755), 0);
    snprintf(path, sizeof(path), "%s/meta.json", d);
    dump = json_dumps(meta, JSON_INDENT(2));
    assert_true(write_file(path, dump, strlen(dump)));
    free(dump);
    json_decref(meta);
    return d;
}

/* compare_env() on runs, its text and HTML into *text and *html. */
static int env_of(const char *const *runs, unsigned n, char **text, char **html,
                  bool *classes_differ)
{
    size_t tl, hl;
    FILE *t = open_memstream(text, &tl), *h = open_memstream(html, &hl);
    int ret;

    *classes_differ = true;
    ret = compare_env(runs, n, t, h, classes_differ);
    fclose(t);
    fclose(h);
    return ret;
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof(tmp), "/tmp/hvflush-test-cmpenv-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* The line of the "same in every run" list. */
static const char *same_line(const char *text)
{
    const char *s = strstr(text, "same in every run:");

    assert_non_null(s);
    return s;
}

static void test_identical_runs_differ_nowhere(void **state)
{
    const char *runs[2];
    char *text, *html;
    bool classes;

    (void)state;
    runs[0] = make_run("a", &lab61);
    runs[1] = make_run("b", &lab61);
    assert_int_equal(env_of(runs, 2, &text, &html, &classes), 0);
    assert_false(classes);
    assert_non_null(strstr(text, "0 of 11 rows differ"));
    assert_null(strstr(text, "\u2260"));
    assert_null(strstr(html, "class=\"differs\""));
    assert_non_null(strstr(same_line(text), "host kernel, L1 kernel, QEMU, CPU model"));
    assert_non_null(strstr(html, "<section id=\"compare-environment\""));
    free(text);
    free(html);
}

static void test_kernels_and_qemu_differ(void **state)
{
    struct env lab612 = lab61;
    const char *runs[2];
    char *text, *html;
    bool classes;

    (void)state;
    lab612.l1 = "6.12.117+deb12-amd64";
    lab612.kernel = "Linux 6.19.0 #1 SMP x86_64";
    lab612.qemu = "QEMU emulator version 9.2.0";
    runs[0] = make_run("l61", &lab61);
    runs[1] = make_run("l612", &lab612);
    assert_int_equal(env_of(runs, 2, &text, &html, &classes), 0);
    assert_false(classes);
    assert_non_null(strstr(text, "3 of 11 rows differ"));
    /* The differing values are marked; the first run's are not. */
    assert_non_null(strstr(text, "\u2260 6.12.117+deb12-amd64 (1.2.3)"));
    assert_non_null(strstr(text, "\u2260 QEMU emulator version 9.2.0"));
    assert_non_null(strstr(text, "\u2260 Linux 6.19.0"));
    assert_null(strstr(text, "\u2260 6.1.0-56-amd64"));
    assert_null(strstr(same_line(text), "kernel"));
    assert_null(strstr(same_line(text), "QEMU"));
    assert_non_null(strstr(same_line(text), "CPU model, accelerator, timing class"));
    assert_non_null(strstr(html, "<tr class=\"differs\"><td>L1 kernel</td>"
                                 "<td>6.1.0-56-amd64 (1.2.3)</td>"
                                 "<td class=\"differs\">\u2260 6.12.117+deb12-amd64 (1.2.3)</td>"));
    assert_non_null(strstr(html, "<tr><td>CPU model</td>"));
    free(text);
    free(html);
}

static void test_timing_classes_differ(void **state)
{
    struct env tcg = lab61;
    const char *runs[3];
    char *text, *html;
    bool classes;

    (void)state;
    tcg.l1 = NULL;
    tcg.accel = "tcg";
    tcg.tc = "emulated";
    tcg.policy = "none";
    runs[0] = make_run("lab", &lab61);
    runs[1] = make_run("lab2", &lab61);
    runs[2] = make_run("tcg", &tcg);
    assert_int_equal(env_of(runs, 3, &text, &html, &classes), 0);
    assert_true(classes);
    assert_non_null(strstr(text, "\u2260 emulated (a label)"));
    assert_non_null(strstr(text, "\u2260 tcg"));
    assert_non_null(strstr(text, "\u2260 none: 0>0 1>1"));
    /* Not a lab run: no L1 kernel. */
    assert_non_null(strstr(text, "\u2260 -"));
    free(text);
    free(html);

    /* Two runs of one class are not flagged, whatever else differs. */
    runs[1] = runs[2];
    runs[0] = make_run("tcg2", &tcg);
    tcg.git = "def5678";
    runs[1] = make_run("tcg3", &tcg);
    assert_int_equal(env_of(runs, 2, &text, &html, &classes), 0);
    assert_false(classes);
    assert_non_null(strstr(text, "\u2260 def5678"));
    free(text);
    free(html);
}

static void test_unreadable_meta_is_bad_input(void **state)
{
    const char *runs[2];
    char path[512], *text, *html;
    bool classes;

    (void)state;
    runs[0] = make_run("good", &lab61);
    snprintf(path, sizeof(path), "%s/nometa", tmp);
    assert_int_equal(mkdir(path, 0755), 0);
    runs[1] = path;
    assert_int_equal(env_of(runs, 2, &text, &html, &classes), 2);
    free(text);
    free(html);

    snprintf(path, sizeof(path), "%s/nometa/meta.json", tmp);
    assert_true(write_file(path, "{ \"host\": ", 10));
    snprintf(path, sizeof(path), "%s/nometa", tmp);
    assert_int_equal(env_of(runs, 2, &text, &html, &classes), 2);
    free(text);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identical_runs_differ_nowhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kernels_and_qemu_differ, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timing_classes_differ, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_meta_is_bad_input, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
