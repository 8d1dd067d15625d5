/*
 * Unit tests of "hvflush crosscheck vmexit" (host/crosscheck_parse.c and
 * its options in host/cli.c): vmexit's console output as it was captured
 * from real runs of kvm-unit-tests' x86/vmexit.flat on this project's
 * development host (software KVM and TCG, -cpu qemu64), a real summary.csv
 * of the cross-check sweep, the rows of crosscheck.csv, and the options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bench/sweep.h>

#include "cli.h"
#include "crosscheck.h"

#define KUT_PREAMBLE \
    "enabling apic\r\nenabling apic\r\nsetup: CPU 1 online\r\nsmp: waiting for 1 APs\r\n" \
    "paging enabled\r\ncr0 = 80010011\r\ncr3 = 104d000\r\ncr4 = 20\r\n" \
    "pci-testdev at 0x10 membar febff000 iobar c000\r\n"

/* -accel kvm -cpu qemu64 -smp 2 -append ipi (software KVM). */
static const char kvm_ipi[] = KUT_PREAMBLE "ipi 2082421\r\n  ipi ipi 1904843\r\n";
/* -accel kvm -cpu qemu64 -smp 2 -append cpuid. */
static const char kvm_cpuid[] = KUT_PREAMBLE "cpuid 234890\r\n";
/* -accel tcg,thread=multi -cpu qemu64,+rdtscp -smp 2 -append ipi. */
static const char tcg_ipi[] = KUT_PREAMBLE "ipi 355357\r\n  ipi ipi 354903\r\n";
/* -accel kvm -cpu qemu64 -smp 1 -append ipi: vmexit skips ipi with one CPU. */
static const char kvm_ipi_smp1[] =
    "enabling apic\r\nsmp: waiting for 0 APs\r\npaging enabled\r\ncr0 = 80010011\r\n"
    "cr3 = 104d000\r\ncr4 = 20\r\npci-testdev at 0x10 membar febff000 iobar c000\r\n"
    "ipi (skipped)\r\n";

static void test_parse_ipi(void **state)
{
    struct kut_figure k;

    (void)state;
    assert_true(kut_vmexit_parse(kvm_ipi, "ipi", &k));
    assert_true(k.found);
    assert_false(k.skipped);
    assert_int_equal(k.per_iter, 2082421);
    assert_true(k.has_bracket);
    assert_int_equal(k.bracket, 1904843);
    assert_true(kut_vmexit_parse(tcg_ipi, "ipi", &k));
    assert_int_equal(k.per_iter, 355357);
    assert_int_equal(k.bracket, 354903);
}

static void test_parse_cpuid(void **state)
{
    struct kut_figure k;

    (void)state;
    assert_true(kut_vmexit_parse(kvm_cpuid, "cpuid", &k));
    assert_int_equal(k.per_iter, 234890);
    assert_false(k.has_bracket);
    /* Another test's lines are not this test's figure. */
    assert_false(kut_vmexit_parse(kvm_cpuid, "ipi", &k));
    assert_false(kut_vmexit_parse(kvm_ipi, "cpuid", &k));
    assert_false(k.found);
}

static void test_parse_skipped_and_broken(void **state)
{
    struct kut_figure k;

    (void)state;
    assert_true(kut_vmexit_parse(kvm_ipi_smp1, "ipi", &k));
    assert_true(k.skipped);
    assert_false(k.found);
    /* A prefix of the name, a number with junk after it, an empty text. */
    assert_false(kut_vmexit_parse("ipi_halt 1234\r\n", "ipi", &k));
    assert_false(kut_vmexit_parse("cpuid 12x\r\n", "cpuid", &k));
    assert_false(kut_vmexit_parse("cpuid\r\n", "cpuid", &k));
    assert_false(kut_vmexit_parse("", "cpuid", &k));
    /* A console cut off after the figure (no newline) still reads. */
    assert_true(kut_vmexit_parse("cpuid 77", "cpuid", &k));
    assert_int_equal(k.per_iter, 77);
}

/* Three boots' ipi figures from real cross-check runs (software KVM):
 * the lowest bracket is kept with its own loop figure, the highest is the
 * worst, and a skipped boot changes neither. */
static void test_merge_boots(void **state)
{
    static const char *const boots[] = {
        "ipi 618813\r\n  ipi ipi 551498\r\n",
        "ipi 557868\r\n  ipi ipi 502394\r\n",
        "ipi 1467758\r\n  ipi ipi 1402154\r\n",
    };
    struct kut_figure best, one;

    (void)state;
    memset(&best, 0, sizeof(best));
    for (unsigned i = 0; i < 3; i++) {
        assert_true(kut_vmexit_parse(boots[i], "ipi", &one));
        assert_int_equal(one.runs, 1);
        kut_figure_merge(&best, &one);
    }
    assert_true(kut_vmexit_parse(kvm_ipi_smp1, "ipi", &one));
    kut_figure_merge(&best, &one);
    assert_int_equal(best.runs, 3);
    assert_int_equal(best.bracket, 502394);
    assert_int_equal(best.per_iter, 557868);
    assert_int_equal(best.worst, 1402154);
    assert_int_equal(kut_figure_value(&best), 502394);
    assert_true(kut_vmexit_parse(kvm_cpuid, "cpuid", &one));
    assert_int_equal(kut_figure_value(&one), 234890);
}

