/*
 * Unit tests of the sweep-line percent-encoding (bench/pct.c): the escaped
 * set byte by byte, the round trip of every byte 0..255, an empty line,
 * output that does not fit, and malformed encoded text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <bench/pct.h>

/* The specification's set, written out independently of pct_escaped(). */
static bool spec_escaped(unsigned c)
{
    return c == '%' || c == ' ' || c == '#' || c == '=' || c < 0x21 || c > 0x7e;
}

static void test_each_byte(void **state)
{
    char in[1], out[8], want[8], back[4];
    size_t len, blen;

    (void)state;
    for (unsigned c = 0; c < 256; c++) {
        in[0] = (char)c;
        if (spec_escaped(c))
            snprintf(want, sizeof(want), "%%%02X", c);
        else
            snprintf(want, sizeof(want), "%c", (char)c);
        len = pct_encode(in, 1, out, sizeof(out));
        assert_int_equal(len, strlen(want));
        assert_string_equal(out, want);
        assert_true(pct_decode(out, len, back, sizeof(back), &blen));
        assert_int_equal(blen, 1);
        assert_int_equal((unsigned char)back[0], c);
    }
}

static void test_all_bytes_round_trip(void **state)
{
    char in[256], out[256 * 3 + 1], back[256];
    size_t len, blen;

    (void)state;
    for (unsigned c = 0; c < 256; c++)
        in[c] = (char)c;
    len = pct_encode(in, sizeof(in), out, sizeof(out));
    assert_int_equal(len, 256 * 3 - 2 * 91);   /* 94 of 0x21..0x7e, less # % =, stay plain */
    assert_int_equal(strlen(out), len);
    for (size_t i = 0; i < len; i++)
        assert_false(out[i] == ' ' || out[i] == '#' || out[i] == '=' || out[i] < 0x21);
    assert_true(pct_decode(out, len, back, sizeof(back), &blen));
    assert_int_equal(blen, 256);
    assert_memory_equal(back, in, 256);
}

static void test_sweep_line(void **state)
{
    static const char line[] = "measure strategy=ipi pages=1 # a\tcomment%";
    char out[128], back[64];
    size_t len, blen;

    (void)state;
    len = pct_encode(line, strlen(line), out, sizeof(out));
    assert_string_equal(out, "measure%20strategy%3Dipi%20pages%3D1%20%23%20a%09comment%25");
    assert_true(pct_decode(out, len, back, sizeof(back), &blen));
    assert_int_equal(blen, strlen(line));
    assert_memory_equal(back, line, blen);
    /* The empty line is the empty value. */
    assert_int_equal(pct_encode("", 0, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    assert_true(pct_decode("", 0, back, sizeof(back), &blen));
    assert_int_equal(blen, 0);
}

static void test_cap_overflow(void **state)
{
    char out[8], back[2];
    size_t blen;

    (void)state;
    /* "a b" is "a%20b": 5 bytes and the NUL need 6. */
    assert_int_equal(pct_encode("a b", 3, out, 6), 5);
    assert_string_equal(out, "a%20b");
    assert_int_equal(pct_encode("a b", 3, out, 5), 5);     /* did not fit */
    assert_string_equal(out, "");
    assert_int_equal(pct_encode("a b", 3, out, 0), 5);     /* nothing written */
    assert_true(pct_decode("a%20", 4, back, 2, &blen));
    assert_false(pct_decode("a%20b", 5, back, 2, &blen));
    assert_false(pct_decode("abc", 3, back, 2, &blen));
}

static void test_malformed(void **state)
{
    char back[16];
    size_t blen;

    (void)state;
    assert_false(pct_decode("%2", 2, back, sizeof(back), &blen));      /* cut short */
    assert_false(pct_decode("%", 1, back, sizeof(back), &blen));
    assert_false(pct_decode("%2a", 3, back, sizeof(back), &blen));    /* lower case */
    assert_false(pct_decode("%G0", 3, back, sizeof(back), &blen));
    assert_false(pct_decode("a b", 3, back, sizeof(back), &blen));    /* unescaped space */
    assert_false(pct_decode("a=b", 3, back, sizeof(back), &blen));
    assert_false(pct_decode("a#b", 3, back, sizeof(back), &blen));
    assert_false(pct_decode("a\x80", 2, back, sizeof(back), &blen));
    assert_true(pct_decode("%7E%7e", 3, back, sizeof(back), &blen));  /* first 3 only */
    assert_int_equal(blen, 1);
    assert_int_equal(back[0], '~');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_byte),
        cmocka_unit_test(test_all_bytes_round_trip),
        cmocka_unit_test(test_sweep_line),
        cmocka_unit_test(test_cap_overflow),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
