/*
 * The portable image end to end: `hvflush image --sweep
 * tests/sweeps/compare.sweep` makes the ISO; `hvflush run --image` boots it
 * with none of run's devices (serial to a file, ACPI power-off) under
 * SeaBIOS with TCG, SeaBIOS with this host's KVM (when /dev/kvm works) and
 * OVMF (UEFI) with TCG, and imports its serial log.  Each gives the
 * configurations of a direct `hvflush run` of the same sweep under the same
 * accelerator, with the same verdict classes (fail, error, unsupported, not
 * verified; pass and inconclusive are one class: the negative control's
 * luck differs from boot to boot), and `hvflush compare` joins every
 * configuration.  `--sweep` with `--image` is bad input (exit 2).
 * Skipped, saying so, while `hvflush image` does not exist in this build.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"

#define SWEEP "tests/sweeps/compare.sweep"

static char tmp[] = "/tmp/hvflush-test-image-XXXXXX";
static bool have_image;
static char iso[600];
static char out[16384], err[4096];

/* Runs a shell command; its stdout and stderr (starts) into out and err
 * (tests/integration/harness.h, sh_capture). */
HARNESS_SH(tmp, out, err)

static bool latest(const char *out_dir, char *dir, size_t cap)
{
    char link[700], target[256];
    ssize_t n;

    snprintf(link, sizeof(link), "%s/latest", out_dir);
    n = readlink(link, target, sizeof(target) - 1);
    if (n <= 0)
        return false;
    target[n] = '\0';
    snprintf(dir, cap, "%s/%s", out_dir, target);
    return true;
}

static const char *verdict_class(const char *v)
{
    return !strcmp(v, "pass") || !strcmp(v, "inconclusive") ? "pass-or-inconclusive" : v;
}

/* A direct run and an image run under accel (and firmware): same exit
 * status, same configurations, same verdict classes, joined by compare. */
static void image_vs_direct(const char *accel, const char *firmware)
{
    char name[64], top[300], direct[480], image[480], v[256];
    struct run_result a, b;
    struct csv_table ta, tb, tc;
    int rc_direct, rc_image, rc;

    snprintf(name, sizeof(name), "%s-%s", accel, firmware);
    rc_direct = sh("build/hvflush run --accel %s --smp 2 --sweep " SWEEP " --quiet --label "
                   "direct --out %s/%s/direct", accel, tmp, name);
    if (rc_direct != 0 && rc_direct != 3)
        fail_msg("direct run (%s): exit %d: %s", accel, rc_direct, err);
    rc_image = sh("build/hvflush run --image %s --firmware %s --accel %s --smp 2 --quiet "
                  "--timeout 900 --label image --out %s/%s/image", iso, firmware, accel, tmp,
                  name);
    snprintf(top, sizeof(top), "%s/%s/direct", tmp, name);
    assert_true(latest(top, direct, sizeof(direct)));
    snprintf(top, sizeof(top), "%s/%s/image", tmp, name);
    assert_true(latest(top, image, sizeof(image)));
    memset(&b, 0, sizeof(b));
    snprintf(b.run_dir, sizeof(b.run_dir), "%s", image);
    meta_value(&b, "status", NULL, NULL, v, sizeof(v));
    if (rc_image != rc_direct || strcmp(v, "ok") != 0) {
        meta_value(&b, "reason", NULL, NULL, v, sizeof(v));
        fail_msg("image run (%s, %s): exit %d (direct %d): %s", accel, firmware, rc_image,
                 rc_direct, v);
    }
    meta_value(&b, "import", "end_record", NULL, v, sizeof(v));
    assert_string_equal(v, "true");
    meta_value(&b, "import", "done_line", NULL, v, sizeof(v));
    assert_string_equal(v, "true");
    memset(&a, 0, sizeof(a));
    snprintf(a.run_dir, sizeof(a.run_dir), "%s", direct);
    assert_true(csv_read(&a, "summary.csv", &ta));
    assert_true(csv_read(&b, "summary.csv", &tb));
    assert_int_equal(ta.nrows, tb.nrows);
    for (unsigned i = 0; i < ta.nrows; i++) {
        assert_string_equal(csv_cell(&ta, i, "label"), csv_cell(&tb, i, "label"));
        assert_string_equal(verdict_class(csv_cell(&ta, i, "verdict")),
                            verdict_class(csv_cell(&tb, i, "verdict")));
    }
    csv_free(&ta);
    csv_free(&tb);
    rc = sh("build/hvflush compare %s %s --out %s/%s/cmp", direct, image, tmp, name);
    if (rc != 0 && rc != 1)
        fail_msg("compare: exit %d: %s", rc, err);
    memset(&a, 0, sizeof(a));
    snprintf(a.run_dir, sizeof(a.run_dir), "%s/%s/cmp", tmp, name);
    assert_true(csv_read(&a, "compare.csv", &tc));
    assert_true(tc.nrows > 0);
    for (unsigned i = 0; i < tc.nrows; i++)
        if (!strchr(csv_cell(&tc, i, "present_in"), ' '))
            fail_msg("%s present in %s only", csv_cell(&tc, i, "label"),
                     csv_cell(&tc, i, "present_in"));
    csv_free(&tc);
}

static void test_seabios_tcg(void **state)
{
    (void)state;
    if (!have_image)
        skip();
    image_vs_direct("tcg", "bios");
}

static void test_seabios_kvm(void **state)
{
    (void)state;
    if (!have_image || !kvm_usable())
        skip();
    image_vs_direct("kvm", "bios");
}

static void test_ovmf_tcg(void **state)
{
    (void)state;
    if (!have_image || access("/usr/share/ovmf/OVMF.fd", R_OK) != 0)
        skip();
    image_vs_direct("tcg", "uefi");
}

static void test_sweep_with_image_is_bad_input(void **state)
{
    (void)state;
    if (!have_image)
        skip();
    assert_int_equal(sh("build/hvflush run --image %s --sweep smoke --out %s/bad", iso, tmp), 2);
    assert_non_null(strstr(err, "the sweep is in the image"));
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmp))
        return -1;
    have_image = sh("build/hvflush image --help") == 0;
    if (!have_image) {
        print_message("SKIP: build/hvflush image --help fails: this build has no "
                      "`hvflush image` (the portable image), so the image cannot be booted\n");
        return 0;
    }
    snprintf(iso, sizeof(iso), "%s/hvflush.iso", tmp);
    if (sh("build/hvflush image --sweep " SWEEP " -o %s", iso) != 0) {
        print_error("hvflush image failed: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_with_image_is_bad_input),
        cmocka_unit_test(test_seabios_tcg),
        cmocka_unit_test(test_seabios_kvm),
        cmocka_unit_test(test_ovmf_tcg),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
