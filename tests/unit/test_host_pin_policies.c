/*
 * Every placement policy (host/pin_policy.c) on synthetic hwloc topologies
 * of 1 to 256 PUs, 1 to 4 packages, with and without SMT, with and without
 * NUMA nodes and L3 caches, for vCPU counts from 1 to one more than the
 * PUs.  Whether a policy can be satisfied is worked out here from the
 * topology's object counts, independently of the policy code, and every
 * plan is checked for the property its policy promises, through the
 * topology's own ancestry (not through pin_plan.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pin.h"

static const char *const topologies[] = {
    "pu:1",
    "core:2 pu:1",
    "pack:1 core:2 pu:2",
    "pack:2 core:4 pu:1",
    "pack:3 core:3 pu:1",
    "pack:1 l3:1 core:4 pu:4",
    "pack:2 l3:2 core:4 pu:2",
    "pack:2 numa:2 core:4 pu:2",
    "pack:4 l3:1 core:8 pu:2",
    "pack:2 core:128 pu:1",
    "pack:4 numa:2 l3:2 core:8 pu:2",
};

static const char *const specs[] = {
    "none", "compact", "scatter", "smt-pairs", "same-llc", "cross-llc", "cross-numa",
    "overcommit:1", "overcommit:2", "overcommit:4",
};

/* What the oracle needs, counted straight from the topology. */
struct facts {
    unsigned npu, ncores, smt_cores, nllc, llc_pus, nnuma, numa_pus;
};

static unsigned count(hwloc_topology_t t, hwloc_obj_type_t type)
{
    int n = hwloc_get_nbobjs_by_type(t, type);

    return n > 0 ? (unsigned)n : 0;
}

static struct facts facts_of(hwloc_topology_t t)
{
    struct facts f = { count(t, HWLOC_OBJ_PU), count(t, HWLOC_OBJ_CORE), 0,
                       count(t, HWLOC_OBJ_L3CACHE), 0, count(t, HWLOC_OBJ_NUMANODE), 0 };

    for (hwloc_obj_t c = NULL; (c = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_CORE, c));)
        f.smt_cores += hwloc_bitmap_weight(c->cpuset) >= 2;
    /* These topologies are uniform: every L3 (NUMA node) has as many PUs. */
    if (f.nllc)
        f.llc_pus = f.npu / f.nllc;
    if (f.nnuma)
        f.numa_pus = f.npu / f.nnuma;
    return f;
}

static unsigned ceil_div(unsigned a, unsigned b)
{
    return (a + b - 1) / b;
}

/* NULL when spec can place n vCPUs on f; else a phrase its refusal says. */
static const char *refusal(const struct pin_spec *s, const struct facts *f, unsigned n)
{
    switch (s->policy) {
    case PIN_SMT_PAIRS:
        return f->smt_cores == 0 ? "no SMT"
               : f->smt_cores < ceil_div(n, 2) ? "cores with two PUs" : NULL;
    case PIN_SAME_LLC:
        return f->nllc == 0 ? "no cache" : f->llc_pus < n ? "do not fit in one LLC" : NULL;
    case PIN_CROSS_LLC:
        return f->nllc == 0 ? "no cache" : f->nllc == 1 ? "one LLC"
               : ceil_div(n, f->nllc) > f->llc_pus ? "PUs in each LLC" : NULL;
    case PIN_CROSS_NUMA:
        return f->nnuma < 2 ? "one NUMA node"
               : ceil_div(n, f->nnuma) > f->numa_pus ? "PUs in each NUMA node" : NULL;
    case PIN_OVERCOMMIT:
        return ceil_div(n, s->per_pu) > f->npu ? "need" : NULL;
    default:
        return NULL;
    }
}

static hwloc_obj_t pu_of(hwloc_topology_t t, hwloc_bitmap_t set)
{
    hwloc_obj_t pu;

    assert_non_null(set);
    assert_int_equal(hwloc_bitmap_weight(set), 1);
    pu = hwloc_get_pu_obj_by_os_index(t, (unsigned)hwloc_bitmap_first(set));
    assert_non_null(pu);
    return pu;
}

static int above(hwloc_topology_t t, hwloc_obj_type_t type, hwloc_obj_t pu)
{
    hwloc_obj_t o = hwloc_get_ancestor_obj_by_type(t, type, pu);

    return o ? (int)o->logical_index : -1;
}

