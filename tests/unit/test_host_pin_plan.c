/*
 * The --pin syntax (host/pin.c), pinning plans (host/pin_plan.c: every
 * vCPU's PU and hwloc ancestry, the PUs left to QEMU's other threads, the
 * printed lines and the JSON), and the XML topology under tests/topologies
 * loaded as "hvflush pin --topology" loads it.  Run from the repository
 * root, as make test does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"
#include "pin.h"

#define XML_TOPOLOGY "tests/topologies/two-packages-smt.xml"
#define XML_SYNTHETIC "pack:2 [numa] l3:2 core:4 pu:2(indexes=0,16,1,17,2,18,3,19,4,20,5,21," \
                      "6,22,7,23,8,24,9,25,10,26,11,27,12,28,13,29,14,30,15,31)"

static hwloc_topology_t load(const char *xml, const char *synthetic)
{
    char err[256];
    hwloc_topology_t t = pin_load_topology(xml, synthetic, err, sizeof(err));

    if (!t)
        fail_msg("%s", err);
    return t;
}

static void test_spec_syntax(void **state)
{
    static const struct {
        const char *text, *error;      /* error NULL: accepted */
    } cases[] = {
        { "none", NULL }, { "cross-numa", NULL }, { "overcommit:64", NULL },
        { "cpus:0,2,4-7", NULL }, { "cpus:5", NULL },
        { "diagonal", "'diagonal' is not one of none, compact, scatter, smt-pairs, same-llc, "
                      "cross-llc, cross-numa, overcommit:N, cpus:LIST" },
        { "compact:2", "compact takes no argument ('compact:2')" },
        { "overcommit", "overcommit needs :N, the vCPUs per PU (1 to 64), e.g. overcommit:2" },
        { "overcommit:0", "overcommit needs :N, the vCPUs per PU (1 to 64), e.g. overcommit:2" },
        { "overcommit:65", "overcommit needs :N, the vCPUs per PU (1 to 64), e.g. overcommit:2" },
        { "overcommit:2x", "overcommit needs :N, the vCPUs per PU (1 to 64), e.g. overcommit:2" },
        { "cpus", "cpus needs :LIST, one PU per vCPU by OS index, e.g. cpus:0,2,4-7" },
        { "cpus:", "cpus: '' is not a PU number (cpus:LIST, e.g. cpus:0,2,4-7)" },
        { "cpus:0,,2", "cpus: ',2' is not a PU number (cpus:LIST, e.g. cpus:0,2,4-7)" },
        { "cpus:3-1", "cpus: '3-1' is not an ascending range A-B" },
        { "cpus:1;2", "cpus: unexpected ';' in '1;2'" },
        { "cpus:0-300", "cpus: the list names more than 256 PUs" },
    };
    struct pin_spec s;
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        err[0] = '\0';
        if (pin_spec_parse(cases[i].text, &s, err, sizeof(err)) != !cases[i].error)
            fail_msg("'%s': %s", cases[i].text, cases[i].error ? "accepted" : err);
        if (cases[i].error)
            assert_string_equal(err, cases[i].error);
        else
            assert_string_equal(s.text, cases[i].text);
    }
    assert_true(pin_spec_parse("overcommit:3", &s, err, sizeof(err)));
    assert_int_equal(s.policy, PIN_OVERCOMMIT);
    assert_int_equal(s.per_pu, 3);
    assert_true(pin_spec_parse("cpus:9,2,4-6", &s, err, sizeof(err)));
    assert_int_equal(s.policy, PIN_CPUS);
    assert_int_equal(s.nlist, 5);
    assert_int_equal(s.list[0], 9);
    assert_int_equal(s.list[1], 2);
    assert_int_equal(s.list[4], 6);
    pin_spec_default(&s);
    assert_int_equal(s.policy, PIN_COMPACT);
    assert_string_equal(s.text, "compact");
}

/* hvflush run --pin keeps the policy and its argument. */
static void test_run_option(void **state)
{
    char *const with_n[] = { "hvflush", "run", "--pin", "overcommit:2", NULL };
    char *const plain[] = { "hvflush", "run", NULL };
    char *const bad[] = { "hvflush", "run", "--pin=cpus", NULL };
    struct cli_options o;
    char err[256];

    (void)state;
    assert_true(cli_parse(4, with_n, &o, err, sizeof(err)));
    assert_int_equal(o.pin, PIN_OVERCOMMIT);
    assert_int_equal(o.pin_spec.policy, PIN_OVERCOMMIT);
    assert_int_equal(o.pin_spec.per_pu, 2);
    assert_string_equal(o.pin_spec.text, "overcommit:2");
    assert_true(cli_parse(2, plain, &o, err, sizeof(err)));
    assert_int_equal(o.pin, PIN_COMPACT);
    assert_string_equal(o.pin_spec.text, "compact");
    assert_false(cli_parse(3, bad, &o, err, sizeof(err)));
    assert_string_equal(err, "--pin: cpus needs :LIST, one PU per vCPU by OS index, e.g. "
                             "cpus:0,2,4-7");
}

