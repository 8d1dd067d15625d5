/* Percent-encoding of sweep text lines (bench/include/bench/pct.h). */
#include <bench/pct.h>

static const char hex_upper[] = "0123456789ABCDEF";

bool pct_escaped(unsigned char c)
{
    return c == '%' || c == ' ' || c == '#' || c == '=' || c < 0x21 || c > 0x7e;
}

size_t pct_encode(const char *in, size_t n, char *out, size_t cap)
{
    size_t len = 0, i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];

        if (pct_escaped(c)) {
            if (len + 3 < cap) {
                out[len] = '%';
                out[len + 1] = hex_upper[c >> 4];
                out[len + 2] = hex_upper[c & 15];
            }
            len += 3;
        } else {
            if (len + 1 < cap)
                out[len] = (char)c;
            len++;
        }
    }
    if (len < cap)
        out[len] = '\0';
    else if (cap)
        out[0] = '\0';
    return len;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool pct_decode(const char *in, size_t n, char *out, size_t cap, size_t *outlen)
{
    size_t len = 0, i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)in[i];

        if (len == cap)
            return false;
        if (c == '%') {
            int hi, lo;

            if (n - i < 3 || (hi = hex_digit(in[i + 1])) < 0 || (lo = hex_digit(in[i + 2])) < 0)
                return false;
            out[len++] = (char)(hi << 4 | lo);
            i += 3;
        } else {
            if (pct_escaped(c))
                return false;
            out[len++] = (char)c;
            i++;
        }
    }
    *outlen = len;
    return true;
}
