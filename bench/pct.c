/* Percent-encoding of record values (see bench/include/bench/pct.h). */
#include <bench/pct.h>

static bool pct_needs(unsigned char c)
{
    return c == '%' || c == ' ' || c == '#' || c == '=' || c < 0x21 || c > 0x7e;
}

static int pct_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

size_t pct_encode(const char *in, size_t n, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        size_t need = pct_needs(c) ? 3 : 1;

        if (o + need + 1 > cap) {
            if (cap)
                out[0] = '\0';
            return (size_t)-1;
        }
        if (need == 3) {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    if (o + 1 > cap)
        return (size_t)-1;
    out[o] = '\0';
    return o;
}

bool pct_decode(const char *in, size_t n, char *out, size_t cap, size_t *outlen)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];

        if (o + 2 > cap)
            return false;
        if (c == '%') {
            int hi, lo;

            if (n - i < 3)
                return false;
            hi = pct_hexval(in[i + 1]);
            lo = pct_hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (pct_needs(c)) {
            return false;
        } else {
            out[o++] = (char)c;
        }
    }
    if (o + 1 > cap)
        return false;
    out[o] = '\0';
    *outlen = o;
    return true;
}