/* The first four columns and the rows of a real cross-check run's
 * summary.csv (software KVM, -smp 2), header complete. */
static const char summary[] =
    "id,label,strategy,flush,pages,targets,state,input,scope,nonglobal,procs,n,min_cyc,"
    "p10_cyc,p50_cyc,p90_cyc,p99_cyc,max_cyc,mean_cyc,stddev_cyc,min_ns,p10_ns,p50_ns,"
    "p90_ns,p99_ns,max_ns,mean_ns,stddev_ns,overhead_cyc,timing_class,verdict,initiator,"
    "target_cpus,clamped,excluded,noise_dominated,spaces,pcid,global,large,hdr_p90_cyc,"
    "hdr_p999_cyc,hdr_mean_cyc,hdr_stddev_cyc,hdr_p90_ns,hdr_p999_ns,hdr_mean_ns,"
    "hdr_stddev_ns,ci_lo_cyc,ci_hi_cyc,ci_rel,ci_flag\n"
    "0,ipi/none/p1/t1/spin,ipi,none,1,1,spin,slow,cr3,0,mask,2000,303888,1663792,1699776,"
    "41532296,441979876,1465127066,22103277.1,84551996.7,116933.3,640211.9,654058.3,"
    "15981247.4,170069811.8,563767488.0,8505138.8,32534834.6,15158,software-kvm,-,0,1,0,0,"
    "0,1,0,0,0,41418752,1035993088,22103277.1,84551996.7,15937556.8,398640660.1,8505138.8,"
    "32534834.6,1695616,1706562,0.003220,-\n"
    "1,ipi/none/p1/t1/halt,ipi,none,1,1,halt,slow,cr3,0,mask,2000,309244,344838,493090,"
    "3556774,24909898,768190410,3558078.1,26932158.8,118994.3,132690.5,189736.5,1368614.1,"
    "9585100.8,295592640.2,1369115.9,10363248.2,15158,software-kvm,-,0,1,0,0,0,1,0,0,0,"
    "3555328,308281344,3558078.1,26932158.8,1368057.7,118623840.2,1369115.9,10363248.2,"
    "467818,532324,0.065410,-\n"
    "2,cpuid,cpuid,invlpg,1,0,spin,slow,cr3,0,mask,2000,4706,5096,10972,11674,22308,"
    "10670218,16083.0,238454.6,1810.8,1960.9,4221.9,4492.0,8583.9,4105802.2,6188.6,"
    "91755.1,15158,software-kvm,-,0,-,0,0,0,1,0,0,0,11648,137216,16083.0,238454.6,4482.0,"
    "52799.5,6188.6,91755.1,10946,10998,0.002370,-\n";

static void test_summary_find(void **state)
{
    struct hvflush_figure h;

    (void)state;
    assert_true(summary_find(summary, "ipi", "none", "1", "halt", &h));
    assert_string_equal(h.label, "ipi/none/p1/t1/halt");
    assert_int_equal(h.n, 2000);
    assert_int_equal(h.min, 309244);
    assert_int_equal(h.p50, 493090);
    assert_true(h.mean > 3558078.0 && h.mean < 3558078.2);
    assert_string_equal(h.timing_class, "software-kvm");
    assert_true(summary_find(summary, "ipi", "none", "1", "spin", &h));
    assert_int_equal(h.p50, 1699776);
    assert_true(summary_find(summary, "cpuid", NULL, NULL, NULL, &h));
    assert_int_equal(h.p50, 10972);
    /* No such row; a header without a needed column. */
    assert_false(summary_find(summary, "ipi", "none", "2", "halt", &h));
    assert_false(h.found);
    assert_false(summary_find("id,label,strategy\n0,cpuid,cpuid\n", "cpuid", NULL, NULL,
                              NULL, &h));
}

/* crosscheck.csv: the pairs compare vmexit's bracket for ipi, its loop
 * for cpuid, and the ratio is vmexit over hvflush's p50. */
