/*
 * The lab's L2 start watchdog (host/lab/l2_watch.c), with a real L2 that never
 * writes to its console: a "CD-ROM image" of zeros, which L1's run boots
 * as L2 (`run --accel lab --image`).  SeaBIOS finds nothing to boot and
 * says so only on the screen, so L2's serial.log stays empty, as in the
 * lab's intermittent stall.  With --lab-l2-wait 20 the watchdog ends the
 * first attempt about 20 s after L1 starts its run, keeps its logs in
 * RUN/lab-attempt-1, tries once more, and ends the second the same way:
 * exit 1, meta.json status failed with the watchdog's reason and
 * lab.stalled_attempts 1, both attempts' L1 timing logs kept, and no QEMU
 * left that names the run directory.  Skipped, saying so, when the lab
 * cannot be prepared here.
 *
 * Races tolerated: none of the assertions depend on timing; the watchdog
 * can only fire after L1 wrote 'l2-start', and an L2 of zeros never writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"

static char tmp[] = "/tmp/hvflush-test-lab-stall-XXXXXX";


static void test_l2_that_never_writes_is_stalled_twice(void **state)
{
    char args[800], v[512], path[1200];
    struct run_result *r;

    (void)state;
    snprintf(args, sizeof(args), "run --accel lab --smp 2 --timeout 900 --lab-l2-wait 20 "
             "--image %s/zeros.iso", tmp);
    r = run_hvflush(args);
    if (r->exit_code == 2 && strstr(r->err, "hvflush: lab: ")) {
        print_message("SKIP: the lab cannot be prepared here: %s", r->err);
        skip();
    }
    assert_int_equal(r->exit_code, 1);
    assert_true(r->run_dir[0]);
    meta_value(r, "status", NULL, NULL, v, sizeof(v));
    assert_string_equal(v, "failed");
    meta_value(r, "reason", NULL, NULL, v, sizeof(v));
    if (!strstr(v, "lab: L2 stalled: no console output from L2 for 20 s"))
        fail_msg("reason '%s'", v);
    meta_value(r, "lab", "stalled_attempts", NULL, v, sizeof(v));
    assert_string_equal(v, "1");
    /* The retry was announced, and both attempts' logs are kept. */
    assert_non_null(strstr(r->err, "trying once more"));
    snprintf(path, sizeof(path), "%s/lab-attempt-1/lab/l1-times", r->run_dir);
    assert_true(file_contains(path, "l2-start "));
    snprintf(path, sizeof(path), "%s/lab/l1-times", r->run_dir);
    assert_true(file_contains(path, "l2-start "));
    snprintf(path, sizeof(path), "%s/lab-attempt-1/qemu.log", r->run_dir);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(processes_naming(r->run_dir), 0);
}

static int setup(void **state)
{
    char path[600];
    FILE *f;

    (void)state;
    if (!mkdtemp(tmp))
        return -1;
    snprintf(path, sizeof(path), "%s/zeros.iso", tmp);
    f = fopen(path, "w");
    if (!f)
        return -1;
    for (int i = 0; i < 64; i++) {
        static const char block[32768];

        fwrite(block, 1, sizeof(block), f);
    }
    return fclose(f) == 0 ? 0 : -1;
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
        cmocka_unit_test(test_l2_that_never_writes_is_stalled_twice),
    };

    return cmocka_run_group_tests_name("the lab's L2 start watchdog", tests, setup, teardown);
}
