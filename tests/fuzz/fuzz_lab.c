/*
 * fuzz_lab: what `hvflush run --accel lab` reads back from L1 after L0 has
 * exited (host/lab/run.c lab_outcome, host/lab/adopt.c): RUN/lab/l1-times
 * ("EVENT SECONDS" lines), l1-error, l1-run-status, the L1 error and
 * "hvflush: " lines of serial.log, and L1's own run directory under
 * RUN/lab/l2-run (its meta.json through jansson, with the hv-flag result
 * printed by hv_flags_line, its records.txt and an image run's sweep.txt,
 * parsed and expanded); then the adopted records are collected against
 * that sweep and meta.json's "lab" section is built (host/lab/meta.c).
 * L1 runs a downloaded kernel and the guest under test: all of it is
 * untrusted.
 *
 * Input: the files of parts[] below in order, separated by FUZZ_SEPARATOR
 * lines (fuzz_files.h); missing trailing parts are absent files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "fuzz_files.h"
#include "run.h"

#define L1_RUN "lab/" LAB_L1_RUN_DIR "/20261127-120000-kvm-smp2"

static const char *const parts[] = {
    "lab/l1-times", "lab/l1-error", "lab/l1-run-status", "serial.log",
    L1_RUN "/meta.json", L1_RUN "/records.txt", L1_RUN "/sweep.txt",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct run_info ri;
    static struct sweep_config configs[SWEEP_CONFIGS_MAX];
    struct cli_options o = { 0 };
    /* L0 exited normally, or (one input in four) the watchdog stopped it. */
    struct qemu_outcome outcome = { .exited = true, .status = 0, .timed_out = size % 4 == 1 };
    char why[1024], path[PATH_MAX + 32];
    json_t *meta;

    fuzz_planted_crash(data, size);
    fuzz_write_parts(fuzz_scratch(), data, size, parts, sizeof(parts) / sizeof(parts[0]));
    memset(&ri, 0, sizeof(ri));
    o.smp = 2;
    o.timeout_s = 60;
    ri.opt = &o;
    ri.configs = configs;
    snprintf(ri.run_dir, sizeof(ri.run_dir), "%s", fuzz_scratch());
    ri.lab = calloc(1, sizeof(*ri.lab));
    if (!ri.lab)
        abort();
    ri.lab->l1_run_status = -1;
    lab_choose_l0(false, false, false, false, ri.lab);

    lab_outcome(&ri, &outcome, why, sizeof(why));
    if (lab_adopt_image_sweep(&ri)) {
        snprintf(path, sizeof(path), "%s/records.txt", ri.run_dir);
        collect_file(&ri.data, path);
    }
    meta = lab_meta_json(&ri);
    free(json_dumps(meta, JSON_COMPACT));
    json_decref(meta);
    collect_free(&ri.data);
    free(ri.sweep_text);
    lab_release(&ri);
    return 0;
}
