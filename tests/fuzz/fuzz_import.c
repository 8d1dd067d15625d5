/*
 * fuzz_import: the serial-log framing of `hvflush import` (host/import_scan.c):
 * import_scan() finds the record lines among a captured COM1 log's console
 * output (CR/LF, GRUB's echo, lines cut short), reassembles the sweep from
 * the sweeptext records (percent-decoded by bench/pct.c) and reads the
 * platform and hypervisor records; then, as import_finish() does, the sweep
 * is parsed and expanded for the platform's CPU count, the timing class is
 * chosen from the hypervisor signature, and the records are collected.
 * Input: the serial log.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bench/sweep.h>

#include "analysis/collect.h"
#include "cli.h"
#include "fuzz_files.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sweep sw;
    static struct sweep_config configs[SWEEP_CONFIGS_MAX];
    static struct run_data d;
    struct import_scan scan;
    struct sweep_error serr;
    unsigned smp;
    int n = 0;

    fuzz_planted_crash(data, size);
    memset(&scan, 0, sizeof(scan));
    if (!import_scan((const char *)data, size, &scan))
        abort();
    import_timing_class(scan.sig0, scan.sig1);
    free(json_dumps(scan.hypervisor, JSON_COMPACT));
    smp = scan.have_platform && scan.cpus <= CLI_SMP_MAX ? (unsigned)scan.cpus : 0;
    memset(&sw, 0, sizeof(sw));
    if (scan.sweep && scan.sweep_lines == scan.sweep_of &&
        sweep_parse(scan.sweep, scan.sweep_len, &sw, &serr))
        n = sweep_expand(&sw, smp, configs, SWEEP_CONFIGS_MAX, &serr);
    if (n < 0)
        n = 0;
    if (!collect_init(&d, configs, (unsigned)n, smp))
        abort();
    for (size_t at = 0; at < scan.records_len;) {
        const char *nl = memchr(scan.records + at, '\n', scan.records_len - at);
        size_t end = nl ? (size_t)(nl - scan.records) + 1 : scan.records_len;

        collect_line(&d, scan.records + at, end - at);
        at = end;
    }
    collect_finish(&d);
    collect_free(&d);
    import_scan_free(&scan);
    return 0;
}
