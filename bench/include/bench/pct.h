/*
 * Percent-encoding of one text line for a record value (bench/record-format.md,
 * `sweeptext`): every byte that is `%`, space, `#`, `=`, below 0x21 or above
 * 0x7e becomes `%XX` (upper-case hex), so the value holds no separator.
 * Compiled into the guest and the host.
 */
#ifndef BENCH_PCT_H
#define BENCH_PCT_H

#include <stdbool.h>
#include <stddef.h>

/* Encodes in[0..n) into out (NUL-terminated).  Returns the encoded length,
 * or (size_t)-1 when it does not fit in cap (out is then "" if cap > 0). */
size_t pct_encode(const char *in, size_t n, char *out, size_t cap);
/* Decodes in[0..n) into out (NUL-terminated) and sets *outlen.  False when
 * a `%` is not followed by two hex digits, a byte that must be encoded
 * appears bare, or the result does not fit in cap. */
bool pct_decode(const char *in, size_t n, char *out, size_t cap, size_t *outlen);

#endif
