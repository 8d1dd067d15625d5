/*
 * "hvflush import": a captured serial log (COM1 of a guest booted from the
 * portable image, bench/record-format.md "Channel") turned into a normal run
 * directory.  import_scan() finds the record lines among the console output
 * and says what is wrong with them; import_finish() writes the run directory
 * through the same collector, summary, verify and conformance code as run.
 */
#ifndef HOST_IMPORT_H
#define HOST_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "qmp.h"
#include "run.h"

/* The largest serial log import reads. */
#define IMPORT_LOG_MAX (1ull << 30)

struct import_scan {
    char *records;              /* the HVF1 lines, `\r` stripped, each ending in `\n` */
    size_t records_len;
    char *sweep;                /* reassembled from the sweeptext records; NULL: none */
    size_t sweep_len;
    unsigned sweep_lines, sweep_of;
    bool have_platform;
    uint64_t cpus;              /* the platform record's cpus */
    json_t *hypervisor;         /* the hypervisor record as JSON; NULL: none */
    char sig0[32], sig1[32];
    bool have_end, done_line;   /* the end record; the console's `hvflush: done` */
    unsigned log_lines, record_lines;
    bool damaged;               /* the log is not one whole run: reason says why */
    char reason[512];
};

/* Scans a serial log.  False only when out of memory; damage is in s. */
bool import_scan(const char *log, size_t len, struct import_scan *s);
void import_scan_free(struct import_scan *s);

/* The timing class of an imported run from the hypervisor record's sig0
 * and sig1 (docs: portable mode, "Identity"). */
const struct timing_class *import_timing_class(const char *sig0, const char *sig1);

struct import_options {
    const char *log_path;       /* the serial log */
    const char *platform;       /* --platform TEXT, NULL: none */
    const char *sweep_file;     /* --sweep FILE: for logs without sweeptext records */
    bool foreign;               /* import command: accelerator "import", class foreign-* */
};

/* Imports the scanned log into ri->run_dir (already created; ri->opt with
 * its smp, ri->out, ri->topo, ri->run_id set): serial.log (a copy unless it
 * is already there), records.txt, sweep.txt, every result file and
 * meta.json.  Returns the exit status as run's: 0, 1 (failed: the reason is
 * in meta.json), 3 (a verdict). */
int import_finish(struct run_info *ri, const struct import_options *io,
                  struct import_scan *scan, const char *log, size_t len);
/* The whole "hvflush import" command (host/import_command.c). */
int import_command(int argc, char **argv);

/* run_finish.c: the closing part of a run, shared with import: status, summary, meta.json,
 * latest, and the terminal report; returns the exit status. */
int run_finish(struct run_info *ri);
/* run.c's QMP step, shared with run --image: pins the vCPU threads and
 * resumes the guest. */
bool run_setup_vcpus(struct run_info *ri, struct qmp *q, long long deadline, char *err,
                     size_t errcap);
/* "hvflush run --image FILE.iso" (host/run_image.c), from run_command_at. */
int run_image_command_at(const struct cli_options *o, char *run_dir, size_t cap);
/* run --image's option checks (also the lab's, before L0 starts); false
 * after one "hvflush: ..." line. */
bool run_image_check_options(const struct cli_options *o);

#endif
