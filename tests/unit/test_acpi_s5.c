/*
 * The \_S5_ extraction of bench/acpi_s5.c on AML byte strings: the
 * encodings firmware uses (QEMU's Zero package, BytePrefix values, OneOp,
 * Word/DWord prefixes, a root-prefixed name, a 2-byte PkgLength), and the
 * inputs it must refuse rather than misread (no name, a reference that is
 * not a NameOp definition, a cut-short package, a non-constant element, a
 * package of one element).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <bench/acpi_s5.h>

#define S5 '_', 'S', '5', '_'
/* The bytes and their count, counted by the compiler. */
#define AML(...) { __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

struct s5_case {
    const char *what;
    uint8_t aml[32];
    size_t len;
    bool found;
    uint8_t typa, typb;
};

static const struct s5_case cases[] = {
    { "qemu piix: Name (_S5, Package (4) { Zero, Zero, Zero, Zero })",
      AML(0x10, 0x08, S5, 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00), true, 0, 0 },
    { "byte prefixes, root prefix",
      AML(0x08, 0x5c, S5, 0x12, 0x0a, 0x04, 0x0a, 0x07, 0x0a, 0x05, 0x00, 0x00), true, 7, 5 },
    { "OneOp elements",
      AML(0x08, S5, 0x12, 0x05, 0x02, 0x01, 0x01), true, 1, 1 },
    { "word and dword prefixes",
      AML(0x08, S5, 0x12, 0x0b, 0x02, 0x0b, 0x05, 0x00, 0x0c, 0x06, 0, 0, 0), true, 5, 6 },
    { "two-byte PkgLength",
      AML(0x08, S5, 0x12, 0x46, 0x00, 0x02, 0x0a, 0x03, 0x0a, 0x04), true, 3, 4 },
    { "a reference first (not a NameOp), then the definition",
      AML(0x70, S5, 0x60, 0x08, S5, 0x12, 0x06, 0x02, 0x0a, 0x02, 0x00), true, 2, 0 },
    { "no _S5_ at all",
      AML(0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x02, 0x00, 0x00), false, 0, 0 },
    { "only a reference, no definition",
      AML(0x70, S5, 0x12, 0x06, 0x02, 0x00, 0x00), false, 0, 0 },
    { "not followed by a package",
      AML(0x08, S5, 0x0a, 0x05), false, 0, 0 },
    { "package cut short after its first element",
      AML(0x08, S5, 0x12, 0x06, 0x02, 0x0a, 0x05), false, 0, 0 },
    { "element is not a constant (LocalOp)",
      AML(0x08, S5, 0x12, 0x06, 0x02, 0x60, 0x00), false, 0, 0 },
    { "package of one element",
      AML(0x08, S5, 0x12, 0x03, 0x01, 0x00), false, 0, 0 },
};

static void test_s5_cases(void **state)
{
    (void)state;
    unsigned wrong = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct s5_case *c = &cases[i];
        uint8_t a = 0xee, b = 0xee;
        bool found = acpi_s5_from_aml(c->aml, c->len, &a, &b);
        if (found != c->found || (found && (a != c->typa || b != c->typb))) {
            print_error("%s: found=%d a=%u b=%u, expected found=%d a=%u b=%u\n", c->what,
                        found, a, b, c->found, c->typa, c->typb);
            wrong++;
        }
        if (!found)
            assert_true(a == 0xee && b == 0xee);    /* outputs untouched on failure */
    }
    assert_int_equal(wrong, 0);
}

/* A definition whose bytes end anywhere before its second element is never
 * read past its end and never found. */
static void test_s5_every_truncation(void **state)
{
    (void)state;
    static const uint8_t aml[] = { 0x08, S5, 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x06 };
    uint8_t a, b;
    for (size_t len = 0; len < sizeof(aml); len++)
        assert_false(acpi_s5_from_aml(aml, len, &a, &b));
    assert_true(acpi_s5_from_aml(aml, sizeof(aml), &a, &b));
    assert_int_equal(a, 5);
    assert_int_equal(b, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s5_cases),
        cmocka_unit_test(test_s5_every_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
