/*
 * Guest robustness under TCG: a hypercall that faults, a hypervisor status
 * the guest has never seen, a hypervisor that advertises the flush calls
 * and then refuses them, and an AP that never comes up.  Each must end only
 * the configurations it touches, with the reason in their error record,
 * the terminal and verify.csv; every later configuration is still
 * measured; the run is complete (meta.json status ok) and exits 3.
 *
 *  - inject hv-pretend: TCG has no Hyper-V, so the guest makes the
 *    interface up (remote flush advertised, a hypercall page holding
 *    vmmcall/vmcall) and the call raises a real #UD, caught by the guest's
 *    fault recovery: "hypercall-raised-ud-at-rip-0x...", vector 6, the RIP
 *    inside the hypercall page; the hyperv record says remote_flush=1 and
 *    pretend=1 (advertised, then refused by the fault).
 *  - inject hv-unknown-status: the same calls answered 0x7777:
 *    "unknown-hypervisor-status-0x7777", raw status in the record.
 *  - inject ap-never-starts: CPU 3 of 4 is never started; the bring-up
 *    wait times out, the platform record names it, the configuration that
 *    targets it reads error "cpu-3-never-came-up", the others run.
 *  - the control: the same sweep without an injection, where the hv-*
 *    lines are unsupported and the run exits 0 -- the errors above come
 *    from the faults, not from the sweep.
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

#define SWEEP "tests/sweeps/guest-faults.sweep"

/* Writes SWEEP with `inject what` appended to a temporary file, runs it. */
static struct run_result *run_injected(const char *what, const char *args)
{
    static char path[] = "/tmp/hvflush-guest-faults-XXXXXX";
    char cmd[512], line[256];
    FILE *in = fopen(SWEEP, "r"), *out;
    int fd;

    strcpy(path + strlen(path) - 6, "XXXXXX");
    fd = mkstemp(path);
    assert_true(in != NULL && fd >= 0);
    out = fdopen(fd, "w");
    while (fgets(line, sizeof(line), in))
        fputs(line, out);
    fprintf(out, "inject %s\n", what);
    fclose(in);
    fclose(out);
    snprintf(cmd, sizeof(cmd), "run --accel tcg %s --quiet --sweep %s", args, path);
    struct run_result *r = run_hvflush(cmd);
    unlink(path);
    return r;
}

/* The first record of type whose key has value (key NULL: any), copied
 * into rec; false if none. */
static bool find_record(const struct run_result *r, const char *type, const char *key,
                        const char *value, struct record *rec)
{
    char path[600], line[RECORD_LINE_MAX + 2];
    bool found = false;
    FILE *f;

    snprintf(path, sizeof(path), "%s/records.txt", r->run_dir);
    f = fopen(path, "r");
    assert_non_null(f);
    while (!found && fgets(line, sizeof(line), f)) {
        if (record_parse(line, strlen(line), rec) != RECORD_OK || strcmp(rec->type, type))
            continue;
        found = !key || (record_get(rec, key) && !strcmp(record_get(rec, key), value));
    }
    fclose(f);
    return found;
}

static const struct run_config *config_labelled(const struct run_result *r, const char *prefix)
{
    for (unsigned i = 0; i < r->nconfigs; i++)
        if (!strncmp(r->cfg[i].label, prefix, strlen(prefix)))
            return &r->cfg[i];
    fail_msg("no configuration labelled %s...", prefix);
    return NULL;
}

/* A complete run (status ok, end ok) that exits 3 for its error verdicts. */
static void assert_complete_exit_3(const struct run_result *r)
{
    char status[32];

    if (r->exit_code != 3)
        fail_msg("exit %d (wanted 3); stderr: %s", r->exit_code, r->err);
    assert_true(r->stream_ok);
    assert_string_equal(r->end_status, "ok");
    meta_string(r, "status", status, sizeof(status));
    assert_string_equal(status, "ok");
    assert_non_null(strstr(r->err, "ended in error (exit status 3)"));
}

/* The configurations after the hypercalls were measured in full. */
static void assert_rest_measured(const struct run_result *r)
{
    const struct run_config *ipi = config_labelled(r, "ipi/"), *local = config_labelled(r, "local/");

    assert_measured_and_verified(ipi);
    assert_int_equal(local->nsamples, local->samples_declared);
    assert_string_equal(local->error, "");
}

/* The error's reason in verify.csv and on the terminal. */
static void assert_reason_shown(const struct run_result *r, const char *label, const char *why)
{
    struct csv_table t;
    int row;

    assert_true(csv_read(r, "verify.csv", &t));
    row = csv_row_of(&t, label);
    assert_true(row >= 0);
    assert_string_equal(csv_cell(&t, (unsigned)row, "verdict"), "error");
    assert_string_equal(csv_cell(&t, (unsigned)row, "reason"), why);
    csv_free(&t);
    assert_non_null(strstr(r->out, why));
}

