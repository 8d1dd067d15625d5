/* String and number helpers shared by the guest and host builds of bench/. */
#include <bench/text.h>

size_t text_len(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

bool text_eq_n(const char *s, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (word[i] != s[i])       /* also stops at word's NUL */
            return false;
    return word[n] == '\0';
}

bool text_eq(const char *a, const char *b)
{
    return text_eq_n(a, text_len(a), b);
}

void text_copy(char *dst, size_t cap, const char *src, size_t n)
{
    size_t i;

    if (cap == 0)
        return;
    if (n > cap - 1)
        n = cap - 1;
    for (i = 0; i < n; i++)
        dst[i] = src[i];
    dst[n] = '\0';
}

void text_append(char *dst, size_t cap, const char *src)
{
    size_t used = text_len(dst);

    if (used < cap)
        text_copy(dst + used, cap - used, src, text_len(src));
}

size_t text_u64_dec(char *buf, uint64_t v)
{
    char tmp[20];
    size_t n = 0, i;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

size_t text_u64_hex(char *buf, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    size_t n = 0, i;

    do {
        tmp[n++] = digits[v & 0xf];
        v >>= 4;
    } while (v);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

bool text_parse_u64(const char *s, size_t n, unsigned base, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (n == 0 || (base != 10 && base != 16))
        return false;
    for (i = 0; i < n; i++) {
        int d = digit_value(s[i]);

        if (d >= (int)base)
            return false;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return false;              /* overflow */
        v = v * base + (uint64_t)d;
    }
    *out = v;
    return true;
}
