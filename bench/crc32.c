/*
 * CRC-32 (IEEE 802.3 polynomial, reflected, as zlib's crc32()) for record
 * checksums.  Bitwise: records are short and the guest has no table space
 * to spare for a concern this small.
 */
#include <bench/record.h>

uint32_t bench_crc32(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t crc = 0xffffffffu;
    size_t i;
    int bit;

    for (i = 0; i < len; i++) {
        crc ^= p[i];
        for (bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}