static int numa_of(hwloc_topology_t t, hwloc_obj_t pu)
{
    for (hwloc_obj_t n = NULL; (n = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, n));)
        if (hwloc_bitmap_isset(n->cpuset, pu->os_index))
            return (int)n->logical_index;
    return -1;
}

/* max - min of the vCPUs per object of type (over every such object). */
static unsigned imbalance(hwloc_topology_t t, hwloc_obj_type_t type, hwloc_obj_t *pus, unsigned n)
{
    unsigned nobj = count(t, type), *per = calloc(nobj ? nobj : 1, sizeof(*per)), lo = ~0u,
             hi = 0;

    for (unsigned i = 0; nobj && i < n; i++)
        per[above(t, type, pus[i])]++;
    for (unsigned k = 0; k < nobj; k++) {
        lo = per[k] < lo ? per[k] : lo;
        hi = per[k] > hi ? per[k] : hi;
    }
    free(per);
    return nobj ? hi - lo : 0;
}

static bool all_distinct(hwloc_topology_t t, hwloc_obj_type_t type, hwloc_obj_t *pus,
                         unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            if (type == HWLOC_OBJ_PU ? pus[i] == pus[j]
                                     : above(t, type, pus[i]) == above(t, type, pus[j]))
                return false;
    return true;
}

/* Leaves check_plan with the condition that failed. */
#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            broken = #cond; \
            goto out; \
        } \
    } while (0)

/* The property each policy promises; NULL when the plan keeps it, else the
 * condition it breaks. */
static const char *check_plan(hwloc_topology_t t, const struct pin_spec *s, unsigned n,
                              hwloc_bitmap_t *sets, const struct facts *f)
{
    hwloc_obj_t *pus = calloc(n, sizeof(*pus));
    const char *broken = NULL;

    for (unsigned i = 0; i < n; i++) {
        if (s->policy == PIN_NONE) {
            CHECK(sets[i] == NULL);
            continue;
        }
        pus[i] = pu_of(t, sets[i]);
    }
    switch (s->policy) {
    case PIN_COMPACT:      /* logical order: a core's SMT siblings before the next core */
        for (unsigned i = 0; i < n; i++)
            CHECK(pus[i]->logical_index == i % f->npu);
        if (n >= 2 && f->smt_cores)
            CHECK(above(t, HWLOC_OBJ_CORE, pus[0]) == above(t, HWLOC_OBJ_CORE, pus[1]));
        break;
    case PIN_SCATTER:      /* balanced over packages, then L3s; cores before siblings */
        if (n <= f->npu) {
            CHECK(imbalance(t, HWLOC_OBJ_PACKAGE, pus, n) <= 1);
            CHECK(imbalance(t, HWLOC_OBJ_L3CACHE, pus, n) <= 1);
            CHECK(all_distinct(t, HWLOC_OBJ_PU, pus, n));
        }
        if (n <= f->ncores)
            CHECK(all_distinct(t, HWLOC_OBJ_CORE, pus, n));
        break;
    case PIN_SMT_PAIRS:    /* 2k and 2k+1 on the two PUs of one core, one core a pair */
        for (unsigned i = 0; i + 1 < n; i += 2) {
            CHECK(pus[i] != pus[i + 1]);
            CHECK(above(t, HWLOC_OBJ_CORE, pus[i]) == above(t, HWLOC_OBJ_CORE, pus[i + 1]));
        }
        for (unsigned i = 0; i < n; i += 2)
            for (unsigned j = i + 2; j < n; j += 2)
                CHECK(above(t, HWLOC_OBJ_CORE, pus[i]) != above(t, HWLOC_OBJ_CORE, pus[j]));
        break;
    case PIN_SAME_LLC:     /* one L3; its cores before their siblings */
        for (unsigned i = 1; i < n; i++)
            CHECK(above(t, HWLOC_OBJ_L3CACHE, pus[i]) == above(t, HWLOC_OBJ_L3CACHE, pus[0]));
        CHECK(all_distinct(t, HWLOC_OBJ_PU, pus, n));
        if (n <= f->ncores / f->nllc)
            CHECK(all_distinct(t, HWLOC_OBJ_CORE, pus, n));
        break;
    case PIN_CROSS_LLC:    /* vCPU i in L3 i mod L3s */
        for (unsigned i = 0; i < n; i++)
            CHECK(above(t, HWLOC_OBJ_L3CACHE, pus[i]) == (int)(i % f->nllc));
        for (unsigned i = 0; i + 1 < n; i++)
            CHECK(above(t, HWLOC_OBJ_L3CACHE, pus[i]) != above(t, HWLOC_OBJ_L3CACHE, pus[i + 1]));
        CHECK(all_distinct(t, HWLOC_OBJ_PU, pus, n));
        break;
    case PIN_CROSS_NUMA:   /* vCPU i on node i mod nodes */
        for (unsigned i = 0; i < n; i++)
            CHECK(numa_of(t, pus[i]) == (int)(i % f->nnuma));
        for (unsigned i = 0; i + 1 < n; i++)
            CHECK(numa_of(t, pus[i]) != numa_of(t, pus[i + 1]));
        CHECK(all_distinct(t, HWLOC_OBJ_PU, pus, n));
        break;
    case PIN_OVERCOMMIT: { /* N consecutive vCPUs per PU, ceil(n / N) PUs */
        unsigned groups = ceil_div(n, s->per_pu);
        hwloc_obj_t heads[257];

        for (unsigned i = 0; i < n; i++)
            CHECK(pus[i] == pus[i - i % s->per_pu]);
        for (unsigned g = 0; g < groups; g++)
            heads[g] = pus[g * s->per_pu];
        CHECK(all_distinct(t, HWLOC_OBJ_PU, heads, groups));
        if (groups <= f->ncores)
            CHECK(all_distinct(t, HWLOC_OBJ_CORE, heads, groups));
        break;
    }
    default:
        break;
    }
out:
    free(pus);
    return broken;
}

