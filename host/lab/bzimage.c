/*
 * The release of an x86 kernel image, read from the image itself (see
 * lab.h): the real-mode setup header of a bzImage (Documentation/arch/x86/
 * boot.rst) holds at offset 0x20e a pointer to the kernel_version string,
 * relative to 0x200, whose first word is what uname -r prints.  Nothing is
 * executed or decompressed; a file that does not carry the header's
 * signatures is not taken for a kernel.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "util.h"

#define SETUP_SECTS     0x1f1   /* u8: setup sectors after the boot sector; 0 means 4 */
#define BOOT_FLAG       0x1fe   /* u16: 0xaa55 */
#define HEADER_MAGIC    0x202   /* "HdrS" */
#define PROTOCOL        0x206   /* u16: boot protocol version */
#define KERNEL_VERSION  0x20e   /* u16: version string at 0x200 + this */
#define XLOADFLAGS      0x236   /* u16 (protocol 2.12+): bit 0, a 64-bit entry point */
#define XLF_KERNEL_64   0x1
#define HEADER_END      0x238
/* The setup code is at most 64 KiB (setup_sects is one byte): the string
 * lies in the first (1 + setup_sects) * 512 bytes. */
#define SETUP_MAX       (1 + 255) * 512

static unsigned u16_at(const unsigned char *b, size_t off)
{
    return b[off] | (unsigned)b[off + 1] << 8;
}

bool lab_bzimage_release_buf(const unsigned char *buf, size_t len, char *release,
                             size_t cap, char *err, size_t errcap)
{
    size_t setup_end, start, end, word;
    unsigned protocol, sects;

    if (len < HEADER_END || u16_at(buf, BOOT_FLAG) != 0xaa55 ||
        memcmp(buf + HEADER_MAGIC, "HdrS", 4) != 0)
        return fmt(err, errcap, "not an x86 bzImage (no \"HdrS\" setup header)"), false;
    protocol = u16_at(buf, PROTOCOL);
    if (protocol < 0x200 || !u16_at(buf, KERNEL_VERSION))
        return fmt(err, errcap, "an x86 kernel image without a version string "
                   "(boot protocol %u.%02u)", protocol >> 8, protocol & 0xff), false;
    if (protocol >= 0x20c && !(u16_at(buf, XLOADFLAGS) & XLF_KERNEL_64))
        return fmt(err, errcap, "a 32-bit x86 kernel (L1 needs an x86-64 kernel)"), false;

    sects = buf[SETUP_SECTS] ? buf[SETUP_SECTS] : 4;
    setup_end = (1 + (size_t)sects) * 512;
    if (setup_end > len)
        setup_end = len;
    start = 0x200 + u16_at(buf, KERNEL_VERSION);
    if (start >= setup_end)
        return fmt(err, errcap, "an x86 kernel image whose version string pointer "
                   "(0x%zx) lies outside its setup code (0x%zx bytes)", start, setup_end), false;
    end = start;
    while (end < setup_end && buf[end] && buf[end] >= 0x20 && buf[end] < 0x7f)
        end++;
    if (end == setup_end || buf[end] != '\0')
        return fmt(err, errcap, "an x86 kernel image whose version string at 0x%zx is "
                   "not terminated text", start), false;
    word = strcspn((const char *)buf + start, " ");
    if (word == 0)
        return fmt(err, errcap, "an x86 kernel image whose version string at 0x%zx is "
                   "empty", start), false;
    if (!fmt(release, cap, "%.*s", (int)word, (const char *)buf + start))
        return fmt(err, errcap, "an x86 kernel image whose release is longer than %zu "
                   "characters", cap - 1), false;
    return true;
}

bool lab_bzimage_release(const char *path, char *release, size_t cap, char *err,
                         size_t errcap)
{
    static unsigned char buf[SETUP_MAX];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f)
        return fmt(err, errcap, "%s: %s", path, strerror(errno)), false;
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    if (!lab_bzimage_release_buf(buf, n, release, cap, err, errcap)) {
        char why[256];

        fmt(why, sizeof(why), "%s", err);
        fmt(err, errcap, "%s is %s", path, why);
        return false;
    }
    return true;
}
