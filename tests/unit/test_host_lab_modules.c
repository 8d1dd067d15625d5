/*
 * Unit tests of the nested lab's module load order (host/lab/modules.c),
 * over dependency tables copied from Debian's 6.1 and 6.12 kernels (each
 * module's depends= field): dependencies first, built-in modules skipped,
 * nothing loaded twice, and one clear message for a missing module or a
 * cycle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lab/lab.h"

struct fake_module {
    const char *name, *depends;     /* depends NULL: built in */
};

/* linux-image-6.1.0-56-amd64: everything is a module. */
static const struct fake_module debian_6_1[] = {
    { "virtio_pci", "virtio_ring,virtio_pci_modern_dev,virtio_pci_legacy_dev,virtio" },
    { "virtio_pci_modern_dev", "" },
    { "virtio_pci_legacy_dev", "" },
    { "virtio", "virtio_ring" },
    { "virtio_ring", "" },
    { "9pnet_virtio", "virtio,9pnet,virtio_ring" },
    { "9pnet", "" },
    { "9p", "9pnet,fscache,netfs" },
    { "fscache", "netfs" },
    { "netfs", "" },
    { "kvm", "irqbypass" },
    { "kvm_amd", "kvm,ccp" },
    { "ccp", "" },
    { "irqbypass", "" },
    { NULL, NULL },
};

/* linux-image-6.12.*+deb12-amd64: virtio, virtio_pci and fscache built in. */
static const struct fake_module debian_6_12[] = {
    { "virtio_pci", NULL },
    { "virtio", NULL },
    { "virtio_ring", NULL },
    { "fscache", NULL },
    { "9pnet_virtio", "9pnet" },
    { "9pnet", "" },
    { "9p", "9pnet,netfs" },
    { "netfs", "" },
    { "kvm", "irqbypass" },
    { "kvm_amd", "kvm,ccp" },
    { "ccp", "" },
    { "irqbypass", "" },
    { NULL, NULL },
};

static const struct fake_module cyclic[] = {
    { "a", "b" },
    { "b", "c" },
    { "c", "a" },
    { NULL, NULL },
};

static enum lab_lookup fake_lookup(void *ctx, const char *name, char *file, size_t filecap,
                                   char *depends, size_t depcap, char *err, size_t errcap)
{
    const struct fake_module *table = ctx;

    (void)err;
    (void)errcap;
    for (; table->name; table++) {
        if (strcmp(table->name, name) != 0)
            continue;
        if (!table->depends)
            return LAB_MODULE_BUILTIN;
        snprintf(file, filecap, "lib/modules/x/kernel/%s.ko", name);
        snprintf(depends, depcap, "%s", table->depends);
        return LAB_MODULE_FOUND;
    }
    return LAB_MODULE_MISSING;
}

static const char *const transport[] = { "virtio_pci", "9pnet_virtio", "9p", NULL };
static const char *const kvm_amd[] = { "kvm-amd", NULL };

static int position(const struct lab_module_list *l, const char *name)
{
    for (unsigned i = 0; i < l->n; i++)
        if (!strcmp(l->m[i].name, name))
            return (int)i;
    return -1;
}

/* Every module of the list comes after each module it depends on. */
static void assert_dependencies_first(const struct lab_module_list *l,
                                      const struct fake_module *table)
{
    for (unsigned i = 0; i < l->n; i++) {
        char deps[256], *save = NULL;

        for (const struct fake_module *t = table; t->name; t++)
            if (!strcmp(t->name, l->m[i].name))
                snprintf(deps, sizeof(deps), "%s", t->depends);
        for (char *d = strtok_r(deps, ",", &save); d; d = strtok_r(NULL, ",", &save))
            if (position(l, d) >= 0 && position(l, d) > (int)i)
                fail_msg("%s is loaded before its dependency %s", l->m[i].name, d);
    }
}

