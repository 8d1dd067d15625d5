/*
 * The few string and number helpers that bench/ code needs.  bench/ is
 * compiled into the freestanding guest too, so it cannot lean on libc.
 */
#ifndef BENCH_TEXT_H
#define BENCH_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

size_t text_len(const char *s);
/* True when the n bytes at s spell exactly the NUL-terminated word. */
bool text_eq_n(const char *s, size_t n, const char *word);
bool text_eq(const char *a, const char *b);
void text_copy(char *dst, size_t cap, const char *src, size_t n);
/* Appends src to the NUL-terminated dst without exceeding cap. */
void text_append(char *dst, size_t cap, const char *src);
/* Decimal and hexadecimal: returns characters written (no NUL). */
size_t text_u64_dec(char *buf, uint64_t v);   /* buf >= 20 bytes */
size_t text_u64_hex(char *buf, uint64_t v);   /* buf >= 16 bytes, lower case */
/* Parses all n bytes as an unsigned decimal (or hex with base 16). */
bool text_parse_u64(const char *s, size_t n, unsigned base, uint64_t *out);

static inline bool text_is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

#endif
