/*
 * Unit tests of the command-line parser (host/cli.c): defaults, every
 * option in both spellings, and the one-line messages for bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"

#define ARGV(...) ((char *[]){ "hvflush", __VA_ARGS__, NULL })

/* Parses a NULL-terminated argv; the argc argument documents the count and
 * is checked against it. */
static bool parse(int argc, char **argv, struct cli_options *o, char *err)
{
    int n = 0;

    while (argv[n])
        n++;
    assert_int_equal(n, argc);
    return cli_parse(argc, argv, o, err, 256);
}

static void test_run_defaults(void **state)
{
    char *argv[] = { "hvflush", "run", NULL };
    struct cli_options o;
    char err[256];

    (void)state;
    assert_true(parse(2, argv, &o, err));
    assert_int_equal(o.command, CMD_RUN);
    assert_int_equal(o.accel, ACCEL_AUTO);
    assert_int_equal(o.smp, 0);
    assert_string_equal(o.sweep, "smoke");
    assert_int_equal(o.pin, PIN_COMPACT);
    assert_null(o.out);
    assert_null(o.label);
    assert_int_equal(o.timeout_s, 1800);
    assert_int_equal(o.memory_mib, 256);
    assert_null(o.guest);
    assert_null(o.qemu);
    assert_false(o.quiet);
}

static void test_run_all_options(void **state)
{
    char **argv = ARGV("run", "--accel", "tcg", "--smp=8", "--sweep", "x/y.sweep",
                       "--pin", "scatter", "--out=/tmp/r", "--label", "my label",
                       "--timeout", "60", "--memory", "512", "--guest", "g.elf",
                       "--qemu=/usr/bin/qemu-system-x86_64", "--quiet");
    struct cli_options o;
    char err[256];

    (void)state;
    assert_true(parse(20, argv, &o, err));
    assert_int_equal(o.accel, ACCEL_TCG);
    assert_int_equal(o.smp, 8);
    assert_string_equal(o.sweep, "x/y.sweep");
    assert_int_equal(o.pin, PIN_SCATTER);
    assert_string_equal(o.out, "/tmp/r");
    assert_string_equal(o.label, "my label");
    assert_int_equal(o.timeout_s, 60);
    assert_int_equal(o.memory_mib, 512);
    assert_string_equal(o.guest, "g.elf");
    assert_string_equal(o.qemu, "/usr/bin/qemu-system-x86_64");
    assert_true(o.quiet);
}

static void test_later_option_wins(void **state)
{
    char **argv = ARGV("run", "--smp", "2", "--smp", "3", "--accel=kvm", "--pin=none");
    struct cli_options o;
    char err[256];

    (void)state;
    assert_true(parse(8, argv, &o, err));
    assert_int_equal(o.smp, 3);
    assert_int_equal(o.accel, ACCEL_KVM);
    assert_int_equal(o.pin, PIN_NONE);
}

static void test_other_commands(void **state)
{
    struct cli_options o;
    char err[256];

    (void)state;
    assert_true(parse(2, ARGV("help"), &o, err));
    assert_int_equal(o.command, CMD_HELP);
    assert_true(parse(2, ARGV("--help"), &o, err));
    assert_int_equal(o.command, CMD_HELP);
    assert_true(parse(3, ARGV("run", "--help"), &o, err));
    assert_int_equal(o.command, CMD_HELP);
    assert_true(parse(2, ARGV("version"), &o, err));
    assert_int_equal(o.command, CMD_VERSION);
    assert_true(parse(3, ARGV("plot", "results/latest"), &o, err));
    assert_int_equal(o.command, CMD_PLOT);
    assert_string_equal(o.plot_dir, "results/latest");
    assert_true(parse(3, ARGV("lab", "--help"), &o, err));
    assert_int_equal(o.command, CMD_HELP);
}

static void test_lab_options(void **state)
{
    struct cli_options o;
    char err[256];

    (void)state;
    assert_true(parse(2, ARGV("run"), &o, err));
    assert_null(o.lab_kernel);
    assert_int_equal(o.lab_memory_mib, 2048);
    assert_int_equal(o.lab_vcpus, 0);
    assert_true(parse(11, ARGV("run", "--accel", "lab", "--lab-kernel", "6.12", "--smp", "4",
                               "--lab-memory=3072", "--lab-vcpus", "6"), &o, err));
    assert_int_equal(o.command, CMD_RUN);
    assert_int_equal(o.accel, ACCEL_LAB);
    assert_string_equal(accel_choice_name(o.accel), "lab");
    assert_string_equal(o.lab_kernel, "6.12");
    assert_int_equal(o.lab_memory_mib, 3072);
    assert_int_equal(o.lab_vcpus, 6);
    assert_int_equal(o.lab_l2_wait_s, 0);
    assert_true(parse(6, ARGV("run", "--accel", "lab", "--lab-l2-wait", "45"), &o, err));
    assert_int_equal(o.lab_l2_wait_s, 45);
    /* The self-check is always a lab run, with or without saying so. */
    assert_true(parse(2, ARGV("lab"), &o, err));
    assert_int_equal(o.command, CMD_LAB);
    assert_int_equal(o.accel, ACCEL_LAB);
    assert_true(parse(8, ARGV("lab", "--accel", "lab", "--lab-kernel",
                              "linux-image-6.12.117+deb12-amd64", "--out", "/tmp/x"), &o, err));
    assert_string_equal(o.lab_kernel, "linux-image-6.12.117+deb12-amd64");
    assert_string_equal(o.out, "/tmp/x");
}

