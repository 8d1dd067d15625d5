/*
 * printf.c: vsnprintk/snprintk, the guest's printf subset: conversions
 * %c %s %d %i %u %x %X %p %%, flags '0' and '-', a field width (digits or
 * '*'), a precision (for %s the maximum length, for integers the minimum
 * number of digits) and the length modifiers h, hh, l, ll, z.  The return
 * value is the length the full output would have had, as with snprintf.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <guest/console.h>
#include <guest/string.h>

struct out {
    char *buf;
    size_t size;      /* capacity including the terminating NUL */
    size_t len;       /* characters produced so far (may exceed size) */
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
    for (; n > 0; n--)
        out_char(o, c);
}

struct spec {
    bool left;        /* '-' */
    bool zero;        /* '0' */
    int width;
    int precision;    /* -1 when absent */
};

/* Emits s[0..n) padded to the field width. */
static void out_field(struct out *o, const struct spec *sp, const char *s, int n)
{
    int pad = sp->width > n ? sp->width - n : 0;
    if (!sp->left)
        out_repeat(o, ' ', pad);
    for (int i = 0; i < n; i++)
        out_char(o, s[i]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

static void out_number(struct out *o, const struct spec *sp, uint64_t v,
                       bool negative, unsigned base, bool upper, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (sp->precision == 0 && n == 1 && tmp[0] == '0')
        n = 0;                                  /* "%.0d" of 0 prints nothing */

    int prefix_len = (int)strlen(prefix) + (negative ? 1 : 0);
    int digit_count = sp->precision > n ? sp->precision : n;
    int pad = sp->width > digit_count + prefix_len ? sp->width - digit_count - prefix_len : 0;
    bool zero_pad = sp->zero && !sp->left && sp->precision < 0;

    if (!sp->left && !zero_pad)
        out_repeat(o, ' ', pad);
    if (negative)
        out_char(o, '-');
    for (const char *p = prefix; *p; p++)
        out_char(o, *p);
    if (zero_pad)
        out_repeat(o, '0', pad);
    out_repeat(o, '0', digit_count - n);
    while (n > 0)
        out_char(o, tmp[--n]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

enum length { LEN_HH, LEN_H, LEN_INT, LEN_L, LEN_LL, LEN_Z };

static uint64_t arg_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H:  return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_INT: return va_arg(*ap, unsigned int);
    case LEN_L:  return va_arg(*ap, unsigned long);
    case LEN_LL: return va_arg(*ap, unsigned long long);
    case LEN_Z:  return va_arg(*ap, size_t);
    }
    return 0;
}

static int64_t arg_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_HH: return (signed char)va_arg(*ap, int);
    case LEN_H:  return (short)va_arg(*ap, int);
    case LEN_INT: return va_arg(*ap, int);
    case LEN_L:  return va_arg(*ap, long);
    case LEN_LL: return va_arg(*ap, long long);
    case LEN_Z:  return (int64_t)va_arg(*ap, size_t);
    }
    return 0;
}

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct out o = { buf, size, 0 };
    va_list ap;
    va_copy(ap, ap_in);

    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            out_char(&o, *f);
            continue;
        }
        const char *start = f++;
        struct spec sp = { false, false, 0, -1 };

        for (;; f++) {
            if (*f == '-')
                sp.left = true;
            else if (*f == '0')
                sp.zero = true;
            else
                break;
        }
        if (*f == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            f++;
        } else {
            while (*f >= '0' && *f <= '9')
                sp.width = sp.width * 10 + (*f++ - '0');
        }
        if (*f == '.') {
            f++;
            sp.precision = 0;
            if (*f == '*') {
                sp.precision = va_arg(ap, int);
                if (sp.precision < 0)
                    sp.precision = -1;      /* a negative precision is absent */
                f++;
            } else {
                while (*f >= '0' && *f <= '9')
                    sp.precision = sp.precision * 10 + (*f++ - '0');
            }
        }

        enum length len = LEN_INT;
        if (*f == 'h') {
            len = LEN_H;
            if (*++f == 'h') {
                len = LEN_HH;
                f++;
            }
        } else if (*f == 'l') {
            len = LEN_L;
            if (*++f == 'l') {
                len = LEN_LL;
                f++;
            }
        } else if (*f == 'z') {
            len = LEN_Z;
            f++;
        }

        switch (*f) {
        case 'c': {
            char c = (char)va_arg(ap, int);
            out_field(&o, &sp, &c, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = 0;
            while (s[n] && (sp.precision < 0 || n < sp.precision))
                n++;
            out_field(&o, &sp, s, n);
            break;
        }
        case 'd':
        case 'i': {
            int64_t v = arg_signed(&ap, len);
            uint64_t magnitude = v < 0 ? -(uint64_t)v : (uint64_t)v;
            out_number(&o, &sp, magnitude, v < 0, 10, false, "");
            break;
        }
        case 'u':
            out_number(&o, &sp, arg_unsigned(&ap, len), false, 10, false, "");
            break;
        case 'x':
        case 'X':
            out_number(&o, &sp, arg_unsigned(&ap, len), false, 16, *f == 'X', "");
            break;
        case 'p':
            out_number(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false, "0x");
            break;
        case '%':
            out_char(&o, '%');
            break;
        default:
            /* Unknown conversion (or the format ended): print it verbatim. */
            for (const char *p = start; p <= f && *p; p++)
                out_char(&o, *p);
            if (!*f)
                f--;
            break;
        }
    }
    va_end(ap);

    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintk(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintk(buf, n, fmt, ap);
    va_end(ap);
    return r;
}
