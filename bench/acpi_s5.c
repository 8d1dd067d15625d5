/*
 * acpi_s5.c: the SLP_TYPa/SLP_TYPb values of the ACPI S5 (soft-off) sleep
 * state from a DSDT's AML, the way small kernels do it without an AML
 * interpreter: look for the name `_S5_` defined by NameOp (0x08, with an
 * optional root prefix `\` 0x5c) and followed by PackageOp (0x12); skip the
 * package length (1-4 bytes, the lead byte's bits 7:6 count the extra
 * bytes) and the element count; read the first two elements, each ZeroOp
 * 0x00, OneOp 0x01, BytePrefix 0x0a + byte, WordPrefix 0x0b or DWordPrefix
 * 0x0c + little-endian value (SLP_TYP is 3 bits: the low byte is kept).
 * A `_S5_` computed by a method is not found (false).  Compiled for the
 * guest (guest/lib/poweroff.c) and the host (tests/unit/test_acpi_s5.c).
 */
#include <bench/acpi_s5.h>

#define AML_NAME_OP     0x08
#define AML_ROOT_PREFIX 0x5c
#define AML_PACKAGE_OP  0x12
#define AML_ZERO_OP     0x00
#define AML_ONE_OP      0x01
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c

/* One integer element at aml[*at]; advances *at past it. */
static bool aml_small_integer(const uint8_t *aml, size_t len, size_t *at, uint8_t *out)
{
    static const struct { uint8_t op; uint8_t bytes; } encodings[] = {
        { AML_BYTE_PREFIX, 1 }, { AML_WORD_PREFIX, 2 }, { AML_DWORD_PREFIX, 4 },
    };
    if (*at >= len)
        return false;
    uint8_t op = aml[*at];
    if (op == AML_ZERO_OP || op == AML_ONE_OP) {
        *out = op;
        *at += 1;
        return true;
    }
    for (size_t i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++) {
        if (op != encodings[i].op)
            continue;
        if (*at + 1 + encodings[i].bytes > len)
            return false;
        *out = aml[*at + 1];
        *at += 1 + encodings[i].bytes;
        return true;
    }
    return false;
}

static bool s5_package_at(const uint8_t *aml, size_t len, size_t at, uint8_t *a, uint8_t *b)
{
    if (at >= len || aml[at] != AML_PACKAGE_OP)
        return false;
    at++;
    if (at >= len)
        return false;
    at += 1 + (aml[at] >> 6);            /* PkgLength */
    if (at >= len || aml[at] < 2)        /* NumElements */
        return false;
    at++;
    return aml_small_integer(aml, len, &at, a) && aml_small_integer(aml, len, &at, b);
}

bool acpi_s5_from_aml(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
    for (size_t i = 1; i + 4 <= len; i++) {
        if (aml[i] != '_' || aml[i + 1] != 'S' || aml[i + 2] != '5' || aml[i + 3] != '_')
            continue;
        bool named = aml[i - 1] == AML_NAME_OP ||
                     (i >= 2 && aml[i - 1] == AML_ROOT_PREFIX && aml[i - 2] == AML_NAME_OP);
        uint8_t a, b;
        if (named && s5_package_at(aml, len, i + 4, &a, &b)) {
            *slp_typa = a;
            *slp_typb = b;
            return true;
        }
    }
    return false;
}