static void resolve(const struct fake_module *table, struct lab_module_list *l)
{
    char err[256];

    memset(l, 0, sizeof(*l));
    assert_true(lab_modules_resolve(transport, "transport", fake_lookup, (void *)table, l,
                                    err, sizeof(err)));
    assert_true(lab_modules_resolve(kvm_amd, "kvm", fake_lookup, (void *)table, l,
                                    err, sizeof(err)));
}

static void test_names(void **state)
{
    char out[64];

    (void)state;
    lab_module_name("kvm-amd", out, sizeof(out));
    assert_string_equal(out, "kvm_amd");
    lab_module_name("lib/modules/6.12/kernel/net/9p/9pnet_virtio.ko.xz", out, sizeof(out));
    assert_string_equal(out, "9pnet_virtio");
    lab_module_name("kernel/arch/x86/kvm/kvm-intel.ko", out, sizeof(out));
    assert_string_equal(out, "kvm_intel");
    lab_module_name("fs/9p/9p.ko.zst", out, sizeof(out));
    assert_string_equal(out, "9p");
}

static void test_debian_6_1_order(void **state)
{
    static const char *const expected[] = {
        "virtio_ring", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio",
        "virtio_pci", "9pnet", "9pnet_virtio", "netfs", "fscache", "9p",
        "irqbypass", "kvm", "ccp", "kvm_amd",
    };
    struct lab_module_list l;

    (void)state;
    resolve(debian_6_1, &l);
    assert_int_equal(l.n, 14);
    for (unsigned i = 0; i < l.n; i++)
        assert_string_equal(l.m[i].name, expected[i]);
    assert_dependencies_first(&l, debian_6_1);
    assert_string_equal(l.m[position(&l, "9p")].group, "transport");
    assert_string_equal(l.m[position(&l, "kvm_amd")].group, "kvm");
    assert_string_equal(l.m[position(&l, "kvm_amd")].file, "lib/modules/x/kernel/kvm_amd.ko");
}

static void test_debian_6_12_skips_builtins(void **state)
{
    static const char *const expected[] = {
        "9pnet", "9pnet_virtio", "netfs", "9p", "irqbypass", "kvm", "ccp", "kvm_amd",
    };
    struct lab_module_list l;

    (void)state;
    resolve(debian_6_12, &l);
    assert_int_equal(l.n, 8);
    for (unsigned i = 0; i < l.n; i++)
        assert_string_equal(l.m[i].name, expected[i]);
    assert_int_equal(position(&l, "virtio_pci"), -1);
    assert_int_equal(position(&l, "fscache"), -1);
}

static void test_nothing_twice(void **state)
{
    static const char *const again[] = { "9p", "kvm", "kvm_amd", NULL };
    struct lab_module_list l;
    char err[256];

    (void)state;
    resolve(debian_6_1, &l);
    assert_true(lab_modules_resolve(again, "kvm", fake_lookup, (void *)debian_6_1, &l,
                                    err, sizeof(err)));
    assert_int_equal(l.n, 14);
}

static void test_missing_module(void **state)
{
    static const char *const intel[] = { "kvm_intel", NULL };
    struct lab_module_list l = { .n = 0 };
    char err[256];

    (void)state;
    assert_false(lab_modules_resolve(intel, "kvm", fake_lookup, (void *)debian_6_1, &l,
                                     err, sizeof(err)));
    assert_non_null(strstr(err, "kvm_intel is neither built into the kernel nor shipped"));
}

static void test_cycle(void **state)
{
    static const char *const a[] = { "a", NULL };
    struct lab_module_list l = { .n = 0 };
    char err[256];

    (void)state;
    assert_false(lab_modules_resolve(a, "kvm", fake_lookup, (void *)cyclic, &l,
                                     err, sizeof(err)));
    assert_non_null(strstr(err, "cycle"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_debian_6_1_order),
        cmocka_unit_test(test_debian_6_12_skips_builtins),
        cmocka_unit_test(test_nothing_twice),
        cmocka_unit_test(test_missing_module),
        cmocka_unit_test(test_cycle),
    };

    return cmocka_run_group_tests_name("lab module order", tests, NULL, NULL);
}
