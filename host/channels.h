/*
 * The record channels (bench/record-format.md, "Channel"): where the run's
 * records come from.  With a results area, QEMU's guest RAM is backed by a
 * file (RUN/guest-ram) and, after QEMU has exited, channels_merge() reads the
 * area from it, checks it against what the record port (isa-debugcon) carried
 * and writes the one stream the collector reads, RUN/records.txt; the
 * channels' own bytes stay in records-area.txt and records-debugcon.txt.
 */
#ifndef HOST_CHANNELS_H
#define HOST_CHANNELS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "analysis/collect.h"

struct channel_report {
    /* The plan (channels_plan). */
    bool area_planned;          /* QEMU gets a file-backed RAM and the fw_cfg item */
    uint64_t gpa, size;         /* the area (results_area_layout) */
    char ram_path[4096];        /* RUN/guest-ram */
    char no_area_why[128];      /* why there is none, "" when planned */

    /* What the merge found. */
    bool merged;
    bool area_seen;             /* the header carried the magic */
    bool complete, overflow;    /* the header's flags */
    uint64_t area_bytes, area_lines;        /* in the area */
    uint64_t port_bytes, port_lines;        /* in records-debugcon.txt */
    uint64_t from_area, from_port;          /* lines of records.txt from each */
    long long first_port_seq;   /* the first record taken from the port, -1: none */
    unsigned disagree;          /* records whose two copies differ */
    double merge_ms;            /* host time to read the area and write records.txt */
    bool com1;                  /* the records came from a serial log (import, run --image) */
};

/* Decides whether this run gets a results area: not when RAM is outside
 * results_area_layout(), nor when the run directory cannot hold a shared
 * mapping (9p, as in the lab's L1). */
void channels_plan(struct channel_report *c, const char *run_dir, unsigned memory_mib);

/* After QEMU's exit: builds RUN/records.txt from the area and the port's
 * copy (RUN/records.txt as QEMU left it, renamed records-debugcon.txt),
 * reporting every channel problem to d (collect_problem), and removes the
 * RAM file.  Without a planned area the port's file stays records.txt. */
void channels_merge(struct channel_report *c, const char *run_dir, struct run_data *d);

/* meta.json's "output": the channels, what each carried, and the rates
 * from the guest's `output` record (d->guest.output). */
json_t *channels_json(const struct channel_report *c, const struct run_data *d);
/* One terminal line with the output rate per channel. */
void channels_print(FILE *f, const struct channel_report *c, const struct run_data *d);

/* The sequence number of a record line ("HVF1 <seq> ..."), -1 if none. */
long long channels_line_seq(const char *line, size_t len);

#endif
