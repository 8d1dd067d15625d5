/*
 * fuzz_records: the guest's record stream as the host reads it after a
 * run.  channels_merge() (host/channels.c) reads the results area from the
 * guest-RAM file (its header and lines, all written by the guest) and the
 * record port's copy, and merges them into records.txt; the collector
 * (host/analysis/collect*.c, over bench/record.c's parser and stream
 * validator) then checks every record against the configurations expanded
 * from the sweep, and what it gathered is written out as summary.csv,
 * samples.csv, verify.csv and conformance.csv, as at the end of a run.
 *
 * Input: three parts separated by FUZZ_SEPARATOR lines (fuzz_files.h):
 *   sweep.txt        the run's sweep (2 vCPUs); unparsable: no configurations
 *   records.txt      what the record port carried
 *   guest-ram        the results area at offset 0, AREA_SIZE bytes planned
 * A plain records.txt (one part) is a port-only run without an area.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bench/sweep.h>

#include "accel.h"
#include "analysis/collect.h"
#include "analysis/conformance.h"
#include "analysis/summary.h"
#include "analysis/verdicts.h"
#include "channels.h"
#include "util.h"
#include "fuzz_files.h"

#define SMP 2
#define AREA_SIZE (64u << 10)

static const char *const parts[] = { "sweep.txt", "records.txt", "guest-ram" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sweep sw;
    static struct sweep_config configs[SWEEP_CONFIGS_MAX];
    static struct channel_report rep;
    static struct run_data d;
    const char *dir = fuzz_scratch();
    struct sweep_error serr;
    struct verdict_counts vc;
    struct conformance_counts cc;
    char path[4200], err[256], *sweep = NULL;
    size_t sweep_len = 0;
    unsigned nparts;
    int n = 0;
    FILE *devnull;

    fuzz_planted_crash(data, size);
    nparts = fuzz_write_parts(dir, data, size, parts, 3);
    snprintf(path, sizeof(path), "%s/sweep.txt", dir);
    memset(&sw, 0, sizeof(sw));
    if (nparts > 1 && read_file(path, &sweep, &sweep_len, SWEEP_TEXT_MAX + 1) &&
        sweep_parse(sweep, sweep_len, &sw, &serr))
        n = sweep_expand(&sw, SMP, configs, SWEEP_CONFIGS_MAX, &serr);
    free(sweep);
    if (n < 0)
        n = 0;
    if (nparts == 1) {
        char to[4200];

        snprintf(to, sizeof(to), "%s/records.txt", dir);
        rename(path, to);
    }
    if (!collect_init(&d, configs, (unsigned)n, SMP))
        abort();

    memset(&rep, 0, sizeof(rep));
    rep.area_planned = nparts > 2;
    rep.gpa = 0;
    rep.size = AREA_SIZE;
    rep.first_port_seq = -1;
    snprintf(rep.ram_path, sizeof(rep.ram_path), "%s/guest-ram", dir);
    channels_merge(&rep, dir, &d);
    snprintf(path, sizeof(path), "%s/records.txt", dir);
    collect_file(&d, path);

    /* What a run writes from what was collected. */
    summary_write(dir, &d, timing_class_for("tcg", false), err, sizeof(err));
    conformance_write(dir, &d, err, sizeof(err));
    verdicts_count(&d, &vc);
    json_decref(verdicts_json(&vc));
    json_decref(channels_json(&rep, &d));
    devnull = fopen("/dev/null", "w");
    summary_print(devnull, &d, timing_class_for("tcg", false));
    conformance_print(devnull, dir, &d, &cc);
    channels_print(devnull, &rep, &d);
    fclose(devnull);
    collect_free(&d);
    return 0;
}
