/*
 * Shared parts of the libFuzzer harnesses (tests/fuzz/fuzz_*.c).
 *
 * Parsers that only take a path get their input as files in a scratch
 * directory: fuzz_write_parts() splits one fuzz input at FUZZ_SEPARATOR
 * lines and writes part i to names[i] (missing parts: no file), so one
 * corpus file is a whole run directory, readable as text.  The scratch
 * directory is made once per process under $TMPDIR and removed at exit.
 *
 * fuzz_planted_crash(): the check that the fuzz runs can fail.  With
 * HVFLUSH_FUZZ_PLANT=1 in the environment, an input containing
 * FUZZ_PLANT_MARKER makes the harness read past the end of a heap block,
 * which AddressSanitizer must report (tests/fuzz/test_fuzz.c).
 */
#ifndef TESTS_FUZZ_FUZZ_FILES_H
#define TESTS_FUZZ_FUZZ_FILES_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_SEPARATOR "\n--8<--\n"
#define FUZZ_PLANT_MARKER "HVFLUSH-PLANTED-CRASH"

/* The scratch directory (made on first use; removed at exit). */
const char *fuzz_scratch(void);
/* Empties dir and writes the parts of data into it: part i to dir/names[i]
 * (subdirectories made as needed).  Returns how many parts were written. */
unsigned fuzz_write_parts(const char *dir, const uint8_t *data, size_t size,
                          const char *const *names, unsigned nnames);
/* A NUL-terminated copy of data (malloc'd; the caller frees). */
char *fuzz_cstr(const uint8_t *data, size_t size);
/* See above: a deliberate heap overflow on the marker input when planted. */
void fuzz_planted_crash(const uint8_t *data, size_t size);
/* Sends stdout to /dev/null (the commands print tables; libFuzzer's
 * -close_fd_mask=2 quiets their stderr lines and keeps its own reports). */
void fuzz_quiet(void);

#endif