static void test_every_policy_on_every_topology(void **state)
{
    unsigned plans = 0, refusals = 0;

    (void)state;
    for (size_t ti = 0; ti < sizeof(topologies) / sizeof(topologies[0]); ti++) {
        const char *desc = topologies[ti];
        char err[256];
        hwloc_topology_t t = pin_load_topology(NULL, desc, err, sizeof(err));
        struct facts f;

        if (!t)
            fail_msg("%s", err);
        f = facts_of(t);
        for (size_t si = 0; si < sizeof(specs) / sizeof(specs[0]); si++) {
            const unsigned counts[] = { 1, 2, 3, 5, 8, f.npu / 2, f.npu, f.npu + 1 };
            struct pin_spec s;

            assert_true(pin_spec_parse(specs[si], &s, err, sizeof(err)));
            for (size_t ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
                unsigned n = counts[ci];
                const char *want = refusal(&s, &f, n);
                hwloc_bitmap_t *sets;
                bool ok;

                if (n == 0)
                    continue;
                sets = calloc(n, sizeof(*sets));
                err[0] = '\0';
                ok = pin_spec_sets(t, &s, n, sets, err, sizeof(err));
                if (ok != !want)
                    fail_msg("%s on \"%s\", %u vCPUs: %s (wanted %s)", s.text, desc, n,
                             ok ? "placed" : err, want ? want : "a plan");
                if (ok) {
                    const char *broken = check_plan(t, &s, n, sets, &f);

                    if (broken)
                        fail_msg("%s on \"%s\", %u vCPUs: %s", s.text, desc, n, broken);
                    plans++;
                } else {
                    if (!strstr(err, want))
                        fail_msg("%s on \"%s\", %u vCPUs: '%s' lacks '%s'", s.text, desc, n,
                                 err, want);
                    for (unsigned i = 0; i < n; i++)
                        assert_null(sets[i]);
                    refusals++;
                }
                pin_sets_free(sets, n);
                free(sets);
            }
        }
        hwloc_topology_destroy(t);
    }
    /* Both outcomes were exercised, many times over. */
    assert_true(plans > 300);
    assert_true(refusals > 50);
}

static hwloc_topology_t synthetic(const char *desc)
{
    char err[256];
    hwloc_topology_t t = pin_load_topology(NULL, desc, err, sizeof(err));

    if (!t)
        fail_msg("%s", err);
    return t;
}

/* The property checks catch a plan that breaks them: compact's plan, given
 * to the checks of other policies, fails each of them. */
