/*
 * Unit tests of the vCPU placement policies (host/pin.c) on synthetic
 * hwloc topologies, and of binding a real thread on this host.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "pin.h"

static hwloc_topology_t synthetic(const char *desc)
{
    hwloc_topology_t topo;

    assert_int_equal(hwloc_topology_init(&topo), 0);
    assert_int_equal(hwloc_topology_set_synthetic(topo, desc), 0);
    assert_int_equal(hwloc_topology_load(topo), 0);
    return topo;
}

/* Each set must be exactly one PU; returns its index. */
static int single_pu(hwloc_bitmap_t set)
{
    assert_non_null(set);
    assert_int_equal(hwloc_bitmap_weight(set), 1);
    return hwloc_bitmap_first(set);
}

static void expect_pus(hwloc_topology_t topo, enum pin_policy p, unsigned n, const int *want)
{
    hwloc_bitmap_t *sets = calloc(n, sizeof(*sets));

    assert_true(pin_policy_sets(topo, p, n, sets));
    for (unsigned i = 0; i < n; i++)
        if (single_pu(sets[i]) != want[i])
            fail_msg("%s vCPU %u: PU %d, wanted %d", pin_policy_name(p), i,
                     hwloc_bitmap_first(sets[i]), want[i]);
    pin_sets_free(sets, n);
    free(sets);
}

static void test_names(void **state)
{
    enum pin_policy p;

    (void)state;
    assert_true(pin_policy_from_name("scatter", &p));
    assert_int_equal(p, PIN_SCATTER);
    assert_false(pin_policy_from_name("diagonal", &p));
    assert_string_equal(pin_policy_name(PIN_COMPACT), "compact");
    assert_string_equal(pin_policy_names(), "none, compact, scatter, smt-pairs, same-llc, "
                        "cross-llc, cross-numa, overcommit:N, cpus:LIST");
}

static void test_compact_fills_in_order_and_wraps(void **state)
{
    hwloc_topology_t topo = synthetic("pack:2 core:4 pu:2");
    const int first4[] = { 0, 1, 2, 3 };
    int wrap[20];

    (void)state;
    assert_int_equal(pin_pu_count(topo), 16);
    expect_pus(topo, PIN_COMPACT, 4, first4);
    for (int i = 0; i < 20; i++)
        wrap[i] = i % 16;
    expect_pus(topo, PIN_COMPACT, 20, wrap);
    hwloc_topology_destroy(topo);
}

static void test_scatter_spreads_over_packages_then_cores(void **state)
{
    hwloc_topology_t topo = synthetic("pack:2 core:4 pu:2");
    const int two[] = { 0, 8 };               /* one per package */
    const int four[] = { 0, 4, 8, 12 };       /* two cores apart within each package */
    const int eight[] = { 0, 2, 4, 6, 8, 10, 12, 14 };   /* one per core */

    (void)state;
    expect_pus(topo, PIN_SCATTER, 2, two);
    expect_pus(topo, PIN_SCATTER, 4, four);
    expect_pus(topo, PIN_SCATTER, 8, eight);
    hwloc_topology_destroy(topo);
}

static void test_scatter_all_pus_distinct(void **state)
{
    hwloc_topology_t topo = synthetic("pack:2 core:4 pu:2");
    hwloc_bitmap_t sets[16], all = hwloc_bitmap_alloc();

    (void)state;
    assert_true(pin_policy_sets(topo, PIN_SCATTER, 16, sets));
    for (int i = 0; i < 16; i++) {
        single_pu(sets[i]);
        assert_false(hwloc_bitmap_intersects(all, sets[i]));
        hwloc_bitmap_or(all, all, sets[i]);
    }
    assert_int_equal(hwloc_bitmap_weight(all), 16);
    pin_sets_free(sets, 16);
    hwloc_bitmap_free(all);
    hwloc_topology_destroy(topo);
}

static void test_none_leaves_unpinned(void **state)
{
    hwloc_topology_t topo = synthetic("pack:1 core:2 pu:1");
    hwloc_bitmap_t sets[3];
    struct pin_entry map[3];
    long tids[3] = { 101, 102, 103 };
    char err[128];

    (void)state;
    assert_true(pin_policy_sets(topo, PIN_NONE, 3, sets));
    for (int i = 0; i < 3; i++)
        assert_null(sets[i]);
    /* Applying no bindings touches no thread, so fake ids are fine. */
    assert_true(pin_apply(topo, sets, tids, 3, map, err, sizeof(err)));
    assert_int_equal(map[2].vcpu, 2);
    assert_int_equal(map[2].thread_id, 103);
    assert_string_equal(map[2].pus, "unpinned");
    hwloc_topology_destroy(topo);
}

