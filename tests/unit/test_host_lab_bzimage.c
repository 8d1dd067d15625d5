/*
 * Unit tests of the bzImage release reader (host/lab/bzimage.c): a setup
 * header built here byte by byte, the real Debian kernel in the lab cache
 * (where it has been fetched), and corrupted copies of both, each of which
 * must be refused with its own reason rather than read as a release.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab/lab.h"

#define IMAGE_SIZE 0x1000
#define VERSION_AT 0x400

static unsigned char image[IMAGE_SIZE];

static void put16(unsigned char *b, size_t off, unsigned v)
{
    b[off] = v & 0xff;
    b[off + 1] = v >> 8;
}

/* A minimal bzImage setup header: 3 setup sectors, boot protocol 2.15,
 * a 64-bit kernel, the version string at 0x400. */
static void build_image(const char *version)
{
    memset(image, 0, sizeof(image));
    image[0x1f1] = 3;
    put16(image, 0x1fe, 0xaa55);
    memcpy(image + 0x202, "HdrS", 4);
    put16(image, 0x206, 0x020f);
    put16(image, 0x20e, VERSION_AT - 0x200);
    put16(image, 0x236, 0x7f);
    strcpy((char *)image + VERSION_AT, version);
}

static bool read_release(size_t len, char *release, size_t cap, char *err)
{
    return lab_bzimage_release_buf(image, len, release, cap, err, 256);
}

static void test_synthetic_header(void **state)
{
    char release[64], err[256];

    (void)state;
    build_image("6.9.0-rc1-kvm+ (dev@box) #3 SMP PREEMPT_DYNAMIC Fri Nov 27");
    assert_true(read_release(IMAGE_SIZE, release, sizeof(release), err));
    assert_string_equal(release, "6.9.0-rc1-kvm+");
    /* A version string of one word is the release. */
    build_image("6.12.0");
    assert_true(read_release(IMAGE_SIZE, release, sizeof(release), err));
    assert_string_equal(release, "6.12.0");
}

/* Each corruption, and the words its refusal must contain. */
struct corruption {
    const char *name;
    void (*apply)(void);
    size_t len;
    const char *says;
};

static void no_magic(void) { image[0x203] = 'X'; }
static void no_boot_flag(void) { put16(image, 0x1fe, 0); }
static void old_protocol(void) { put16(image, 0x206, 0x0100); }
static void no_pointer(void) { put16(image, 0x20e, 0); }
static void pointer_past_setup(void) { put16(image, 0x20e, 0x0800); }
static void unterminated(void) { memset(image + VERSION_AT, 'x', 0x800 - VERSION_AT); }
static void empty_string(void) { image[VERSION_AT] = '\0'; }
static void leading_space(void) { image[VERSION_AT] = ' '; }
static void control_byte(void) { image[VERSION_AT + 3] = 0x01; }
static void kernel_32bit(void) { put16(image, 0x236, 0x7e); }
static void nothing(void) { }

static const struct corruption corruptions[] = {
    { "no HdrS", no_magic, IMAGE_SIZE, "not an x86 bzImage" },
    { "no 0xaa55", no_boot_flag, IMAGE_SIZE, "not an x86 bzImage" },
    { "truncated header", nothing, 0x230, "not an x86 bzImage" },
    { "empty file", nothing, 0, "not an x86 bzImage" },
    { "protocol 1.0", old_protocol, IMAGE_SIZE, "without a version string" },
    { "no version pointer", no_pointer, IMAGE_SIZE, "without a version string" },
    { "pointer past the setup code", pointer_past_setup, IMAGE_SIZE, "outside its setup" },
    { "unterminated string", unterminated, IMAGE_SIZE, "not terminated" },
    { "string cut by the file's end", nothing, VERSION_AT + 4, "not terminated" },
    { "empty string", empty_string, IMAGE_SIZE, "is empty" },
    { "string starting with a space", leading_space, IMAGE_SIZE, "is empty" },
    { "control byte in the string", control_byte, IMAGE_SIZE, "not terminated" },
    { "32-bit kernel", kernel_32bit, IMAGE_SIZE, "32-bit" },
};

