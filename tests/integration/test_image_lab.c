/*
 * The portable image in the nested lab: `hvflush image --sweep
 * tests/sweeps/image-lab.sweep` makes the ISO, `hvflush run --accel lab
 * --image` boots it as L2 under L1's KVM with the hv-* flags (real KVM
 * Hyper-V code) and imports its serial log in L1; the outer run adopts
 * L1's run and the sweep that L1's import found.  A direct lab run of the
 * same sweep is the reference: both exit the same way, with the same
 * configuration labels; every hypercall configuration is measured (not
 * unsupported, no error) in both, with verify verdicts of the same class
 * (pass in both or inconclusive in both); the image run's meta.json names
 * the guest's hypervisor (Microsoft Hv at 0x40000000, KVM at 0x40000100)
 * and the lab's timing class.  A missing ISO is bad input before L0.
 * Skipped, saying so, when the lab cannot be prepared (no kernel for L1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "harness.h"

#define SWEEP "tests/sweeps/image-lab.sweep"

static char tmp[] = "/tmp/hvflush-test-image-lab-XXXXXX";
static char iso[600];

static const char *verdict_class(const struct run_config *c)
{
    return !c->has_verify ? "none" : c->verdict;
}

static const struct run_config *by_label(const struct run_result *r, const char *label)
{
    for (unsigned i = 0; i < r->nconfigs; i++)
        if (!strcmp(r->cfg[i].label, label))
            return &r->cfg[i];
    fail_msg("no configuration %s in %s", label, r->run_dir);
    return NULL;
}

static void assert_measured(const struct run_result *r, const struct run_config *c)
{
    if (c->error[0] || c->unsupported[0])
        fail_msg("%s (%s): error '%s' unsupported '%s'", c->label, r->run_dir, c->error,
                 c->unsupported);
    assert_int_equal(c->nsamples, c->samples_declared);
    assert_true(c->max > 0);
}

static void test_image_as_lab_l2(void **state)
{
    struct run_result *direct, *image;
    char args[800], v[256], tc_direct[64];
    unsigned nhv = 0;
    int rc_direct;

    (void)state;
    direct = run_hvflush("run --accel lab --smp 2 --quiet --timeout 600 --sweep " SWEEP);
    rc_direct = direct->exit_code;
    if (lab_l2_stalled(direct)) {
        print_message("SKIP: the lab's L2 stalled before its first output (direct run)\n");
        skip();
    }
    if (rc_direct == 2 && strstr(direct->err, "hvflush: lab: ")) {
        print_message("SKIP: the lab cannot be prepared here: %s", direct->err);
        skip();
    }
    if (rc_direct != 0 && rc_direct != 3)
        fail_msg("direct lab run: exit %d: %s", rc_direct, direct->err);
    meta_value(direct, "accelerator", "timing_class", NULL, tc_direct, sizeof(tc_direct));
    snprintf(args, sizeof(args), "run --accel lab --smp 2 --quiet --timeout 600 --image %s", iso);
    image = run_hvflush(args);
    if (lab_l2_stalled(image)) {
        print_message("SKIP: the lab's L2 stalled before the image's first output\n");
        skip();
    }
    if (image->exit_code != rc_direct) {
        meta_value(image, "reason", NULL, NULL, v, sizeof(v));
        fail_msg("image lab run: exit %d (direct %d): %s %s", image->exit_code, rc_direct, v,
                 image->err);
    }
    assert_true(image->stream_ok);
    assert_string_equal(image->end_status, "ok");
    assert_int_equal(image->nconfigs, direct->nconfigs);
    for (unsigned i = 0; i < direct->nconfigs; i++) {
        const struct run_config *a = &direct->cfg[i], *b = by_label(image, a->label);

        if (strncmp(a->label, "hv-", 3) != 0)
            continue;
        nhv++;
        assert_measured(direct, a);
        assert_measured(image, b);
        assert_true(b->has_verify);
        if (strcmp(verdict_class(a), verdict_class(b)) != 0)
            fail_msg("%s: verdict %s directly, %s from the image", a->label,
                     verdict_class(a), verdict_class(b));
        print_message("  %-32s %s\n", b->label, verdict_class(b));
    }
    assert_true(nhv >= 3);
    by_label(image, "ipi/invlpg/p1/t1/spin");
    /* The guest's identity and the lab's timing class in meta.json. */
    meta_value(image, "guest", "hypervisor", "sig0", v, sizeof(v));
    assert_string_equal(v, "Microsoft_Hv");
    meta_value(image, "guest", "hypervisor", "sig1", v, sizeof(v));
    assert_string_equal(v, "KVMKVMKVM");
    meta_value(image, "accelerator", "timing_class", NULL, v, sizeof(v));
    assert_string_equal(v, tc_direct);
    meta_value(image, "sweep", "name", NULL, v, sizeof(v));
    assert_string_equal(v, "image-lab");
}

/* A missing ISO: exit 2 with one line, before L0 starts, nothing written. */
static void test_missing_image_is_bad_input(void **state)
{
    char args[800];
    struct run_result *r;

    (void)state;
    snprintf(args, sizeof(args), "run --accel lab --smp 2 --image %s/none.iso", tmp);
    r = run_hvflush(args);
    assert_int_equal(r->exit_code, 2);
    assert_non_null(strstr(r->err, "not a readable file"));
    assert_null(strstr(r->err, "started the lab"));
    assert_int_equal(count_entries(r->out_dir), 0);
}

static int setup(void **state)
{
    char cmd[1400];

    (void)state;
    if (!mkdtemp(tmp))
        return -1;
    snprintf(iso, sizeof(iso), "%s/lab.iso", tmp);
    snprintf(cmd, sizeof(cmd), "build/hvflush image --sweep " SWEEP " -o %s >/dev/null", iso);
    return system(cmd) == 0 ? 0 : -1;
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
        cmocka_unit_test(test_missing_image_is_bad_input),
        cmocka_unit_test(test_image_as_lab_l2),
    };

    return cmocka_run_group_tests_name("the portable image in the lab", tests, setup, teardown);
}