static void test_without_injection_hypercalls_are_unsupported(void **state)
{
    struct run_result *r = run_hvflush("run --accel tcg --smp 2 --quiet --sweep " SWEEP);

    (void)state;
    if (r->exit_code != 0)
        fail_msg("exit %d (wanted 0); stderr: %s", r->exit_code, r->err);
    assert_string_not_equal(config_labelled(r, "hv-space/")->unsupported, "");
    assert_string_equal(config_labelled(r, "hv-space/")->error, "");
    assert_rest_measured(r);
}

static void test_faulting_hypercall_ends_only_its_configuration(void **state)
{
    struct run_result *r = run_injected("hv-pretend", "--smp 2");
    const struct run_config *hv = config_labelled(r, "hv-space/");
    struct record rec;
    char want[96], path[600];
    const char *rip;

    (void)state;
    assert_complete_exit_3(r);
    /* Advertised (made up, and said so), then refused by a real #UD. */
    assert_true(find_record(r, "hyperv", NULL, NULL, &rec));
    assert_string_equal(record_get(&rec, "remote_flush"), "1");
    assert_string_equal(record_get(&rec, "pretend"), "1");
    assert_true(find_record(r, "error", "id", "0", &rec));
    assert_string_equal(record_get(&rec, "vector"), "6");
    assert_string_equal(record_get(&rec, "status"), "-");
    rip = record_get(&rec, "rip");
    assert_true(rip && !strncmp(rip, "0x", 2));
    snprintf(want, sizeof(want), "hypercall-raised-ud-at-rip-%s", rip);
    assert_string_equal(hv->error, want);
    assert_int_equal(hv->nsamples, 0);
    /* The baseline's call faults at the same place. */
    assert_string_equal(config_labelled(r, "hv-null/")->error, want);
    assert_reason_shown(r, hv->label, want);
    snprintf(path, sizeof(path), "%s/serial.log", r->run_dir);
    assert_true(file_contains(path, "hyperv: pretending an interface"));
    assert_rest_measured(r);
}

static void test_unknown_status_ends_only_its_configuration(void **state)
{
    struct run_result *r = run_injected("hv-unknown-status", "--smp 2");
    const struct run_config *hv = config_labelled(r, "hv-space/");
    struct record rec;

    (void)state;
    assert_complete_exit_3(r);
    assert_string_equal(hv->error, "unknown-hypervisor-status-0x7777");
    assert_true(find_record(r, "error", "id", "0", &rec));
    assert_string_equal(record_get(&rec, "status"), "0x7777");
    assert_string_equal(record_get(&rec, "vector"), "0");
    assert_reason_shown(r, hv->label, "unknown-hypervisor-status-0x7777");
    assert_rest_measured(r);
}

static void test_ap_that_never_comes_up(void **state)
{
    static const char sweep[] = "name ap\nsamples 50\nwarmup 5\nverify-rounds 8\n"
                                "inject ap-never-starts\nmeasure ipi targets=1,3\n"
                                "measure local\n";
    char path[] = "/tmp/hvflush-ap-XXXXXX", cmd[256], serial[600];
    int fd = mkstemp(path);
    struct run_result *r;
    struct record rec;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, sweep, sizeof(sweep) - 1), (ssize_t)(sizeof(sweep) - 1));
    close(fd);
    snprintf(cmd, sizeof(cmd), "run --accel tcg --smp 4 --quiet --sweep %s", path);
    r = run_hvflush(cmd);
    unlink(path);
    assert_complete_exit_3(r);
    assert_true(find_record(r, "platform", NULL, NULL, &rec));
    assert_string_equal(record_get(&rec, "cpus"), "4");
    assert_string_equal(record_get(&rec, "missing"), "3");
    assert_true(find_record(r, "cpu", "idx", "3", &rec));
    assert_string_equal(record_get(&rec, "online"), "0");
    assert_true(find_record(r, "cpu", "idx", "2", &rec));
    assert_string_equal(record_get(&rec, "online"), "1");
    snprintf(serial, sizeof(serial), "%s/serial.log", r->run_dir);
    assert_true(file_contains(serial, "bring-up wait timed out; never came up: cpu3"));
    assert_non_null(strstr(r->out, "cpus that never came up: 3"));

    assert_measured_and_verified(config_labelled(r, "ipi/invlpg/p1/t1/"));
    assert_string_equal(config_labelled(r, "ipi/invlpg/p1/t3/")->error, "cpu-3-never-came-up");
    assert_int_equal(config_labelled(r, "ipi/invlpg/p1/t3/")->nsamples, 0);
    assert_reason_shown(r, config_labelled(r, "ipi/invlpg/p1/t3/")->label,
                        "cpu-3-never-came-up");
    assert_int_equal(config_labelled(r, "local/")->nsamples,
                     config_labelled(r, "local/")->samples_declared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_without_injection_hypercalls_are_unsupported),
        cmocka_unit_test(test_faulting_hypercall_ends_only_its_configuration),
        cmocka_unit_test(test_unknown_status_ends_only_its_configuration),
        cmocka_unit_test(test_ap_that_never_comes_up),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