/* The lab's L1 keeps L2's vCPU i on its vCPU i for the new policies. */
static void test_inner_policy(void **state)
{
    static const char *const pairs[][2] = {
        { "none", "none" }, { "compact", "compact" }, { "scatter", "scatter" },
        { "smt-pairs", "compact" }, { "cross-numa", "compact" }, { "overcommit:2", "compact" },
        { "cpus:0,1", "compact" },
    };
    struct pin_spec s;
    char err[128];

    (void)state;
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        assert_true(pin_spec_parse(pairs[i][0], &s, err, sizeof(err)));
        assert_string_equal(pin_spec_inner_text(&s), pairs[i][1]);
    }
}

static bool make(hwloc_topology_t t, const char *spec, unsigned n, hwloc_bitmap_t *sets,
                 struct pin_plan *plan, char *why, size_t cap)
{
    struct pin_spec s;

    assert_true(pin_spec_parse(spec, &s, why, cap));
    return pin_plan_make(t, &s, n, sets, plan, why, cap);
}

static void test_plan_ancestry_and_other_threads(void **state)
{
    hwloc_topology_t t = load(NULL, "pack:2 l3:2 core:4 pu:2");
    const struct pin_place want[4] = {
        { 0, 0, 0, 0, 0 }, { 8, 0, 0, 1, 4 }, { 16, 1, 0, 2, 8 }, { 24, 1, 0, 3, 12 },
    };
    hwloc_bitmap_t sets[4];
    struct pin_plan plan;
    char why[256], others[64];

    (void)state;
    assert_true(make(t, "cross-llc", 4, sets, &plan, why, sizeof(why)));
    assert_int_equal(plan.nvcpus, 4);
    assert_int_equal(plan.npus, 32);
    assert_false(plan.shared);
    for (int i = 0; i < 4; i++)
        assert_memory_equal(&plan.places[i], &want[i], sizeof(want[i]));
    assert_non_null(plan.others);
    hwloc_bitmap_list_snprintf(others, sizeof(others), plan.others);
    assert_string_equal(others, "1-7,9-15,17-23,25-31");
    assert_string_equal(plan.others_note, "");
    pin_plan_free(&plan);
    pin_sets_free(sets, 4);

    /* Unsatisfiable: nothing is left allocated, the reason is given. */
    assert_false(make(t, "cross-numa", 4, sets, &plan, why, sizeof(why)));
    assert_string_equal(why, "the topology has one NUMA node with PUs; cross-numa needs two");
    assert_null(plan.places);
    assert_null(sets[0]);

    assert_true(make(t, "none", 2, sets, &plan, why, sizeof(why)));
    assert_int_equal(plan.places[1].pu, -1);
    assert_null(plan.others);
    assert_string_equal(plan.others_note, "left to the scheduler (--pin none)");
    pin_plan_free(&plan);
    hwloc_topology_destroy(t);

    t = load(NULL, "pack:1 core:2 pu:2");
    assert_true(make(t, "overcommit:2", 4, sets, &plan, why, sizeof(why)));
    assert_true(plan.shared);
    hwloc_bitmap_list_snprintf(others, sizeof(others), plan.others);
    assert_string_equal(others, "1,3");           /* the siblings of the two PUs used */
    pin_plan_free(&plan);
    pin_sets_free(sets, 4);
    assert_true(make(t, "compact", 4, sets, &plan, why, sizeof(why)));
    assert_null(plan.others);
    assert_string_equal(plan.others_note, "left where they are: every PU carries a vCPU");
    assert_int_equal(plan.places[3].package, 0);
    assert_int_equal(plan.places[3].l3, -1);      /* no L3 in this topology */
    pin_plan_free(&plan);
    pin_sets_free(sets, 4);
    hwloc_topology_destroy(t);
}

static void test_plan_print_and_json(void **state)
{
    hwloc_topology_t t = load(NULL, "pack:2 core:2 pu:2");
    hwloc_bitmap_t sets[3];
    struct pin_plan plan;
    char why[256], *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    json_t *j, *v;

    (void)state;
    assert_true(make(t, "cpus:5,0,5", 3, sets, &plan, why, sizeof(why)));
    pin_plan_print(f, &plan);
    fclose(f);
    assert_string_equal(text,
        "policy cpus:5,0,5: 3 vCPUs on 8 PUs (PU by OS index P#, the objects above it by "
        "hwloc logical index L#)\n"
        "vCPU 0 -> PU P#5    package L#1   NUMA L#0   L3 -     core L#2\n"
        "vCPU 1 -> PU P#0    package L#0   NUMA L#0   L3 -     core L#0\n"
        "vCPU 2 -> PU P#5    package L#1   NUMA L#0   L3 -     core L#2\n"
        "other QEMU threads -> PUs 1-4,6-7\n"
        "note: some PUs carry more than one vCPU\n");
    free(text);
    j = pin_plan_json(&plan);
    assert_string_equal(json_string_value(json_object_get(j, "policy")), "cpus:5,0,5");
    assert_int_equal(json_integer_value(json_object_get(j, "pus")), 8);
    assert_true(json_is_true(json_object_get(j, "shared")));
    v = json_array_get(json_object_get(j, "vcpus"), 0);
    assert_int_equal(json_integer_value(json_object_get(v, "pu")), 5);
    assert_int_equal(json_integer_value(json_object_get(v, "package")), 1);
    assert_int_equal(json_integer_value(json_object_get(v, "core")), 2);
    assert_true(json_is_null(json_object_get(v, "l3")));
    v = json_object_get(j, "other_threads");
    assert_string_equal(json_string_value(json_object_get(v, "pus")), "1-4,6-7");
    json_decref(j);
    pin_plan_free(&plan);
    pin_sets_free(sets, 3);
    hwloc_topology_destroy(t);
}

