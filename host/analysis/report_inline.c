/*
 * The report's inliner (see report.h): whole files become base64 data:
 * URIs, so the page needs no file beside it and no network.
 */
#include "analysis/report.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Plot images are a few hundred KiB; anything beyond this is not a plot. */
#define INLINE_MAX (64u << 20)

char *report_base64(const unsigned char *buf, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((len + 2) / 3 * 4 + 1), *p = out;
    size_t i;

    if (!out)
        return NULL;
    for (i = 0; i + 2 < len; i += 3) {
        unsigned v = (unsigned)buf[i] << 16 | (unsigned)buf[i + 1] << 8 | buf[i + 2];

        *p++ = alphabet[v >> 18 & 63];
        *p++ = alphabet[v >> 12 & 63];
        *p++ = alphabet[v >> 6 & 63];
        *p++ = alphabet[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)buf[i] << 16 | (i + 1 < len ? (unsigned)buf[i + 1] << 8 : 0);

        *p++ = alphabet[v >> 18 & 63];
        *p++ = alphabet[v >> 12 & 63];
        *p++ = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
        *p++ = '=';
    }
    *p = '\0';
    return out;
}

const char *report_mime_of(const char *path)
{
    static const struct { const char *ext, *mime; } types[] = {
        { ".svg", "image/svg+xml" },
        { ".png", "image/png" },
        { ".jpg", "image/jpeg" },
        { ".jpeg", "image/jpeg" },
        { ".gif", "image/gif" },
    };
    const char *dot = strrchr(path, '.');

    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcasecmp(dot, types[i].ext))
            return types[i].mime;
    return "text/plain";
}

bool report_put_data_uri(FILE *out, const char *path)
{
    char *buf, *b64;
    size_t len;

    if (!read_file(path, &buf, &len, INLINE_MAX))
        return false;
    b64 = report_base64((const unsigned char *)buf, len);
    free(buf);
    if (!b64) {
        errno = ENOMEM;
        return false;
    }
    fprintf(out, "data:%s;base64,%s", report_mime_of(path), b64);
    free(b64);
    return true;
}

/* A file name the report may resolve against its base directory: relative,
 * without a scheme, without a way up. */
static bool plain_relative(const char *name, size_t n)
{
    if (n == 0 || name[0] == '/' || name[0] == '#')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (name[i] == ':' || name[i] == '?' || name[i] == '\\')
            return false;
        if (name[i] == '.' && i + 1 < n && name[i + 1] == '.')
            return false;
    }
    return true;
}

/* The start of the next "<img" tag at or after p (case-insensitive), NULL if none. */
static const char *next_img(const char *p)
{
    for (; (p = strchr(p, '<')); p++)
        if (!strncasecmp(p + 1, "img", 3) && (isspace((unsigned char)p[4]) || p[4] == '/'))
            return p;
    return NULL;
}

/* In the tag [tag, end), the value of src="..." or src='...': sets *val and *len. */
static bool find_src(const char *tag, const char *end, const char **val, size_t *len)
{
    for (const char *p = tag + 4; p + 5 < end; p++) {
        if (strncasecmp(p, "src", 3) || !isspace((unsigned char)p[-1]))
            continue;
        const char *q = p + 3;

        while (q < end && isspace((unsigned char)*q))
            q++;
        if (q >= end || *q != '=')
            continue;
        q++;
        while (q < end && isspace((unsigned char)*q))
            q++;
        if (q >= end || (*q != '"' && *q != '\''))
            continue;
        const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));

        if (!close)
            return false;
        *val = q + 1;
        *len = (size_t)(close - q - 1);
        return true;
    }
    return false;
}

unsigned report_inline_imgs(FILE *out, const char *html, const char *base_dir,
                            unsigned *missing)
{
    const char *p = html, *tag;
    unsigned inlined = 0;

    while ((tag = next_img(p))) {
        const char *end = strchr(tag, '>'), *val;
        size_t len;

        if (!end)
            break;
        if (!find_src(tag, end, &val, &len) || !plain_relative(val, len)) {
            fwrite(p, 1, (size_t)(end - p), out);
            p = end;
            continue;
        }
        char path[4096];

        fwrite(p, 1, (size_t)(val - p), out);
        fmt(path, sizeof(path), "%s/%.*s", base_dir, (int)len, val);
        if (report_put_data_uri(out, path)) {
            inlined++;
        } else {
            fwrite(val, 1, len, out);
            if (missing)
                ++*missing;
        }
        p = val + len;
    }
    fputs(p, out);
    return inlined;
}

void report_put_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}
