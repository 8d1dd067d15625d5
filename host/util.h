/*
 * Small helpers shared by the host tool: error messages in the tool's
 * "hvflush: ..." style, whole-file reads and writes, bounded string
 * formatting, time stamps and PATH lookup.
 */
#ifndef HOST_UTIL_H
#define HOST_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <time.h>

/* Prints "hvflush: <message>\n" on stderr. */
void hv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints progress on stderr unless quiet mode is on. */
void hv_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hv_set_quiet(bool quiet);

/* snprintf into a fixed buffer; returns false if the result was truncated. */
bool fmt(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
/* Appends to a NUL-terminated buffer, truncating silently. */
void append(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));

/* Reads a whole file into a NUL-terminated heap buffer.  Returns false and
 * leaves errno set on failure.  max bounds the size (0 = no bound; a larger
 * file fails with EFBIG). */
bool read_file(const char *path, char **buf, size_t *len, size_t max);
/* Writes buf to path (created or truncated); false with errno on failure. */
bool write_file(const char *path, const char *buf, size_t len);

/* Writes a free-text CSV field (RFC 4180): quoted, with quotes doubled, when
 * it holds a comma, a quote or a newline (a newline becomes a space). */
void csv_put_text(FILE *f, const char *s);
/* Splits a line of one of hvflush's own CSV files in place at its commas
 * (they quote no field a reader splits: csv_put_text() quotes only free
 * text, which readers do not split), dropping the line end; at most max
 * fields into f.  Returns the field count. */
int csv_split_line(char *line, char **f, int max);

/* Looks an executable name up in $PATH (or checks it, if it contains '/').
 * Writes the full path to out; false if not found. */
bool find_executable(const char *name, char *out, size_t cap);

/* ISO 8601 UTC time, e.g. "2025-01-31T12:00:00Z". */
void utc_iso(time_t t, char *buf, size_t cap);

/* Monotonic clock in milliseconds. */
long long mono_ms(void);

/* Runs argv (no shell) with stdin /dev/null and stderr inherited (or
 * discarded); returns its whole stdout as a NUL-terminated heap string in
 * *out and its wait status in *status.  False if it could not be started. */
bool capture_output(char *const argv[], bool discard_stderr, char **out, int *status);

/* Runs argv (no shell) and captures the first line of its stdout. */
bool capture_first_line(char *const argv[], char *out, size_t cap);

#endif