/* The committed XML is what its README says, and loads as the synthetic
 * topology it came from: every policy plans the same on both. */
static void test_xml_topology(void **state)
{
    static const char *const specs[] = { "compact", "scatter", "smt-pairs", "same-llc",
                                         "cross-llc", "cross-numa", "overcommit:3",
                                         "cpus:16,1,31,0,8,9,24,2" };
    hwloc_topology_t x = load(XML_TOPOLOGY, NULL), s = load(NULL, XML_SYNTHETIC);
    hwloc_bitmap_t xs[8], ss[8];
    struct pin_plan xp, sp;
    char why[256];

    (void)state;
    assert_int_equal(hwloc_get_nbobjs_by_type(x, HWLOC_OBJ_PACKAGE), 2);
    assert_int_equal(hwloc_get_nbobjs_by_type(x, HWLOC_OBJ_NUMANODE), 2);
    assert_int_equal(hwloc_get_nbobjs_by_type(x, HWLOC_OBJ_L3CACHE), 4);
    assert_int_equal(hwloc_get_nbobjs_by_type(x, HWLOC_OBJ_CORE), 16);
    assert_int_equal(pin_pu_count(x), 32);
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        if (!make(x, specs[i], 8, xs, &xp, why, sizeof(why)))
            fail_msg("%s on %s: %s", specs[i], XML_TOPOLOGY, why);
        assert_true(make(s, specs[i], 8, ss, &sp, why, sizeof(why)));
        assert_memory_equal(xp.places, sp.places, 8 * sizeof(*xp.places));
        assert_true(hwloc_bitmap_isequal(xp.others, sp.others));
        pin_plan_free(&xp);
        pin_plan_free(&sp);
        pin_sets_free(xs, 8);
        pin_sets_free(ss, 8);
    }
    /* OS numbering differs from logical: compact pairs P#0 with its
     * sibling P#16, cross-numa alternates the packages' nodes. */
    assert_true(make(x, "compact", 2, xs, &xp, why, sizeof(why)));
    assert_int_equal(xp.places[0].pu, 0);
    assert_int_equal(xp.places[1].pu, 16);
    assert_int_equal(xp.places[1].core, 0);
    pin_plan_free(&xp);
    pin_sets_free(xs, 2);
    assert_true(make(x, "cross-numa", 3, xs, &xp, why, sizeof(why)));
    assert_int_equal(xp.places[0].numa, 0);
    assert_int_equal(xp.places[1].numa, 1);
    assert_int_equal(xp.places[1].pu, 8);
    assert_int_equal(xp.places[2].pu, 1);
    pin_plan_free(&xp);
    pin_sets_free(xs, 3);
    assert_false(make(x, "cpus:32", 1, xs, &xp, why, sizeof(why)));
    assert_string_equal(why, "PU 32 is not in the topology (its PUs: 0-31)");
    hwloc_topology_destroy(x);
    hwloc_topology_destroy(s);
}

static void test_topology_errors(void **state)
{
    char err[256];

    (void)state;
    assert_null(pin_load_topology("/nonexistent/t.xml", NULL, err, sizeof(err)));
    assert_string_equal(err, "--topology /nonexistent/t.xml: No such file or directory");
    assert_null(pin_load_topology("tests/topologies/README.md", NULL, err, sizeof(err)));
    assert_string_equal(err, "--topology tests/topologies/README.md: hwloc cannot load it as "
                             "a topology");
    assert_null(pin_load_topology(NULL, "pack:2 core:4", err, sizeof(err)));
    assert_non_null(strstr(err, "--synthetic 'pack:2 core:4': not a synthetic topology"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_syntax),
        cmocka_unit_test(test_run_option),
        cmocka_unit_test(test_inner_policy),
        cmocka_unit_test(test_plan_ancestry_and_other_threads),
        cmocka_unit_test(test_plan_print_and_json),
        cmocka_unit_test(test_xml_topology),
        cmocka_unit_test(test_topology_errors),
    };

    return cmocka_run_group_tests_name("host_pin_plan", tests, NULL, NULL);
}
