/*
 * Pinning end to end under TCG: hvflush run --pin compact writes its plan
 * and the affinities the kernel reports for QEMU's threads into meta.json,
 * and hvflush pin prints the same plan for the same host; QEMU's other
 * threads leave the vCPUs' PUs where the host has room; a policy this host
 * cannot satisfy is refused before QEMU starts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"

#define BOOT "--accel tcg --sweep tests/sweeps/boot.sweep"

/* Runs build/hvflush ARGS (no --out); its stdout into out; exit status. */
static int hvflush(const char *args, char *out, size_t outcap, char *err, size_t errcap)
{
    char cmd[1024];
    FILE *f;
    size_t n;
    int status;

    snprintf(cmd, sizeof(cmd), "build/hvflush %s >/tmp/hvflush-pin.out 2>/tmp/hvflush-pin.err",
             args);
    status = system(cmd);
    f = fopen("/tmp/hvflush-pin.out", "r");
    n = f ? fread(out, 1, outcap - 1, f) : 0;
    out[n] = '\0';
    if (f)
        fclose(f);
    f = fopen("/tmp/hvflush-pin.err", "r");
    n = f ? fread(err, 1, errcap - 1, f) : 0;
    err[n] = '\0';
    if (f)
        fclose(f);
    unlink("/tmp/hvflush-pin.out");
    unlink("/tmp/hvflush-pin.err");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static json_t *pinning_of(const struct run_result *r)
{
    char path[600];
    json_t *root, *p;

    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    root = json_load_file(path, 0, NULL);
    assert_non_null(root);
    p = json_incref(json_object_get(root, "pinning"));
    json_decref(root);
    assert_non_null(p);
    return p;
}

/* "L#3" -> 3, "-" -> -1, as pin_plan_print writes them. */
static int logical(const char *s)
{
    return strcmp(s, "-") ? atoi(s + 2) : -1;
}

static int index_of(json_t *v)
{
    return json_is_null(v) ? -1 : (int)json_integer_value(v);
}

/* Every "vCPU i -> PU ..." line of hvflush pin's output equals entry i of
 * meta.json's pinning.plan.vcpus. */
static void assert_output_is_plan(const char *text, json_t *vcpus)
{
    unsigned lines = 0;

    for (const char *p = strstr(text, "vCPU "); p; p = strstr(p + 1, "\nvCPU ")) {
        unsigned i;
        int pu;
        char pkg[16], numa[16], l3[16], core[16];
        json_t *v;

        if (*p == '\n')
            p++;
        assert_int_equal(sscanf(p, "vCPU %u -> PU P#%d package %15s NUMA %15s L3 %15s core %15s",
                                &i, &pu, pkg, numa, l3, core), 6);
        v = json_array_get(vcpus, i);
        assert_non_null(v);
        assert_int_equal(pu, index_of(json_object_get(v, "pu")));
        assert_int_equal(logical(pkg), index_of(json_object_get(v, "package")));
        assert_int_equal(logical(numa), index_of(json_object_get(v, "numa")));
        assert_int_equal(logical(l3), index_of(json_object_get(v, "l3")));
        assert_int_equal(logical(core), index_of(json_object_get(v, "core")));
        lines++;
    }
    assert_int_equal(lines, json_array_size(vcpus));
}

static void test_run_records_plan_and_readback(void **state)
{
    struct run_result *r = run_hvflush("run " BOOT " --smp 2 --pin compact");
    json_t *pinning, *plan, *threads;
    char out[8192], err[4096];
    unsigned vcpus = 0;

    (void)state;
    if (r->exit_code != 0)
        fail_msg("run: exit %d: %s", r->exit_code, r->err);
    pinning = pinning_of(r);
    assert_string_equal(json_string_value(json_object_get(pinning, "policy")), "compact");
    plan = json_object_get(pinning, "plan");
    assert_int_equal(json_array_size(json_object_get(plan, "vcpus")), 2);
    threads = json_object_get(pinning, "threads");
    assert_true(json_array_size(threads) > 2);    /* the vCPUs and QEMU's own */
    for (size_t i = 0; i < json_array_size(threads); i++) {
        json_t *t = json_array_get(threads, i), *v = json_object_get(t, "vcpu");
        const char *aff = json_string_value(json_object_get(t, "affinity"));

        assert_true(json_is_true(json_object_get(t, "matches")));
        if (json_is_null(v))
            continue;
        /* The kernel's affinity is the planned PU, nothing more. */
        assert_int_equal(atoi(aff), index_of(json_object_get(
                             json_array_get(json_object_get(plan, "vcpus"), vcpus), "pu")));
        assert_null(strpbrk(aff, ",-"));
        vcpus++;
    }
    assert_int_equal(vcpus, 2);
    assert_int_equal(json_integer_value(json_object_get(pinning, "readback_mismatches")), 0);
    assert_int_equal(json_array_size(json_object_get(pinning, "warnings")), 0);

    assert_int_equal(hvflush("pin --policy compact --smp 2", out, sizeof(out), err,
                             sizeof(err)), 0);
    assert_output_is_plan(out, json_object_get(plan, "vcpus"));
    json_decref(pinning);
}

/* One vCPU on a host of two PUs or more: QEMU's other threads go to the PUs
 * the vCPU does not use, and the kernel says so. */
static void test_other_threads_leave_the_vcpu_pu(void **state)
{
    struct run_result *r = run_hvflush("run " BOOT " --smp 1 --pin compact");
    json_t *pinning, *threads, *others;
    const char *free_pus;
    unsigned bound = 0;

    (void)state;
    if (r->exit_code != 0)
        fail_msg("run: exit %d: %s", r->exit_code, r->err);
    pinning = pinning_of(r);
    others = json_object_get(json_object_get(pinning, "plan"), "other_threads");
    if (json_is_null(json_object_get(others, "pus"))) {
        assert_string_equal(json_string_value(json_object_get(others, "note")),
                            "left where they are: every PU carries a vCPU");
        json_decref(pinning);
        skip();
    }
    free_pus = json_string_value(json_object_get(others, "pus"));
    threads = json_object_get(pinning, "threads");
    for (size_t i = 0; i < json_array_size(threads); i++) {
        json_t *t = json_array_get(threads, i);

        if (!json_is_null(json_object_get(t, "vcpu")))
            continue;
        assert_string_equal(json_string_value(json_object_get(t, "planned")), free_pus);
        assert_string_equal(json_string_value(json_object_get(t, "affinity")), free_pus);
        bound++;
    }
    assert_true(bound >= 1);                       /* at least QEMU's main thread */
    json_decref(pinning);
}

static void test_unsatisfiable_policies_are_refused(void **state)
{
    struct run_result *r;
    char out[4096], err[4096], *nl;

    (void)state;
    /* No host has a PU 999999: refused before QEMU, nothing written. */
    r = run_hvflush("run " BOOT " --smp 2 --pin cpus:0,999999");
    assert_int_equal(r->exit_code, 2);
    assert_non_null(strstr(r->err, "hvflush: --pin cpus:0,999999: cannot place 2 vCPUs on "
                                   "this host: PU 999999 is not in the topology"));
    nl = strchr(r->err, '\n');
    assert_true(nl == NULL || nl[1] == '\0');     /* one line */
    assert_int_equal(count_entries(r->out_dir), 0);
    r = run_hvflush("run " BOOT " --smp 2 --pin overcommit:0");
    assert_int_equal(r->exit_code, 2);
    assert_non_null(strstr(r->err, "--pin: overcommit needs :N"));

    assert_int_equal(hvflush("pin --policy cross-numa --smp 4 --synthetic "
                             "\"pack:2 l3:2 core:4 pu:2\"", out, sizeof(out), err,
                             sizeof(err)), 2);
    assert_string_equal(err, "hvflush: pin: --policy cross-numa: the topology has one NUMA "
                             "node with PUs; cross-numa needs two\n");
    assert_string_equal(out, "");
    assert_int_equal(hvflush("pin --policy smt-pairs --smp 2 --topology "
                             "tests/topologies/two-packages-smt.xml", out, sizeof(out), err,
                             sizeof(err)), 0);
    assert_non_null(strstr(out, "vCPU 1 -> PU P#16 "));
    assert_int_equal(hvflush("pin --help", out, sizeof(out), err, sizeof(err)), 0);
    assert_non_null(strstr(out, "usage: hvflush pin --policy P --smp N"));
    assert_int_equal(hvflush("pin --smp 2", out, sizeof(out), err, sizeof(err)), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_records_plan_and_readback),
        cmocka_unit_test(test_other_threads_leave_the_vcpu_pu),
        cmocka_unit_test(test_unsatisfiable_policies_are_refused),
    };

    return cmocka_run_group_tests_name("pin_tcg", tests, NULL, NULL);
}
