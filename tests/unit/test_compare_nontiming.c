/*
 * Unit tests of compare_nontiming() (host/analysis/compare_nontiming.c and
 * compare_sources.c) on run directories written here: a verification
 * verdict that went from pass to fail, a precision result, a conformance
 * case's outcome, an accepted hv-* flag and a decision cell's winner that
 * changed are each found, counted, marked in the text and the HTML and
 * named in the compare-*.csv files; identical runs have no difference;
 * files a run lacks read `absent` and count nothing.
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

#include "analysis/compare_parts.h"
#include "util.h"

static char tmp[64];

/* What a hand-made run holds; NULL leaves the file out. */
struct run_files {
    const char *verify_csv, *summary_csv, *conformance_csv, *decision_csv, *meta_json;
};

#define SUMMARY_HEAD "id,label,strategy,verdict,p50_cyc\n"
#define VERIFY_HEAD "id,label,verdict,rounds,reason\n"
#define CONF_HEAD "case,call,input,status,code,reps,fault,outcome,tlfs,tlfs_verdict,reason\n"
#define DECISION_HEAD "targets,pages,state,best,best_label,call\n"

static const struct run_files base = {
    VERIFY_HEAD
    "2,ipi/invlpg/p1/t1/spin,inconclusive,64,negative-control-never-stale\n"
    "3,hv-space/slow/cr3/p1/t1/spin,pass,64,\n"
    "4,hv-list/fast/cr3/p8/t1/spin,pass,64,\n",
    SUMMARY_HEAD
    "0,local/invlpg/p1,local,-,300\n"
    "2,ipi/invlpg/p1/t1/spin,ipi,inconclusive,9000\n"
    "3,hv-space/slow/cr3/p1/t1/spin,hv-space,pass,7000\n"
    "4,hv-list/fast/cr3/p8/t1/spin,hv-list,pass,7100\n"
    "5,hv-null/slow,hv-null,unsupported,0\n",
    CONF_HEAD
    "space-one,hv-space,slow,SUCCESS,0,0,0,SUCCESS,SUCCESS,match,\n"
    "space-gpa-misaligned,hv-space,slow,SUCCESS,0,0,0,SUCCESS,INVALID_ALIGNMENT,deviation,"
    "\"KVM does not check, alignment\"\n"
    "vp-index-wrmsr,other,msr,-,-,0,13,fault-gp,-,-,\n",
    DECISION_HEAD
    "1,1,spin,hv-space/slow/cr3/mask,hv-space/slow/cr3/p1/t1/spin,decisive\n"
    "1,8,spin,hv-list/fast/cr3/mask,hv-list/fast/cr3/p8/t1/spin,within-noise\n",
    "{\"guest\": {\"precision\": ["
    "{\"id\": 3, \"check\": \"other-as\", \"result\": \"inconclusive\"},"
    "{\"id\": 4, \"check\": \"unlisted\", \"result\": \"kept\"}]},"
    " \"hyperv_flags\": {\"probed\": true, \"requested\": [\"hv-vpindex\", \"hv-tlbflush\","
    " \"hv-tlbflush-ext\"], \"accepted\": [\"hv-vpindex\", \"hv-tlbflush\"],"
    " \"refused\": [{\"flag\": \"hv-tlbflush-ext\", \"reason\": \"not supported\"}]}}",
};

static void put(const char *dir, const char *name, const char *text)
{
    char path[512];

    if (!text)
        return;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true(write_file(path, text, strlen(text)));
}

static const char *make_run(const char *name, const struct run_files *f)
{
    static char dir[8][256];
    static unsigned next;
    char *d = dir[next++ % 8];

    snprintf(d, 256, "%s/%s", tmp, name);
    assert_int_equal(mkdir(d, 0755), 0);
    put(d, "verify.csv", f->verify_csv);
    put(d, "summary.csv", f->summary_csv);
    put(d, "conformance.csv", f->conformance_csv);
    put(d, "decision.csv", f->decision_csv);
    put(d, "meta.json", f->meta_json);
    return d;
}