static void test_csv_rows(void **state)
{
    struct kut_figure ipi, cpuid;
    struct hvflush_figure halt, c;
    char *buf = NULL, *p;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    (void)state;
    assert_non_null(f);
    assert_true(kut_vmexit_parse(kvm_ipi, "ipi", &ipi));
    assert_true(kut_vmexit_parse(kvm_cpuid, "cpuid", &cpuid));
    assert_true(summary_find(summary, "ipi", "none", "1", "halt", &halt));
    assert_true(summary_find(summary, "cpuid", NULL, NULL, NULL, &c));
    assert_string_equal(crosscheck_pairs[0].name, "ipi-halt");
    assert_string_equal(crosscheck_pairs[2].name, "cpuid");
    crosscheck_csv_header(f);
    crosscheck_csv_row(f, &crosscheck_pairs[0], "kvm", "qemu64", &ipi, &halt);
    crosscheck_csv_row(f, &crosscheck_pairs[2], "kvm", "qemu64", &cpuid, &c);
    crosscheck_csv_row(f, &crosscheck_pairs[1], "tcg,thread=multi", "qemu64,+rdtscp",
                       NULL, NULL);
    fclose(f);
    p = strchr(buf, '\n') + 1;
    assert_string_equal(p,
        "ipi-halt,ipi,bracket-mean,1904843,2082421,ipi/none/p1/t1/halt,2000,309244,493090,"
        "3558078.1,3.863,0.535,kvm,qemu64,software-kvm,1,1904843\n"
        "cpuid,cpuid,loop-mean,234890,234890,cpuid,2000,4706,10972,16083.0,21.408,14.605,"
        "kvm,qemu64,software-kvm,1,234890\n"
        "ipi-spin,ipi,,,,,,,,,,,\"tcg,thread=multi\",\"qemu64,+rdtscp\",,,\n");
    free(buf);
}

/* The built-in sweep parses and, on the 2 vCPUs the cross-check boots by
 * default, yields a configuration for every pair, named in summary.csv's
 * columns as summary_find() looks them up. */
static void test_sweep_covers_pairs(void **state)
{
    static struct sweep sw;
    static struct sweep_config cfg[SWEEP_CONFIGS_MAX];
    struct sweep_error err;
    int n;

    (void)state;
    assert_true(sweep_parse(crosscheck_sweep, strlen(crosscheck_sweep), &sw, &err));
    n = sweep_expand(&sw, 2, cfg, SWEEP_CONFIGS_MAX, &err);
    assert_true(n >= (int)crosscheck_npairs);
    for (unsigned p = 0; p < crosscheck_npairs; p++) {
        const struct crosscheck_pair *x = &crosscheck_pairs[p];
        bool found = false;

        for (int i = 0; i < n && !found; i++) {
            char targets[16];

            snprintf(targets, sizeof(targets), "%u", (unsigned)cfg[i].targets);
            found = !strcmp(strategy_name(cfg[i].strategy), x->strategy) &&
                    (!x->flush || !strcmp(flush_op_name(cfg[i].flush), x->flush)) &&
                    (!x->targets || !strcmp(targets, x->targets)) &&
                    (!x->state || !strcmp(target_state_name(cfg[i].state), x->state));
        }
        if (!found)
            fail_msg("no configuration of the cross-check sweep for '%s'", x->name);
    }
}

#define ARGV(...) ((char *[]){ "hvflush", __VA_ARGS__, NULL })

static int argc_of(char **argv)
{
    int n = 0;

    while (argv[n])
        n++;
    return n;
}

static void test_options(void **state)
{
    char **ok = ARGV("crosscheck", "vmexit", "--kut", "/src/kut", "--accel", "tcg",
                     "--smp=3", "--quiet");
    const struct {
        char **argv;
        const char *err;
    } bad[] = {
        { ARGV("crosscheck", "vmexit"), "crosscheck vmexit needs --kut DIR" },
        { ARGV("crosscheck"), "crosscheck: the only check is 'vmexit'" },
        { ARGV("crosscheck", "ipi", "--kut", "d"), "crosscheck: the only check" },
        { ARGV("run", "--kut", "/src/kut"), "--kut is an option of hvflush crosscheck" },
        { ARGV("crosscheck", "vmexit", "--kut=d", "--accel", "lab"), "crosscheck: the "
          "nested lab" },
        { ARGV("crosscheck", "vmexit", "--kut=d", "--lab-kernel", "6.1"), "crosscheck: "
          "the nested lab" },
        { ARGV("crosscheck", "vmexit", "--kut=d", "--sweep", "smoke"), "crosscheck: "
          "--sweep" },
        { ARGV("crosscheck", "vmexit", "--kut=d", "--smp", "1"), "crosscheck: --smp 1: " },
        { ARGV("crosscheck", "vmexit", "--kut"), "--kut needs a value" },
        { ARGV("crosscheck", "vmexit", "--kut="), "--kut: empty value" },
    };
    struct cli_options o;
    char err[256];

    (void)state;
    assert_true(cli_parse(argc_of(ok), ok, &o, err, sizeof(err)));
    assert_int_equal(o.command, CMD_CROSSCHECK);
    assert_string_equal(o.kut_dir, "/src/kut");
    assert_int_equal(o.accel, ACCEL_TCG);
    assert_int_equal(o.smp, 3);
    assert_true(o.quiet);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(cli_parse(argc_of(bad[i].argv), bad[i].argv, &o, err, sizeof(err)));
        if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
            fail_msg("case %zu: got '%s', want '%s...'", i, err, bad[i].err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ipi),
        cmocka_unit_test(test_parse_cpuid),
        cmocka_unit_test(test_parse_skipped_and_broken),
        cmocka_unit_test(test_merge_boots),
        cmocka_unit_test(test_summary_find),
        cmocka_unit_test(test_csv_rows),
        cmocka_unit_test(test_sweep_covers_pairs),
        cmocka_unit_test(test_options),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