/* Each bad command line and the exact message it gets. */
static const struct {
    int argc;
    char *argv[8];
    const char *msg;
} bad[] = {
    { 1, { "hvflush" }, "no command given (see hvflush help)" },
    { 2, { "hvflush", "frob" }, "unknown command 'frob' (see hvflush help)" },
    { 2, { "hvflush", "--foo" }, "unknown option '--foo' (see hvflush help)" },
    { 3, { "hvflush", "run", "--foo" }, "unknown option '--foo' (see hvflush help)" },
    { 3, { "hvflush", "run", "--foo=1" }, "unknown option '--foo' (see hvflush help)" },
    { 4, { "hvflush", "run", "--smp", "abc" }, "--smp: 'abc' is not a number between 1 and 255" },
    { 4, { "hvflush", "run", "--smp", "0" }, "--smp: '0' is not a number between 1 and 255" },
    { 4, { "hvflush", "run", "--smp", "256" }, "--smp: '256' is not a number between 1 and 255" },
    { 4, { "hvflush", "run", "--smp", "4x" }, "--smp: '4x' is not a number between 1 and 255" },
    { 4, { "hvflush", "run", "--smp", "-1" }, "--smp: '-1' is not a number between 1 and 255" },
    { 3, { "hvflush", "run", "--smp" }, "--smp needs a value" },
    { 4, { "hvflush", "run", "--accel", "warp" },
      "--accel: 'warp' is not one of auto, kvm, tcg, lab" },
    { 6, { "hvflush", "run", "--accel", "kvm", "--lab-kernel", "6.12" },
      "--lab-kernel, --lab-memory, --lab-vcpus and --lab-l2-wait need --accel lab (or auto)" },
    { 6, { "hvflush", "run", "--accel", "tcg", "--lab-vcpus", "4" },
      "--lab-kernel, --lab-memory, --lab-vcpus and --lab-l2-wait need --accel lab (or auto)" },
    { 6, { "hvflush", "run", "--accel", "lab", "--lab-memory", "100" },
      "--lab-memory: '100' is not a number between 512 and 65536" },
    { 6, { "hvflush", "run", "--accel", "lab", "--lab-vcpus", "0" },
      "--lab-vcpus: '0' is not a number between 1 and 255" },
    { 6, { "hvflush", "run", "--accel", "lab", "--lab-l2-wait", "0" },
      "--lab-l2-wait: '0' is not a number between 1 and 86400" },
    { 6, { "hvflush", "run", "--accel", "tcg", "--lab-l2-wait", "30" },
      "--lab-kernel, --lab-memory, --lab-vcpus and --lab-l2-wait need --accel lab (or auto)" },
    { 4, { "hvflush", "lab", "--accel", "kvm" },
      "lab: --accel kvm: the self-check always uses the lab" },
    { 4, { "hvflush", "lab", "--sweep", "smoke" },
      "lab: --sweep: the self-check runs its own bring-up sweep; "
      "use hvflush run --accel lab --sweep ..." },
    { 4, { "hvflush", "run", "--pin", "diagonal" },
      "--pin: 'diagonal' is not one of none, compact, scatter, smt-pairs, same-llc, "
      "cross-llc, cross-numa, overcommit:N, cpus:LIST" },
    { 4, { "hvflush", "run", "--timeout", "-1" },
      "--timeout: '-1' is not a number between 1 and 86400" },
    { 4, { "hvflush", "run", "--memory", "16" },
      "--memory: '16' is not a number between 32 and 65536" },
    { 3, { "hvflush", "run", "--label=" }, "--label: must be 1 to 64 characters" },
    { 3, { "hvflush", "run", "--sweep=" }, "--sweep: empty value" },
    { 4, { "hvflush", "run", "--hv", "hv-bogus" },
      "--hv: unknown flag 'hv-bogus' (known: auto, off, or a list of hv-vpindex, hv-relaxed, "
      "hv-tlbflush, hv-tlbflush-ext, hv-xmm-input, hv-ipi, hv-frequencies, hv-time, hv-vapic, "
      "hv-runtime, hv-synic, hv-reset, hv-crash, hv-enforce-cpuid)" },
    { 4, { "hvflush", "run", "--hv", "hv-vpindex,hv-ipi,hv-ipi" }, "--hv: hv-ipi is given twice" },
    { 4, { "hvflush", "run", "--hv", "hv-vpindex,,hv-relaxed" },
      "--hv: empty flag in 'hv-vpindex,,hv-relaxed'" },
    { 4, { "hvflush", "run", "--hv", "hv-relaxed," }, "--hv: empty flag in 'hv-relaxed,'" },
    { 4, { "hvflush", "run", "--hv", "auto,hv-relaxed" },
      "--hv: unknown flag 'auto' (known: auto, off, or a list of hv-vpindex, hv-relaxed, "
      "hv-tlbflush, hv-tlbflush-ext, hv-xmm-input, hv-ipi, hv-frequencies, hv-time, hv-vapic, "
      "hv-runtime, hv-synic, hv-reset, hv-crash, hv-enforce-cpuid)" },
    { 4, { "hvflush", "run", "--hv", "hv-tlbflush" },
      "--hv: hv-tlbflush needs hv-vpindex (QEMU refuses it alone); add it to the list" },
    { 4, { "hvflush", "run", "--hv", "hv-vpindex,hv-tlbflush-ext" },
      "--hv: hv-tlbflush-ext needs hv-tlbflush (QEMU refuses it alone); add it to the list" },
    { 3, { "hvflush", "run", "--hv=" }, "--hv: empty value" },
    { 3, { "hvflush", "run", "--cpu=" }, "--cpu: empty value" },
    { 3, { "hvflush", "run", "--cpu" }, "--cpu needs a value" },
    { 3, { "hvflush", "run", "extra" }, "run: unexpected argument 'extra' (see hvflush help)" },
    { 2, { "hvflush", "plot" },
      "plot takes exactly one argument, the run directory (e.g. hvflush plot results/latest)" },
    { 4, { "hvflush", "plot", "a", "b" },
      "plot takes exactly one argument, the run directory (e.g. hvflush plot results/latest)" },
};