static void test_checks_catch_a_wrong_plan(void **state)
{
    hwloc_topology_t t = synthetic("pack:2 l3:2 core:4 pu:2");
    struct facts f = facts_of(t);
    hwloc_bitmap_t sets[4];
    struct pin_spec compact, other;
    char err[128];
    static const char *const others[] = { "cross-llc", "scatter", "overcommit:2" };

    (void)state;
    assert_true(pin_spec_parse("compact", &compact, err, sizeof(err)));
    assert_true(pin_spec_sets(t, &compact, 4, sets, err, sizeof(err)));
    assert_null(check_plan(t, &compact, 4, sets, &f));
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        assert_true(pin_spec_parse(others[i], &other, err, sizeof(err)));
        assert_non_null(check_plan(t, &other, 4, sets, &f));
    }
    pin_sets_free(sets, 4);
    hwloc_topology_destroy(t);
}

/* cpus:LIST goes by OS index in list order; a PU may repeat. */
static void test_cpus_list(void **state)
{
    hwloc_topology_t t = synthetic("pack:2 core:4 pu:2");
    hwloc_bitmap_t sets[4];
    struct pin_spec s;
    char err[256];
    const unsigned want[4] = { 7, 0, 3, 3 };

    (void)state;
    assert_true(pin_spec_parse("cpus:7,0,3,3", &s, err, sizeof(err)));
    assert_true(pin_spec_sets(t, &s, 4, sets, err, sizeof(err)));
    for (int i = 0; i < 4; i++)
        assert_int_equal(pu_of(t, sets[i])->os_index, want[i]);
    pin_sets_free(sets, 4);
    assert_false(pin_spec_sets(t, &s, 3, sets, err, sizeof(err)));
    assert_string_equal(err, "the list names 4 PUs for 3 vCPUs (one PU per vCPU, in order)");
    assert_true(pin_spec_parse("cpus:0-2,16", &s, err, sizeof(err)));
    assert_false(pin_spec_sets(t, &s, 4, sets, err, sizeof(err)));
    assert_string_equal(err, "PU 16 is not in the topology (its PUs: 0-15)");
    hwloc_topology_destroy(t);
}

/* The messages of the refusals a user meets most. */
static void test_refusal_messages(void **state)
{
    static const struct {
        const char *topo, *spec;
        unsigned n;
        const char *message;
    } cases[] = {
        { "pack:2 core:4 pu:1", "smt-pairs", 2, "the topology has no SMT (no core with two PUs)" },
        { "pack:1 core:2 pu:2", "smt-pairs", 5, "5 vCPUs need 3 cores with two PUs; the "
                                                "topology has 2" },
        { "pack:1 l3:1 core:4 pu:2", "cross-llc", 2, "the topology has one LLC; cross-llc "
                                                     "needs two" },
        { "pack:2 core:4 pu:1", "same-llc", 2, "the topology shows no cache, so no LLC to share" },
        { "pack:2 l3:2 core:4 pu:1", "same-llc", 5, "5 vCPUs do not fit in one LLC (the "
                                                    "largest, L3 L#0, has 4 PUs)" },
        { "pack:2 l3:2 core:2 pu:1", "cross-llc", 9, "9 vCPUs need 3 PUs in each LLC L#0, "
                                                     "which has 2" },
        { "pack:2 core:4 pu:2", "cross-numa", 2, "the topology has one NUMA node with PUs; "
                                                 "cross-numa needs two" },
        { "pack:1 core:2 pu:1", "overcommit:2", 5, "5 vCPUs, 2 per PU, need 3 PUs; the "
                                                   "topology has 2" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hwloc_topology_t t = synthetic(cases[i].topo);
        hwloc_bitmap_t sets[9];
        struct pin_spec s;
        char err[256];

        assert_true(pin_spec_parse(cases[i].spec, &s, err, sizeof(err)));
        assert_false(pin_spec_sets(t, &s, cases[i].n, sets, err, sizeof(err)));
        assert_string_equal(err, cases[i].message);
        hwloc_topology_destroy(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_policy_on_every_topology),
        cmocka_unit_test(test_checks_catch_a_wrong_plan),
        cmocka_unit_test(test_cpus_list),
        cmocka_unit_test(test_refusal_messages),
    };

    return cmocka_run_group_tests_name("host_pin_policies", tests, NULL, NULL);
}