/* A copy of s with the first `from` replaced by `to` (the fault injected). */
static char *edit(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    char *out = malloc(strlen(s) + strlen(to) + 1);

    assert_non_null(at);
    assert_non_null(out);
    sprintf(out, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return out;
}

static int nontiming(const char *const *runs, unsigned n, unsigned baseline, char **text,
                     char **html)
{
    char out[256];
    size_t tl, hl;
    FILE *t = open_memstream(text, &tl), *h = open_memstream(html, &hl);
    int ret;

    snprintf(out, sizeof(out), "%s/out", tmp);
    ret = compare_nontiming(runs, n, baseline, out, t, h);
    fclose(t);
    fclose(h);
    return ret;
}

static char *out_file(const char *name)
{
    char path[512], *buf;
    size_t len;

    snprintf(path, sizeof(path), "%s/out/%s", tmp, name);
    assert_true(read_file(path, &buf, &len, 0));
    return buf;
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof(tmp), "/tmp/hvflush-test-cmpnt-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_identical_runs(void **state)
{
    const char *runs[2];
    char *text, *html, *csv;

    (void)state;
    runs[0] = make_run("a", &base);
    runs[1] = make_run("b", &base);
    assert_int_equal(nontiming(runs, 2, 0, &text, &html), 0);
    assert_null(strstr(text, "\u2260"));
    assert_null(strstr(html, "class=\"differs\""));
    assert_non_null(strstr(text, "non-timing differences from the baseline: 0"));
    /* Every part is there, with its sections. */
    for (const char *const *id = (const char *const[]){ "verify", "conformance", "flags",
                                                         "decision", NULL }; *id; id++) {
        char section[64], name[64];

        snprintf(section, sizeof(section), "<section id=\"compare-%s\"", *id);
        assert_non_null(strstr(html, section));
        snprintf(name, sizeof(name), "compare-%s.csv", *id);
        free(out_file(name));
    }
    csv = out_file("compare-conformance.csv");
    assert_non_null(strstr(csv, "case,a,b,differs\nspace-one,SUCCESS,SUCCESS,-\n"));
    free(csv);
    free(text);
    free(html);
}

/* The injected fault: one verdict pass -> fail, nothing else. */
static void test_verdict_pass_to_fail_is_counted(void **state)
{
    struct run_files changed = base;
    const char *runs[2];
    char *text, *html, *csv;

    (void)state;
    changed.verify_csv = edit(base.verify_csv, "hv-space/slow/cr3/p1/t1/spin,pass",
                              "hv-space/slow/cr3/p1/t1/spin,fail");
    runs[0] = make_run("before", &base);
    runs[1] = make_run("after", &changed);
    assert_int_equal(nontiming(runs, 2, 0, &text, &html), 1);
    assert_non_null(strstr(text, "\u2260 fail"));
    assert_non_null(strstr(html, "<td class=\"differs\">\u2260 fail</td>"));
    csv = out_file("compare-verify.csv");
    assert_non_null(strstr(csv, "label,check,before,after,differs\n"));
    assert_non_null(strstr(csv, "hv-space/slow/cr3/p1/t1/spin,verify,pass,fail,after\n"));
    assert_non_null(strstr(csv, "hv-list/fast/cr3/p8/t1/spin,verify,pass,pass,-\n"));
    /* summary.csv's verdicts stand in where verify.csv has no row; a
     * configuration without one is left out. */
    assert_non_null(strstr(csv, "hv-null/slow,verify,unsupported,unsupported,-\n"));
    assert_null(strstr(csv, "local/invlpg/p1"));
    free(csv);
    free(text);
    free(html);
    free((char *)changed.verify_csv);
}

static void test_each_part_finds_its_change(void **state)
{
    struct run_files changed = base;
    char *conf, *dec, *meta, *meta2, *meta3;
    const char *runs[2];
    char *text, *html, *csv;

    (void)state;
    conf = edit(base.conformance_csv, "fault-gp", "SUCCESS");
    dec = edit(base.decision_csv, "1,8,spin,hv-list/fast/cr3/mask", "1,8,spin,ipi/invlpg");
    meta = edit(base.meta_json, "\"unlisted\", \"result\": \"kept\"",
                "\"unlisted\", \"result\": \"lost\"");
    meta2 = edit(meta, "\"accepted\": [\"hv-vpindex\", \"hv-tlbflush\"]",
                 "\"accepted\": [\"hv-vpindex\", \"hv-tlbflush\", \"hv-tlbflush-ext\"]");
    meta3 = edit(meta2, "\"refused\": [{\"flag\": \"hv-tlbflush-ext\", \"reason\": "
                 "\"not supported\"}]", "\"refused\": []");
    changed.conformance_csv = conf;
    changed.decision_csv = dec;
    changed.meta_json = meta3;
    runs[0] = make_run("k61", &base);
    runs[1] = make_run("k612", &changed);
    assert_int_equal(nontiming(runs, 2, 0, &text, &html), 4);

    csv = out_file("compare-conformance.csv");
    assert_non_null(strstr(csv, "vp-index-wrmsr,fault-gp,SUCCESS,k612\n"));
    /* A quoted free-text field after the outcome does not shift it. */
    assert_non_null(strstr(csv, "space-gpa-misaligned,SUCCESS,SUCCESS,-\n"));
    free(csv);
    csv = out_file("compare-decision.csv");
    assert_non_null(strstr(csv, "targets,pages,state,k61,k612,differs\n"));
    assert_non_null(strstr(csv, "1,8,spin,hv-list/fast/cr3/mask,ipi/invlpg,k612\n"));
    assert_non_null(strstr(csv, "1,1,spin,hv-space/slow/cr3/mask,hv-space/slow/cr3/mask,-\n"));
    free(csv);
    csv = out_file("compare-flags.csv");
    assert_non_null(strstr(csv, "hv-tlbflush-ext,refused,accepted,k612\n"));
    assert_non_null(strstr(csv, "hv-vpindex,accepted,accepted,-\n"));
    free(csv);
    /* Precision records name their configuration by summary.csv's label. */
    csv = out_file("compare-verify.csv");
    assert_non_null(strstr(csv, "hv-list/fast/cr3/p8/t1/spin,unlisted,kept,lost,k612\n"));
    assert_non_null(strstr(csv, "hv-space/slow/cr3/p1/t1/spin,other-as,inconclusive,"
                                "inconclusive,-\n"));
    free(csv);

    /* The conformance table is shown whole in the text, its change marked. */
    assert_non_null(strstr(text, "space-one "));
    assert_non_null(strstr(text, "\u2260 SUCCESS"));
    assert_non_null(strstr(text, "\u2260 ipi/invlpg"));
    assert_non_null(strstr(text, "\u2260 lost"));
    assert_non_null(strstr(html, "<tr class=\"differs\"><td>vp-index-wrmsr</td><td>fault-gp</td>"
                                 "<td class=\"differs\">\u2260 SUCCESS</td></tr>"));
    assert_non_null(strstr(html, "<tr><td>space-one</td>"));
    free(text);
    free(html);

    /* Against the other baseline the same cells differ, marked in the
     * other column. */
    assert_int_equal(nontiming(runs, 2, 1, &text, &html), 4);
    assert_non_null(strstr(html, "<td class=\"differs\">\u2260 fault-gp</td><td>SUCCESS</td>"));
    csv = out_file("compare-conformance.csv");
    assert_non_null(strstr(csv, "vp-index-wrmsr,fault-gp,SUCCESS,k61\n"));
    free(csv);
    free(text);
    free(html);
    free(conf);
    free(dec);
    free(meta);
    free(meta2);
    free(meta3);
}

/* A TCG-like run: no conformance.csv, no decision.csv, a meta.json without
 * hyperv_flags; and a run with nothing at all. */
static void test_absent_files(void **state)
{
    struct run_files tcg = { NULL, base.summary_csv, NULL, NULL, "{\"guest\": {}}" };
    struct run_files empty = { 0 };
    const char *runs[3];
    char *text, *html, *csv;

    (void)state;
    runs[0] = make_run("lab", &base);
    runs[1] = make_run("tcg", &tcg);
    runs[2] = make_run("empty", &empty);
    assert_int_equal(nontiming(runs, 3, 0, &text, &html), 0);
    csv = out_file("compare-conformance.csv");
    assert_non_null(strstr(csv, "vp-index-wrmsr,fault-gp,absent,absent,-\n"));
    free(csv);
    csv = out_file("compare-flags.csv");
    assert_non_null(strstr(csv, "hv-vpindex,accepted,absent,absent,-\n"));
    free(csv);
    csv = out_file("compare-decision.csv");
    assert_non_null(strstr(csv, "1,8,spin,hv-list/fast/cr3/mask,absent,absent,-\n"));
    free(csv);
    /* summary.csv alone gives the verdicts; a precision check the run did
     * not record is not in it. */
    csv = out_file("compare-verify.csv");
    assert_non_null(strstr(csv, "hv-space/slow/cr3/p1/t1/spin,verify,pass,pass,absent,-\n"));
    assert_non_null(strstr(csv, "hv-list/fast/cr3/p8/t1/spin,unlisted,kept,not-in-run,"
                                "absent,-\n"));
    free(csv);
    assert_non_null(strstr(text, "conformance.csv outcome).\n"));
    assert_non_null(strstr(text, "tcg: absent; empty: absent"));
    assert_non_null(strstr(html, "<td class=\"absent\">absent</td>"));
    free(text);
    free(html);

    /* With the absent run as the baseline nothing is compared either. */
    assert_int_equal(nontiming(runs, 3, 2, &text, &html), 0);
    free(text);
    free(html);
}

static void test_bad_input(void **state)
{
    const char *runs[2];
    char *text, *html;

    (void)state;
    runs[0] = make_run("x", &base);
    runs[1] = make_run("y", &base);
    assert_int_equal(nontiming(runs, 2, 2, &text, &html), -1);
    free(text);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identical_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verdict_pass_to_fail_is_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_part_finds_its_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
