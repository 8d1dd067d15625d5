/*
 * pairs=all end to end under TCG: the real host tool boots the real guest
 * on tests/sweeps/pairs.sweep with 4 vCPUs, and the test checks from the
 * run directory that each of the 12 ordered (initiator, target) pairs ran
 * once, on the CPUs its label names (the config record's initiator and
 * target_cpus), in full and verified `pass`; that pairwise.csv has one row
 * per pair with summary.csv's median; and that `hvflush plot` draws
 * plots/pairwise.svg with the timing class in its title.  The collector's
 * completeness check is shown on this run: the same record stream without
 * the last pair's records (renumbered and re-checksummed, so that the
 * stream itself stays valid) fails with "guest measured 11 of 12", while
 * the stream as recorded passes.  Too many pairs (33 vCPUs) and a key the
 * pairs name themselves are refused before QEMU starts (exit 2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bench/record.h>
#include <bench/sweep.h>
#include "analysis/collect.h"
#include "harness.h"

#define SMP 4
#define NPAIRS (SMP * (SMP - 1))

static struct run_result run;

/* Reads RUN/name into a malloc'd, NUL-terminated buffer. */
static char *slurp(const char *name)
{
    char path[700];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", run.run_dir, name);
    f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int setup(void **state)
{
    (void)state;
    run = *run_hvflush("run --accel tcg --smp 4 --sweep tests/sweeps/pairs.sweep");
    return 0;
}

/* Every pair once, where its label says, measured and verified. */
static void test_every_pair_measured(void **state)
{
    static struct record rec;
    bool seen[SMP][SMP] = { { false } };
    char *text, *line, *nl;
    unsigned configs = 0;

    (void)state;
    if (run.exit_code != 0)
        fail_msg("hvflush exited %d: %s", run.exit_code, run.err);
    assert_int_equal(run.nconfigs, NPAIRS);
    for (unsigned i = 0; i < run.nconfigs; i++) {
        assert_int_equal(run.cfg[i].nsamples, 200);
        assert_true(run.cfg[i].has_verify);
        assert_string_equal(run.cfg[i].verdict, "pass");
        assert_true(run.cfg[i].error[0] == '\0' && run.cfg[i].unsupported[0] == '\0');
    }
    text = slurp("records.txt");
    for (line = text; (nl = strchr(line, '\n')); line = nl + 1) {
        uint64_t initiator, target;
        char want[32];

        assert_int_equal(record_parse(line, (size_t)(nl - line) + 1, &rec), RECORD_OK);
        if (strcmp(rec.type, "config"))
            continue;
        configs++;
        assert_true(record_get_u64(&rec, "initiator", &initiator));
        assert_true(record_get_u64(&rec, "targets", &target));
        assert_int_equal(target, 1);
        target = strtoull(record_get(&rec, "target_cpus"), NULL, 10);
        assert_true(initiator < SMP && target < SMP && initiator != target);
        assert_false(seen[initiator][target]);
        seen[initiator][target] = true;
        snprintf(want, sizeof(want), "/i%u-t%u/", (unsigned)initiator, (unsigned)target);
        if (!strstr(record_get(&rec, "label"), want))
            fail_msg("config label %s does not name %s", record_get(&rec, "label"), want);
    }
    free(text);
    assert_int_equal(configs, NPAIRS);
}

/* pairwise.csv: one row per pair, summary.csv's median, verdict pass. */
static void test_pairwise_csv(void **state)
{
    struct csv_table pw, sum;
    bool seen[SMP][SMP] = { { false } };
    char order[64];

    (void)state;
    assert_true(csv_read(&run, "pairwise.csv", &pw));
    assert_true(csv_read(&run, "summary.csv", &sum));
    assert_int_equal(pw.nrows, NPAIRS);
    for (unsigned r = 0; r < pw.nrows; r++) {
        unsigned i = (unsigned)csv_num(&pw, r, "initiator");
        unsigned t = (unsigned)csv_num(&pw, r, "target");
        int s = csv_row_of(&sum, csv_cell(&pw, r, "label"));

        assert_true(i < SMP && t < SMP && i != t);
        assert_false(seen[i][t]);
        seen[i][t] = true;
        assert_string_equal(csv_cell(&pw, r, "variant"), "ipi/invlpg/p1/spin");
        assert_string_equal(csv_cell(&pw, r, "verdict"), "pass");
        assert_int_equal((int)csv_num(&pw, r, "n"), 200);
        assert_true(s >= 0);
        assert_string_equal(csv_cell(&pw, r, "p50_cyc"), csv_cell(&sum, (unsigned)s, "p50_cyc"));
        assert_string_equal(csv_cell(&pw, r, "p50_ns"), csv_cell(&sum, (unsigned)s, "p50_ns"));
        assert_true(csv_num(&pw, r, "ci_lo_cyc") <= csv_num(&pw, r, "p50_cyc"));
        assert_true(csv_num(&pw, r, "ci_hi_cyc") >= csv_num(&pw, r, "p50_cyc"));
    }
    csv_free(&pw);
    csv_free(&sum);
    /* The end-of-run table says which order the axes take. */
    assert_non_null(strstr(run.out, "pairwise: 12 (initiator, target) pairs, 12 with samples"));
    meta_value(&run, "pinning", "policy", NULL, order, sizeof(order));
    assert_true(order[0] != '\0');
}

/* `hvflush plot` draws the heat map, the timing class in its title. */
static void test_plot(void **state)
{
    char cmd[800], path[700], tclabel[256];

    (void)state;
    snprintf(cmd, sizeof(cmd), "build/hvflush plot '%s' >/dev/null", run.run_dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/plots/pairwise.png", run.run_dir);
    assert_true(file_contains(path, "PNG"));
    snprintf(path, sizeof(path), "%s/plots/pairwise.svg", run.run_dir);
    assert_true(file_contains(path, "<svg"));
    assert_true(file_contains(path, "Pairwise flush latency p50"));
    assert_true(file_contains(path, "ipi/invlpg/p1/spin"));
    meta_value(&run, "accelerator", "label", NULL, tclabel, sizeof(tclabel));
    assert_true(tclabel[0] != '\0');
    assert_true(file_contains(path, tclabel));
    snprintf(path, sizeof(path), "%s/plots/data/pairwise-1.dat", run.run_dir);
    {
        char *text = slurp("plots/data/pairwise-1.dat");
        unsigned lines = 0;

        for (char *p = text; *p; p++)
            lines += *p == '\n';
        assert_int_equal(lines, NPAIRS);
        free(text);
    }
}

/* Rewrites line (one record with its newline) as record number seq: the
 * same type and fields, a fresh checksum; end's count set to seq. */
static size_t renumber(const char *line, size_t linelen, unsigned seq, char *out, size_t cap)
{
    const char *type = strchr(line + 5, ' ') + 1, *hash = memrchr(line, '#', linelen);
    char body[RECORD_LINE_MAX];
    int n;

    n = snprintf(body, sizeof(body), "HVF1 %u %.*s", seq, (int)(hash - 1 - type), type);
    if (!strncmp(type, "end ", 4)) {
        char *count = strstr(body, " count=");

        assert_non_null(count);
        n = snprintf(body, sizeof(body), "HVF1 %u end count=%u%s", seq, seq,
                     strchr(count + 1, ' ') ? strchr(count + 1, ' ') : "");
    }
    return (size_t)snprintf(out, cap, "%s #%08x\n", body, bench_crc32(body, (size_t)n));
}

/* Runs the collector over text against the run's own sweep.txt. */
static void collect(struct run_data *d, const char *text)
{
    static struct sweep sw;
    static struct sweep_config cfgs[SWEEP_CONFIGS_MAX];
    struct sweep_error err;
    char *sweep = slurp("sweep.txt");

    assert_true(sweep_parse(sweep, strlen(sweep), &sw, &err));
    free(sweep);
    assert_int_equal(sweep_expand(&sw, SMP, cfgs, SWEEP_CONFIGS_MAX, &err), NPAIRS);
    assert_true(collect_init(d, cfgs, NPAIRS, SMP));
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);

        collect_line(d, p, len);
        p += len;
    }
    collect_finish(d);
}

