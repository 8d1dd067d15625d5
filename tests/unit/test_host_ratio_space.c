/*
 * host/analysis/ratio.c and address spaces: a hypercall naming a space loaded
 * nowhere (scope=unloaded) is a cost baseline -- it owes no flush -- and is
 * never the best hypercall of a target count, however fast; scope=other
 * and global/large configurations are ordinary candidates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "analysis/ratio.h"

static uint64_t storage[3][3];

static void set_config(struct config_result *c, unsigned id, enum flush_scope scope,
                       bool large, uint64_t base)
{
    memset(c, 0, sizeof(*c));
    c->cfg.id = id;
    c->cfg.strategy = STRATEGY_HV_SPACE;
    c->cfg.targets = 2;
    c->cfg.scope = scope;
    c->cfg.spaces = 1;
    c->cfg.large = large;
    c->announced = true;
    for (unsigned k = 0; k < 3; k++)
        storage[id][k] = base + k;
    c->samples = storage[id];
    c->nsamples = 3;
    snprintf(c->label, sizeof(c->label), "hv-space/%s%s", flush_scope_name(scope),
             large ? "/large" : "");
}

static void test_unloaded_is_never_best(void **state)
{
    struct config_result cfg[3];
    struct run_data d;
    struct ratio_row rows[4];

    (void)state;
    memset(&d, 0, sizeof(d));
    set_config(&cfg[0], 0, SCOPE_CR3, false, 500);
    set_config(&cfg[1], 1, SCOPE_UNLOADED, false, 100);  /* fastest, but a baseline */
    set_config(&cfg[2], 2, SCOPE_OTHER, true, 300);
    d.configs = cfg;
    d.nconfigs = 3;
    d.tsc_hz = 1000000000;
    assert_int_equal(ratio_compute(&d, rows, 4), 1);
    assert_int_equal(rows[0].hv, 2);
    assert_int_equal(rows[0].hv_p50, 301);
    /* Without the other-space configuration, the cr3 one is best. */
    d.nconfigs = 2;
    assert_int_equal(ratio_compute(&d, rows, 4), 1);
    assert_int_equal(rows[0].hv, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unloaded_is_never_best),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
