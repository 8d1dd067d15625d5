/*
 * Unit tests of the run's verdict counts (host/analysis/verdicts.c): each kind is
 * counted from the collector's per-configuration results (a guest error
 * record counts as error, a configuration without a verdict not at all),
 * the terminal line, the meta.json object, and the exit status: 3 as soon
 * as one configuration reads fail or error or a CPU never came up, 0
 * otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "analysis/verdicts.h"

static void set_verdict(struct config_result *c, const char *v)
{
    memset(c, 0, sizeof(*c));
    if (!strcmp(v, "unsupported")) {
        strcpy(c->unsupported, "no-hyperv");
    } else if (!strcmp(v, "error-record")) {
        strcpy(c->error, "ack-timeout");
    } else if (strcmp(v, "none")) {
        c->has_verify = true;
        strcpy(c->verify.verdict, v);
    }
}

static void count(const char *const *v, unsigned n, struct verdict_counts *out)
{
    struct config_result cfg[8];
    struct run_data d;

    memset(&d, 0, sizeof(d));
    for (unsigned i = 0; i < n; i++)
        set_verdict(&cfg[i], v[i]);
    d.configs = cfg;
    d.nconfigs = n;
    verdicts_count(&d, out);
}

static void test_all_pass_exits_zero(void **state)
{
    const char *const v[] = { "pass", "pass", "unsupported", "inconclusive", "none" };
    struct verdict_counts c;
    char line[128];
    FILE *f = fmemopen(line, sizeof(line), "w");

    (void)state;
    count(v, 5, &c);
    assert_int_equal(c.pass, 2);
    assert_int_equal(c.unsupported, 1);
    assert_int_equal(c.inconclusive, 1);
    assert_int_equal(c.fail + c.error, 0);
    assert_int_equal(verdicts_exit_status(&c), 0);
    verdicts_print(f, &c);
    fclose(f);
    assert_string_equal(line, "verdicts: 2 pass, 1 inconclusive, 0 fail, 0 error, "
                              "1 unsupported\n");
}

static void test_fail_or_error_exits_three(void **state)
{
    const char *const failing[] = { "pass", "fail" };
    const char *const erring[] = { "error-record", "pass" };
    const char *const verify_error[] = { "error" };
    struct verdict_counts c;
    json_t *j;

    (void)state;
    count(failing, 2, &c);
    assert_int_equal(c.fail, 1);
    assert_int_equal(verdicts_exit_status(&c), 3);
    count(erring, 2, &c);
    assert_int_equal(c.error, 1);
    assert_int_equal(verdicts_exit_status(&c), 3);
    count(verify_error, 1, &c);
    assert_int_equal(verdicts_exit_status(&c), 3);
    j = verdicts_json(&c);
    assert_int_equal(json_integer_value(json_object_get(j, "error")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "pass")), 0);
    json_decref(j);
}

/* A CPU that never came up (the platform record's `missing`) makes the
 * exit status 3 even when every configuration passed, and the terminal
 * says which; `missing=-` (none) changes nothing. */
static void test_missing_cpu_exits_three(void **state)
{
    struct config_result cfg[1];
    struct run_data d;
    struct verdict_counts c;
    char out[512];
    FILE *f;

    (void)state;
    memset(&d, 0, sizeof(d));
    set_verdict(&cfg[0], "pass");
    d.configs = cfg;
    d.nconfigs = 1;
    d.guest = json_pack("{s:{s:s}}", "platform", "missing", "-");
    verdicts_count(&d, &c);
    assert_int_equal(verdicts_exit_status(&c), 0);
    json_decref(d.guest);
    d.guest = json_pack("{s:{s:s}}", "platform", "missing", "3,5");
    verdicts_count(&d, &c);
    json_decref(d.guest);
    assert_int_equal(c.pass, 1);
    assert_int_equal(verdicts_exit_status(&c), 3);
    f = fmemopen(out, sizeof(out), "w");
    verdicts_print(f, &c);
    fclose(f);
    assert_non_null(strstr(out, "cpus that never came up: 3,5"));
    /* One CPU: meta.json holds the value as a number. */
    d.guest = json_pack("{s:{s:i}}", "platform", "missing", 3);
    verdicts_count(&d, &c);
    json_decref(d.guest);
    assert_string_equal(c.missing_cpus, "3");
    assert_int_equal(verdicts_exit_status(&c), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_pass_exits_zero),
        cmocka_unit_test(test_fail_or_error_exits_three),
        cmocka_unit_test(test_missing_cpu_exits_three),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
