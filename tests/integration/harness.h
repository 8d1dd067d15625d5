/*
 * Integration-test harness: runs build/hvflush as a user would, then reads
 * the run directory it wrote (records through bench/record.c, meta.json
 * through jansson).
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <bench/record.h>

#define MAX_RUN_CONFIGS 128

struct run_config {
    uint64_t id, pages, targets, samples_declared, nsamples;
    char label[64], strategy[16], state[8];
    uint64_t min, max;
    char verdict[16];
    uint64_t fresh, stale, control_stale, rounds;
    bool has_verify;
    char unsupported[96];    /* reason of an unsupported record, "" if none */
    char error[96];          /* what of an error record, "" if none */
};

struct run_result {
    int exit_code;
    char out_dir[256];       /* the --out directory (a fresh temporary one) */
    char run_dir[512];       /* out_dir/latest resolved; "" if none */
    char err[4096];          /* what the tool wrote to stderr */
    char out[16384];         /* what the tool wrote to stdout (its start) */
    /* From records.txt: */
    bool stream_ok;
    uint64_t cpus, tsc_hz, overhead;
    char apic[8], stale_read[24];
    unsigned ncpu_records;
    uint64_t apic_ids[256];
    unsigned nconfigs;
    struct run_config cfg[MAX_RUN_CONFIGS];
    char end_status[16];
    /* hyperv record: */
    bool has_hyperv;
    uint64_t hv_present, hv_hypercall, hv_xmm_input;
    char hv_vendor[16];
    unsigned nvps, nconformance, nprecision;
};

/* The hvflush binary under test: $HVFLUSH_BIN when set (the sanitized
 * build-san/hvflush in `make test`), otherwise build/hvflush. */
const char *hvflush_bin(void);
/* Runs `build/hvflush <args> --out <fresh dir>`; fills r.  Returns r. */
struct run_result *run_hvflush(const char *args);
/* Parses the run directory's records.txt into r (called by run_hvflush). */
void read_records(struct run_result *r);
/* Reads a top-level string of RUN/meta.json ("" if absent). */
void meta_string(const struct run_result *r, const char *key, char *out, size_t n);
/* Reads a string or integer at meta.json's a.b.c (b and c may be NULL). */
void meta_value(const struct run_result *r, const char *a, const char *b, const char *c,
                char *out, size_t n);
bool file_contains(const char *path, const char *needle);
/* How many processes have a command line (arguments joined by spaces) that
 * contains needle, e.g. a run directory a QEMU left running names. */
unsigned processes_naming(const char *needle);
unsigned count_entries(const char *dir);
bool kvm_usable(void);
/* Asserts (cmocka) that configuration c was measured in full and that its
 * effect probe passed: every target read fresh, and the negative control
 * went stale at least once. */
void assert_measured_and_verified(const struct run_config *c);

/* ---- CSV files of a run, read by their header names (csv.c) --------------- */
struct csv_table {
    unsigned ncols, nrows;
    char **cols;             /* header names */
    char ***rows;            /* rows[r][c] */
};

/* Reads RUN/name (RFC 4180 quoting); false if it is missing or a row has
 * another number of fields than the header. */
bool csv_read(const struct run_result *r, const char *name, struct csv_table *t);
/* The field of row under column col; NULL if there is no such column. */
const char *csv_get(const struct csv_table *t, unsigned row, const char *col);
void csv_free(struct csv_table *t);
/* The field, "" where the column is missing. */
const char *csv_cell(const struct csv_table *t, unsigned row, const char *col);
/* The first row whose "label" column is label; -1 if none. */
int csv_row_of(const struct csv_table *t, const char *label);
/* The field as a number; -1 when it is empty or not a number. */
double csv_num(const struct csv_table *t, unsigned row, const char *col);
/* Writes t back (header and rows) to path; false if it cannot. */
bool csv_write(const char *path, const struct csv_table *t);
/* Replaces the field of row under column col by a copy of v. */
void csv_set(struct csv_table *t, unsigned row, const char *col, const char *v);

/* The nested lab's intermittent stall: the run hit its --timeout and L2 (the
 * guest under L1's KVM) never wrote a byte to its console -- the lab's TCG
 * L0 stopped making progress for L2 before the guest's (or, for an image,
 * the firmware's) first line (README, "The nested lab").  A lab test skips
 * such a run, saying so, instead of reading it as the product's failure;
 * every other outcome is judged as usual. */
bool lab_l2_stalled(const struct run_result *r);

/* Runs the shell command fmt_ (printf-style; a leading "build/hvflush" is
 * hvflush_bin()) with its stdout and stderr in
 * files under scratch_dir, their starts copied into out and err (NUL-ended).
 * Returns the exit status, 128 when killed by a signal. */
int sh_capture(const char *scratch_dir, char *out, size_t outcap, char *err, size_t errcap,
               const char *fmt_, va_list ap);

/* Defines a test file's `static int sh(const char *fmt, ...)`: sh_capture()
 * of the formatted command into scratch_dir, its stdout and stderr into the
 * file's arrays out_ and err_. */
#define HARNESS_SH(scratch_dir, out_, err_)                                        \
    static int sh(const char *fmt_, ...)                                          \
    {                                                                            \
        va_list ap;                                                              \
        int rc;                                                                  \
                                                                                 \
        va_start(ap, fmt_);                                                      \
        rc = sh_capture(scratch_dir, out_, sizeof(out_), err_, sizeof(err_), fmt_, ap); \
        va_end(ap);                                                              \
        return rc;                                                               \
    }

#endif
