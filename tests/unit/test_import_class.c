/*
 * Unit tests of what an imported run is labelled with and how its sweep
 * travels: the timing class from the hypervisor record's signatures
 * (host/import_class.c, one row per rule and the sanitised-signature edge),
 * and the percent-encoding of sweep lines (bench/pct.c): every byte class
 * that must be encoded, a round trip, and each malformed input refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bench/pct.h>

#include "import.h"

/* portable mode's "Identity": sig0/sig1 to the foreign timing class. */
static void test_timing_class_table(void **state)
{
    static const struct { const char *sig0, *sig1, *cls; } rows[] = {
        { "XenVMMXenVMM", "none", "foreign-xen" },
        { "Microsoft_Hv", "XenVMMXenVMM", "foreign-xen" },
        { "Microsoft_Hv", "KVMKVMKVM___", "foreign-kvm" },
        { "KVMKVMKVM___", "none", "foreign-kvm" },
        { "Microsoft_Hv", "none", "foreign-hyperv" },
        { "TCGTCGTCGTCG", "none", "foreign-tcg" },
        { "VMwareVMware", "none", "foreign-unknown" },
        { "none", "none", "foreign-unknown" },
        { "KVMKVMKVMx__", "none", "foreign-unknown" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct timing_class *tc = import_timing_class(rows[i].sig0, rows[i].sig1);

        if (strcmp(tc->name, rows[i].cls))
            fail_msg("%s/%s: %s, wanted %s", rows[i].sig0, rows[i].sig1, tc->name,
                     rows[i].cls);
        assert_non_null(strstr(tc->label, "timed by the guest's TSC"));
    }
}

static void test_pct(void **state)
{
    static const char in[] = "a b%c#d=e\tf\x7f\xff~!";
    char enc[128], dec[128];
    size_t n;

    (void)state;
    n = pct_encode(in, sizeof(in) - 1, enc, sizeof(enc));
    assert_int_equal(n, strlen(enc));
    assert_string_equal(enc, "a%20b%25c%23d%3De%09f%7F%FF~!");
    assert_true(pct_decode(enc, strlen(enc), dec, sizeof(dec), &n));
    assert_int_equal(n, sizeof(in) - 1);
    assert_memory_equal(dec, in, n);
    assert_true(pct_decode("", 0, dec, sizeof(dec), &n) && n == 0);
    assert_false(pct_decode("a%2", 3, dec, sizeof(dec), &n));
    assert_false(pct_decode("a%zz", 4, dec, sizeof(dec), &n));
    assert_false(pct_decode("a b", 3, dec, sizeof(dec), &n));
    assert_true(pct_encode(in, sizeof(in) - 1, enc, 8) >= 8);   /* did not fit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timing_class_table),
        cmocka_unit_test(test_pct),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