/* Binds this very thread with the host topology and reads it back. */
static void test_apply_binds_a_real_thread(void **state)
{
    hwloc_topology_t topo = pin_load_host_topology();
    hwloc_bitmap_t sets[1], old = hwloc_bitmap_alloc(), now = hwloc_bitmap_alloc();
    struct pin_entry map[1];
    long tid = (long)gettid();
    char err[128];

    (void)state;
    assert_non_null(topo);
    assert_int_equal(hwloc_get_cpubind(topo, old, HWLOC_CPUBIND_THREAD), 0);
    assert_true(pin_policy_sets(topo, PIN_COMPACT, 1, sets));
    assert_true(pin_apply(topo, sets, &tid, 1, map, err, sizeof(err)));
    assert_int_equal(hwloc_get_proc_cpubind(topo, (hwloc_pid_t)tid, now,
                                            HWLOC_CPUBIND_THREAD), 0);
    assert_true(hwloc_bitmap_isequal(now, sets[0]));
    assert_string_equal(map[0].pus, "0");
    hwloc_set_cpubind(topo, old, HWLOC_CPUBIND_THREAD);
    pin_sets_free(sets, 1);
    hwloc_bitmap_free(old);
    hwloc_bitmap_free(now);
    hwloc_topology_destroy(topo);
}

/* Two vCPUs on one thread (TCG thread=single, the lab's L0): the thread is
 * bound to the union of their PUs, not to the last vCPU's alone. */
static void test_shared_thread_gets_the_union(void **state)
{
    hwloc_topology_t topo = pin_load_host_topology();
    hwloc_bitmap_t sets[2], old = hwloc_bitmap_alloc(), now = hwloc_bitmap_alloc(), u;
    struct pin_entry map[2];
    long tids[2] = { (long)gettid(), (long)gettid() };
    char err[128];

    (void)state;
    assert_non_null(topo);
    assert_int_equal(hwloc_get_cpubind(topo, old, HWLOC_CPUBIND_THREAD), 0);
    assert_true(pin_policy_sets(topo, PIN_COMPACT, 2, sets));
    u = pin_thread_set(sets, tids, 2, 1);
    assert_non_null(u);
    assert_true(hwloc_bitmap_isincluded(sets[0], u) && hwloc_bitmap_isincluded(sets[1], u));
    assert_true(pin_apply(topo, sets, tids, 2, map, err, sizeof(err)));
    assert_int_equal(hwloc_get_proc_cpubind(topo, (hwloc_pid_t)tids[0], now,
                                            HWLOC_CPUBIND_THREAD), 0);
    assert_true(hwloc_bitmap_isequal(now, u));
    /* distinct threads keep their own sets */
    tids[1] = tids[0] + 1;
    hwloc_bitmap_free(u);
    u = pin_thread_set(sets, tids, 2, 1);
    assert_true(hwloc_bitmap_isequal(u, sets[1]));
    hwloc_set_cpubind(topo, old, HWLOC_CPUBIND_THREAD);
    pin_sets_free(sets, 2);
    hwloc_bitmap_free(u);
    hwloc_bitmap_free(old);
    hwloc_bitmap_free(now);
    hwloc_topology_destroy(topo);
}

/* One vCPU per host PU, clamped to 2..8, whatever this host has. */
static void test_default_vcpus_follow_the_host(void **state)
{
    hwloc_topology_t topo = pin_load_host_topology();
    unsigned pus, want;

    (void)state;
    assert_non_null(topo);
    pus = pin_pu_count(topo);
    hwloc_topology_destroy(topo);
    want = pus < 2 ? 2 : pus > 8 ? 8 : pus;
    assert_int_equal(pin_default_vcpus(), want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_compact_fills_in_order_and_wraps),
        cmocka_unit_test(test_scatter_spreads_over_packages_then_cores),
        cmocka_unit_test(test_scatter_all_pus_distinct),
        cmocka_unit_test(test_none_leaves_unpinned),
        cmocka_unit_test(test_apply_binds_a_real_thread),
        cmocka_unit_test(test_shared_thread_gets_the_union),
        cmocka_unit_test(test_default_vcpus_follow_the_host),
    };

    return cmocka_run_group_tests_name("host_pin", tests, NULL, NULL);
}