/* The stream without the last pair's records is caught; as recorded, not. */
static void test_missing_pair_caught(void **state)
{
    static struct run_data d;
    static struct record rec;
    char *text = slurp("records.txt"), *out, *line, *nl;
    char last[16];
    size_t len = 0, cap = strlen(text) + 1;
    unsigned seq = 0, dropped = 0;

    (void)state;
    collect(&d, text);
    if (d.failed)
        fail_msg("the recorded stream fails: %s", d.reason);
    collect_free(&d);
    /* Without a seed the last configuration to run is the last expanded. */
    snprintf(last, sizeof(last), "%u", NPAIRS - 1);
    out = malloc(cap);
    assert_non_null(out);
    for (line = text; (nl = strchr(line, '\n')); line = nl + 1) {
        const char *id;

        assert_int_equal(record_parse(line, (size_t)(nl - line) + 1, &rec), RECORD_OK);
        id = record_get(&rec, "id");
        if (id && !strcmp(id, last)) {
            dropped++;
            continue;
        }
        len += renumber(line, (size_t)(nl - line), seq++, out + len, cap - len);
    }
    assert_true(dropped >= 3);          /* config, samples ..., latency, verify */
    collect(&d, out);
    if (!d.failed || !strstr(d.reason, "guest measured 11 of 12 configurations"))
        fail_msg("failed=%d reason='%s'", d.failed, d.reason);
    /* Only the completeness check speaks: the stream itself stayed valid. */
    assert_null(strstr(d.reason, "records.txt"));
    collect_free(&d);
    free(out);
    free(text);
}

/* Refused before QEMU starts, with the line: more pairs than a sweep
 * holds (33 vCPUs), and a key the pairs name themselves.  Last: a new
 * run_hvflush() removes the run directory the tests above read. */
static void test_refused(void **state)
{
    static const char conflict[] = "/tmp/hvflush-pairs-conflict.sweep";
    struct run_result *r;
    FILE *f;

    (void)state;
    r = run_hvflush("run --accel tcg --smp 33 --sweep tests/sweeps/pairs.sweep");
    assert_int_equal(r->exit_code, 2);
    assert_non_null(strstr(r->err, "hvflush: sweep tests/sweeps/pairs.sweep:9: pairs=all on "
                                    "33 vCPUs makes 1056 pairs x 1 = 1056 configurations"));
    assert_true(r->run_dir[0] == '\0');
    assert_non_null(f = fopen(conflict, "w"));
    fputs("name c\nmeasure ipi pairs=all initiator=1\n", f);
    assert_int_equal(fclose(f), 0);
    r = run_hvflush("run --accel tcg --smp 4 --sweep /tmp/hvflush-pairs-conflict.sweep");
    unlink(conflict);
    assert_int_equal(r->exit_code, 2);
    assert_non_null(strstr(r->err, ":2: pairs=all names every (initiator, target) pair "
                                    "itself: drop initiator="));
    assert_true(r->run_dir[0] == '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair_measured),
        cmocka_unit_test(test_pairwise_csv),
        cmocka_unit_test(test_plot),
        cmocka_unit_test(test_missing_pair_caught),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
