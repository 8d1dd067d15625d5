/*
 * pin_settle (host/pin_threads.c) on a real process of this host: a child
 * with two threads stands in for QEMU, one of them as its vCPU.  Its other
 * thread must be bound to the PUs the plan leaves free, the affinities must
 * be read back from the kernel, and a vCPU thread whose affinity is changed
 * behind the plan's back must be reported as a mismatch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "pin.h"

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

/* A child process with a second thread named "fake vcpu"; returns its pid
 * and the second thread's id in *vcpu_tid. */
static pid_t start_child(long *vcpu_tid)
{
    pid_t pid = fork();
    char path[64];

    assert_true(pid >= 0);
    if (pid == 0) {
        pthread_t th;

        pthread_create(&th, NULL, sleeper, NULL);
        pthread_setname_np(th, "fake vcpu");
        sleeper(NULL);
    }
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    for (int tries = 0; tries < 1000; tries++) {
        DIR *d = opendir(path);
        struct dirent *e;

        *vcpu_tid = 0;
        while (d && (e = readdir(d)))
            if (atol(e->d_name) > 0 && atol(e->d_name) != pid)
                *vcpu_tid = atol(e->d_name);
        if (d)
            closedir(d);
        if (*vcpu_tid)
            return pid;
        usleep(1000);
    }
    fail_msg("the child's second thread did not appear");
    return -1;
}

static void stop_child(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void test_settle_binds_others_and_reads_back(void **state)
{
    hwloc_topology_t topo = pin_load_host_topology();
    hwloc_bitmap_t sets[1];
    struct pin_spec spec;
    struct pin_plan plan;
    struct pin_outcome out;
    struct pin_entry map[1];
    long tid;
    pid_t pid = start_child(&tid);
    char err[256], others[64] = "left";
    json_t *pinning = json_object(), *threads;

    (void)state;
    assert_non_null(topo);
    pin_spec_default(&spec);
    assert_true(pin_plan_make(topo, &spec, 1, sets, &plan, err, sizeof(err)));
    assert_true(pin_apply(topo, sets, &tid, 1, map, err, sizeof(err)));
    pin_settle(topo, &plan, sets, &tid, 1, &out);

    assert_true(out.done);
    assert_int_equal(out.qemu_pid, pid);         /* found from the vCPU's thread id */
    assert_int_equal(out.nthreads, 2);
    assert_int_equal(out.mismatches, 0);
    assert_int_equal(out.threads[0].tid, tid);
    assert_int_equal(out.threads[0].vcpu, 0);
    assert_string_equal(out.threads[0].name, "fake vcpu");
    assert_string_equal(out.threads[0].affinity, map[0].pus);
    assert_string_equal(out.threads[0].planned, map[0].pus);
    assert_int_equal(out.threads[1].tid, pid);
    assert_int_equal(out.threads[1].vcpu, -1);
    /* With a second PU the child's main thread moves off the vCPU's PU. */
    if (plan.others)
        hwloc_bitmap_list_snprintf(others, sizeof(others), plan.others);
    else
        print_message("this host has one PU: the other thread stays where it was\n");
    assert_string_equal(out.threads[1].planned, others);
    if (plan.others)
        assert_string_equal(out.threads[1].affinity, others);

    pin_meta_add(pinning, &plan, &out);
    threads = json_object_get(pinning, "threads");
    assert_int_equal(json_array_size(threads), 2);
    assert_true(json_is_true(json_object_get(json_array_get(threads, 0), "matches")));
    assert_int_equal(json_array_size(json_object_get(pinning, "warnings")), 0);
    assert_int_equal(json_integer_value(json_object_get(pinning, "qemu_pid")), pid);
    assert_non_null(json_object_get(json_object_get(pinning, "plan"), "vcpus"));
    json_decref(pinning);
    pin_outcome_free(&out);
    stop_child(pid);
    pin_plan_free(&plan);
    pin_sets_free(sets, 1);
    hwloc_topology_destroy(topo);
}

/* The fault the read-back guards against: a vCPU thread whose affinity is
 * not what the plan says (here widened to every PU after binding). */
static void test_readback_reports_a_mismatch(void **state)
{
    hwloc_topology_t topo = pin_load_host_topology();
    hwloc_bitmap_t sets[1];
    struct pin_spec spec;
    struct pin_plan plan;
    struct pin_outcome out;
    struct pin_entry map[1];
    long tid;
    pid_t pid = start_child(&tid);
    char err[256];
    json_t *pinning = json_object(), *warnings;

    (void)state;
    if (pin_pu_count(topo) < 2) {
        stop_child(pid);
        hwloc_topology_destroy(topo);
        skip();
    }
    pin_spec_default(&spec);
    assert_true(pin_plan_make(topo, &spec, 1, sets, &plan, err, sizeof(err)));
    assert_true(pin_apply(topo, sets, &tid, 1, map, err, sizeof(err)));
    assert_int_equal(hwloc_set_proc_cpubind(topo, (hwloc_pid_t)tid,
                                            hwloc_topology_get_allowed_cpuset(topo),
                                            HWLOC_CPUBIND_THREAD), 0);
    pin_settle(topo, &plan, sets, &tid, 1, &out);
    assert_int_equal(out.mismatches, 1);
    assert_true(out.threads[0].differs);
    assert_string_not_equal(out.threads[0].affinity, out.threads[0].planned);
    assert_false(out.threads[1].differs);
    pin_meta_add(pinning, &plan, &out);
    warnings = json_object_get(pinning, "warnings");
    assert_int_equal(json_array_size(warnings), 1);
    assert_non_null(strstr(json_string_value(json_array_get(warnings, 0)), "vCPU 0 (thread"));
    assert_int_equal(json_integer_value(json_object_get(pinning, "readback_mismatches")), 1);
    json_decref(pinning);
    pin_outcome_free(&out);
    stop_child(pid);
    pin_plan_free(&plan);
    pin_sets_free(sets, 1);
    hwloc_topology_destroy(topo);
}

/* A run that ended before binding records no threads (null), not an empty
 * list that would read as "QEMU had none". */
static void test_meta_before_binding(void **state)
{
    struct pin_plan plan;
    struct pin_outcome out;
    json_t *pinning = json_object();

    (void)state;
    memset(&plan, 0, sizeof(plan));
    memset(&out, 0, sizeof(out));
    pin_meta_add(pinning, &plan, &out);
    assert_true(json_is_null(json_object_get(pinning, "threads")));
    assert_true(json_is_null(json_object_get(pinning, "qemu_pid")));
    json_decref(pinning);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settle_binds_others_and_reads_back),
        cmocka_unit_test(test_readback_reports_a_mismatch),
        cmocka_unit_test(test_meta_before_binding),
    };

    return cmocka_run_group_tests_name("host_pin_threads", tests, NULL, NULL);
}