static void test_corrupted_headers(void **state)
{
    char release[64], err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
        const struct corruption *c = &corruptions[i];

        build_image("6.9.0 (dev@box) #1");
        c->apply();
        release[0] = '\0';
        err[0] = '\0';
        if (read_release(c->len, release, sizeof(release), err))
            fail_msg("%s: read as release '%s'", c->name, release);
        if (!strstr(err, c->says))
            fail_msg("%s: error '%s' does not say '%s'", c->name, err, c->says);
    }
}

static void test_release_too_long_for_buffer(void **state)
{
    char release[8], err[256];

    (void)state;
    build_image("6.12.117+deb12-amd64 (debian-kernel@lists.debian.org)");
    assert_false(read_release(IMAGE_SIZE, release, sizeof(release), err));
    assert_non_null(strstr(err, "longer than 7"));
}

/* The 6.1 kernel in the lab cache, or NULL (not fetched here). */
static const char *cached_vmlinuz(char *out, size_t cap)
{
    char cache[4096], pattern[4200];
    glob_t g;
    bool found;

    if (!lab_cache_dir(cache, sizeof(cache)))
        return NULL;
    snprintf(pattern, sizeof(pattern), "%s/linux-image-6.1.*-amd64_*/root/boot/vmlinuz-*",
             cache);
    if (glob(pattern, 0, NULL, &g) != 0)
        return NULL;
    found = g.gl_pathc > 0;
    if (found)
        snprintf(out, cap, "%s", g.gl_pathv[0]);
    globfree(&g);
    return found ? out : NULL;
}

/* Writes a copy of the file's first 64 KiB with one change to a temporary
 * file, and reads it back through lab_bzimage_release. */
static bool read_copy(const char *path, size_t off, const void *bytes, size_t n,
                      char *release, char *err)
{
    static unsigned char buf[1 << 16];
    char tmp[] = "/tmp/hvflush-bzimage-XXXXXX";
    FILE *f = fopen(path, "rb");
    size_t len;
    int fd;
    bool ok;

    assert_non_null(f);
    len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    memcpy(buf + off, bytes, n);
    fd = mkstemp(tmp);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
    ok = lab_bzimage_release(tmp, release, 64, err, 512);
    if (!ok)
        assert_non_null(strstr(err, tmp));
    unlink(tmp);
    return ok;
}

static void test_real_debian_kernel(void **state)
{
    char path[4096], release[64], err[512];
    const char *name;

    (void)state;
    if (!cached_vmlinuz(path, sizeof(path)))
        skip();
    /* The package names the file after the release the image carries. */
    name = strrchr(path, '/') + strlen("/vmlinuz-");
    assert_true(lab_bzimage_release(path, release, sizeof(release), err, sizeof(err)));
    assert_string_equal(release, name);

    /* The same file, corrupted in its magic, its pointer and its string. */
    assert_true(read_copy(path, 0, "", 0, release, err));
    assert_string_equal(release, name);
    assert_false(read_copy(path, 0x202, "HdrX", 4, release, err));
    assert_non_null(strstr(err, "not an x86 bzImage"));
    assert_false(read_copy(path, 0x20e, "\xff\xff", 2, release, err));
    assert_non_null(strstr(err, "outside its setup"));
    assert_false(read_copy(path, 0x236, "\x00", 1, release, err));
    assert_non_null(strstr(err, "32-bit"));
    /* A different release written over the string is what is read. */
    {
        FILE *f = fopen(path, "rb");
        unsigned char hdr[0x210];
        unsigned off;

        assert_non_null(f);
        assert_int_equal(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
        fclose(f);
        off = 0x200 + (hdr[0x20e] | hdr[0x20f] << 8);
        assert_true(read_copy(path, off, "9.9.9-x", 7, release, err));
        assert_true(!strncmp(release, "9.9.9-x", 7));
        assert_string_not_equal(release, name);
    }
    /* A path that does not exist. */
    assert_false(lab_bzimage_release("/nonexistent/bzImage", release, sizeof(release), err,
                                     sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/bzImage"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthetic_header),
        cmocka_unit_test(test_corrupted_headers),
        cmocka_unit_test(test_release_too_long_for_buffer),
        cmocka_unit_test(test_real_debian_kernel),
    };

    return cmocka_run_group_tests_name("lab bzImage release", tests, NULL, NULL);
}