/* --hv: auto (the default) and off name no flags; a list keeps the
 * order given and is spelled back the same; the last --hv wins. */
static void test_hv_and_cpu(void **state)
{
    const struct hv_flag_info *flags[HV_FLAGS_MAX];
    struct cli_options o;
    char err[256], name[256];

    (void)state;
    assert_true(parse(2, ARGV("run"), &o, err));
    assert_int_equal(o.hv.mode, HV_AUTO);
    assert_false(o.hv_given);
    assert_null(o.cpu);
    /* auto asks for exactly the flags the guest uses, dependencies first. */
    assert_int_equal(hv_request_flags(&o.hv, flags), 7);
    assert_string_equal(flags[0]->name, "hv-vpindex");
    assert_string_equal(flags[2]->name, "hv-tlbflush");
    assert_string_equal(flags[6]->name, "hv-frequencies");

    assert_true(parse(4, ARGV("run", "--hv", "off"), &o, err));
    assert_int_equal(o.hv.mode, HV_OFF);
    assert_true(o.hv_given);
    assert_int_equal(hv_request_flags(&o.hv, flags), 0);

    assert_true(parse(5, ARGV("run", "--hv=hv-relaxed", "--cpu", "EPYC-v4"), &o, err));
    assert_int_equal(o.hv.mode, HV_LIST);
    assert_int_equal(o.hv.n, 1);
    assert_string_equal(o.cpu, "EPYC-v4");

    assert_true(parse(6, ARGV("run", "--hv", "off", "--hv", "hv-tlbflush,hv-vpindex,hv-ipi"),
                      &o, err));
    assert_int_equal(o.hv.mode, HV_LIST);
    hv_request_name(&o.hv, name, sizeof(name));
    assert_string_equal(name, "hv-tlbflush,hv-vpindex,hv-ipi");
    /* The probe asks in table order: hv-vpindex before what needs it. */
    assert_int_equal(hv_request_flags(&o.hv, flags), 3);
    assert_string_equal(flags[0]->name, "hv-vpindex");
    assert_string_equal(flags[1]->name, "hv-tlbflush");
    assert_string_equal(flags[2]->name, "hv-ipi");

    assert_true(parse(7, ARGV("run", "--accel", "lab", "--hv", "auto", "--cpu=qemu64"), &o, err));
    assert_int_equal(o.hv.mode, HV_AUTO);
    assert_string_equal(o.cpu, "qemu64");
}

static void test_bad_input(void **state)
{
    struct cli_options o;
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bool ok = parse(bad[i].argc, (char **)bad[i].argv, &o, err);

        if (ok || strcmp(err, bad[i].msg) != 0)
            fail_msg("case %zu: ok=%d err='%s', wanted '%s'", i, ok, err, bad[i].msg);
        assert_null(strchr(err, '\n'));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_defaults),
        cmocka_unit_test(test_run_all_options),
        cmocka_unit_test(test_later_option_wins),
        cmocka_unit_test(test_other_commands),
        cmocka_unit_test(test_lab_options),
        cmocka_unit_test(test_hv_and_cpu),
        cmocka_unit_test(test_bad_input),
    };

    return cmocka_run_group_tests_name("host_cli", tests, NULL, NULL);
}
