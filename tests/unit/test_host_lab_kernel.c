/*
 * Unit tests of the nested lab's kernel choice (host/lab/kernel.c): the
 * version order, which package names count as kernels, and what each
 * --lab-kernel spelling selects from a listing like apt's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lab/lab.h"

/* Shaped like `apt-cache pkgnames linux-image-` on Debian 12, plus a few
 * names that must never be chosen. */
static const char *const names[] = {
    "linux-image-amd64",
    "linux-image-cloud-amd64",
    "linux-image-6.1.0-9-amd64",
    "linux-image-6.1.0-55-amd64",
    "linux-image-6.1.0-56-amd64",
    "linux-image-6.1.0-56-amd64-dbg",
    "linux-image-6.1.0-56-cloud-amd64",
    "linux-image-6.1.0-56-rt-amd64",
    "linux-image-6.12.99+deb12-amd64-unsigned",
    "linux-image-6.12.100+deb12-amd64",
    "linux-image-6.12.117+deb12-amd64-unsigned",
    "linux-image-6.12.117+deb12-amd64",
    "linux-image-6.12.117+deb12-cloud-amd64",
    "linux-image-6.12.117+deb12-amd64-dbg",
    "linux-image-6.120.1-amd64",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))
#define DEFAULT "linux-image-6.1.0-56-amd64"

static const char *select_kernel(const char *spec, const char *const *list, size_t n,
                                 char *err)
{
    static char out[128];

    err[0] = '\0';
    if (!lab_kernel_select(spec, DEFAULT, list, n, out, sizeof(out), err, 256))
        return NULL;
    return out;
}

static void test_version_order(void **state)
{
    (void)state;
    assert_true(lab_version_compare("6.1.0-9", "6.1.0-56") < 0);
    assert_true(lab_version_compare("6.12.99+deb12", "6.12.100+deb12") < 0);
    assert_true(lab_version_compare("6.12.117+deb12", "6.12.117+deb12") == 0);
    assert_true(lab_version_compare("6.1", "6.1.1") < 0);
    assert_true(lab_version_compare("6.10", "6.9") > 0);
    assert_true(lab_version_compare("6.01", "6.1") == 0);
}

static void test_release_of_package_names(void **state)
{
    char release[64];
    bool is_unsigned = true;

    (void)state;
    assert_true(lab_kernel_release("linux-image-6.1.0-56-amd64", release, sizeof(release),
                                   &is_unsigned));
    assert_string_equal(release, "6.1.0-56");
    assert_false(is_unsigned);
    assert_true(lab_kernel_release("linux-image-6.12.117+deb12-amd64-unsigned", release,
                                   sizeof(release), &is_unsigned));
    assert_string_equal(release, "6.12.117+deb12");
    assert_true(is_unsigned);
    /* Meta packages, other flavours and debug symbols are no kernels. */
    assert_false(lab_kernel_release("linux-image-amd64", release, sizeof(release), NULL));
    assert_false(lab_kernel_release("linux-image-6.1.0-56-cloud-amd64", release,
                                    sizeof(release), NULL));
    assert_false(lab_kernel_release("linux-image-6.1.0-56-rt-amd64", release,
                                    sizeof(release), NULL));
    assert_false(lab_kernel_release("linux-image-6.1.0-56-amd64-dbg", release,
                                    sizeof(release), NULL));
    assert_false(lab_kernel_release("linux-headers-6.1.0-56-amd64", release,
                                    sizeof(release), NULL));
}

static void test_default_is_what_the_meta_package_names(void **state)
{
    char err[256];

    (void)state;
    assert_string_equal(select_kernel("", names, NNAMES, err), DEFAULT);
    assert_string_equal(select_kernel(NULL, names, NNAMES, err), DEFAULT);
}

static void test_series_takes_the_newest(void **state)
{
    char err[256];

    (void)state;
    /* 6.1 is neither 6.12 nor 6.120; 56 is newer than 9. */
    assert_string_equal(select_kernel("6.1", names, NNAMES, err), "linux-image-6.1.0-56-amd64");
    /* The signed package wins at the same release. */
    assert_string_equal(select_kernel("6.12", names, NNAMES, err),
                        "linux-image-6.12.117+deb12-amd64");
    assert_string_equal(select_kernel("6.12.100", names, NNAMES, err),
                        "linux-image-6.12.100+deb12-amd64");
    assert_string_equal(select_kernel("6.1.0-55", names, NNAMES, err),
                        "linux-image-6.1.0-55-amd64");
    assert_string_equal(select_kernel("6.120", names, NNAMES, err), "linux-image-6.120.1-amd64");
}

static void test_unsigned_only_release(void **state)
{
    static const char *const list[] = {
        "linux-image-6.12.117+deb12-amd64",
        "linux-image-6.12.118+deb12-amd64-unsigned",
    };
    char err[256];

    (void)state;
    assert_string_equal(select_kernel("6.12", list, 2, err),
                        "linux-image-6.12.118+deb12-amd64-unsigned");
}

static void test_full_package_name(void **state)
{
    char err[256];

    (void)state;
    assert_string_equal(select_kernel("linux-image-6.12.100+deb12-amd64", names, NNAMES, err),
                        "linux-image-6.12.100+deb12-amd64");
    assert_null(select_kernel("linux-image-6.12.1+deb12-amd64", names, NNAMES, err));
    assert_non_null(strstr(err, "no Debian kernel package matches "
                                "'linux-image-6.12.1+deb12-amd64'"));
}

static void test_no_match_says_so(void **state)
{
    char err[256], out[64];

    (void)state;
    assert_null(select_kernel("6.99", names, NNAMES, err));
    assert_non_null(strstr(err, "no Debian kernel package matches '6.99'"));
    assert_null(select_kernel("6.12", NULL, 0, err));
    /* Without a default, an empty spec cannot be resolved. */
    assert_false(lab_kernel_select("", "", names, NNAMES, out, sizeof(out), err, sizeof(err)));
    assert_non_null(strstr(err, "--lab-kernel"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_order),
        cmocka_unit_test(test_release_of_package_names),
        cmocka_unit_test(test_default_is_what_the_meta_package_names),
        cmocka_unit_test(test_series_takes_the_newest),
        cmocka_unit_test(test_unsigned_only_release),
        cmocka_unit_test(test_full_package_name),
        cmocka_unit_test(test_no_match_says_so),
    };

    return cmocka_run_group_tests_name("lab kernel choice", tests, NULL, NULL);
}
