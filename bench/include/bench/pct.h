/*
 * Percent-encoding of sweep text lines for `sweeptext` records
 * (bench/record-format.md): every byte that is '%', ' ', '#', '=', below
 * 0x21 or above 0x7e becomes "%XX" (upper-case hex); every other byte is
 * itself.  The guest encodes, the host's import decodes, with this code.
 */
#ifndef BENCH_PCT_H
#define BENCH_PCT_H

#include <stdbool.h>
#include <stddef.h>

/* True when pct_encode() writes byte c as "%XX". */
bool pct_escaped(unsigned char c);
/* Encodes in[0..n) into out (NUL-terminated).  Returns the encoded length
 * (without the NUL); when that is >= cap the output did not fit and out
 * holds nothing useful (cap 0: nothing written). */
size_t pct_encode(const char *in, size_t n, char *out, size_t cap);
/* Decodes in[0..n) into out[0..*outlen).  False (and *outlen unspecified)
 * when the text holds a byte the encoder escapes, a '%' not followed by two
 * upper-case hex digits, or the result does not fit cap bytes. */
bool pct_decode(const char *in, size_t n, char *out, size_t cap, size_t *outlen);

#endif
