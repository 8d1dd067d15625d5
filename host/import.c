/*
 * "hvflush import": the run directory of a captured serial log (import.h).
 * The log's records go through the very code a direct run's records go
 * through (collect_file, then run_finish: summary, verify, conformance,
 * ratios, meta.json); what differs is only where they came from, which
 * meta.json's "import" says.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bench/record.h>

#include "import.h"
#include "paths.h"
#include "util.h"


/* The sweep: the log's sweeptext records, else --sweep FILE. */
static bool take_sweep(struct run_info *ri, const struct import_options *io,
                       struct import_scan *scan)
{
    char *text = NULL;
    size_t len = 0;

    if (scan->sweep && scan->sweep_lines == scan->sweep_of) {
        text = strdup(scan->sweep);
        len = scan->sweep_len;
        fmt(ri->sweep_path, sizeof(ri->sweep_path), "%s (sweeptext records)", io->log_path);
    } else if (io->sweep_file) {
        if (!read_file(io->sweep_file, &text, &len, SWEEP_TEXT_MAX + 1)) {
            fmt(ri->reason, sizeof(ri->reason), "cannot read --sweep %s: %s", io->sweep_file,
                strerror(errno));
            return false;
        }
        fmt(ri->sweep_path, sizeof(ri->sweep_path), "%s", io->sweep_file);
    } else {
        fmt(ri->reason, sizeof(ri->reason), "no sweep: the log has no sweeptext records "
            "(a log of an older guest: give its sweep with --sweep FILE)");
        return false;
    }
    if (!text)
        return false;
    free(ri->sweep_text);
    ri->sweep_text = text;
    ri->sweep_len = len;
    return true;
}

/* Parses and expands the sweep for the vCPUs the run had, as run does. */
static unsigned expand_sweep(struct run_info *ri)
{
    struct sweep_error serr;
    int n;

    if (!ri->configs)
        ri->configs = calloc(SWEEP_CONFIGS_MAX, sizeof(*ri->configs));
    if (!ri->configs) {
        fmt(ri->reason, sizeof(ri->reason), "out of memory");
        return 0;
    }
    memset(&ri->sweep, 0, sizeof(ri->sweep));
    if (!sweep_parse(ri->sweep_text, ri->sweep_len, &ri->sweep, &serr)) {
        fmt(ri->reason, sizeof(ri->reason), "the sweep does not parse: line %u: %s",
            serr.lineno, serr.msg);
        return 0;
    }
    n = sweep_expand(&ri->sweep, ri->opt->smp, ri->configs, SWEEP_CONFIGS_MAX, &serr);
    if (n < 0) {
        fmt(ri->reason, sizeof(ri->reason), "the sweep does not expand for %u CPUs: %s",
            ri->opt->smp, serr.msg);
        return 0;
    }
    return (unsigned)n;
}

static json_t *foreign_accel(const struct run_info *ri)
{
    return json_pack("{s:s, s:n, s:s, s:s, s:s, s:n, s:n, s:b, s:n, s:[]}",
                     "requested", "import", "choice_reason", "name", "import",
                     "timing_class", ri->tc->name, "label", ri->tc->label, "kvm_api",
                     "kvm_cap_hyperv", "kvm_usable", 0, "kvm_reason", "host_virt_flags");
}

/* meta.json's additions (and, for a foreign log, replacements: the
 * importing host ran no QEMU and pinned nothing). */
static json_t *import_meta(const struct run_info *ri, const struct import_options *io,
                           const struct import_scan *scan, const char *log, size_t len)
{
    json_t *m = json_pack("{s:{s:s, s:I, s:s%, s:I, s:I, s:b, s:b, s:o}, s:o}",
                          "import", "source", io->log_path, "bytes", (json_int_t)len,
                          "crc32", "", (size_t)0, "log_lines", (json_int_t)scan->log_lines,
                          "record_lines", (json_int_t)scan->record_lines,
                          "end_record", scan->have_end, "done_line", scan->done_line,
                          "damage", scan->damaged ? json_string(scan->reason) : json_null(),
                          "platform", io->platform ? json_string(io->platform) : json_null());
    char crc[16];

    if (!m)
        return NULL;
    fmt(crc, sizeof(crc), "%08x", bench_crc32(log, len));
    json_object_set_new(json_object_get(m, "import"), "crc32", json_string(crc));
    if (io->foreign) {
        json_object_set_new(m, "accelerator", foreign_accel(ri));
        json_object_set_new(m, "qemu", json_pack("{s:s, s:n, s:[]}", "binary", "",
                                                 "version", "argv"));
        json_object_set_new(m, "pinning", json_pack("{s:s, s:i, s:[]}", "policy",
                                                    "unknown (imported)", "host_pus", 0, "map"));
        json_object_set_new(m, "hwloc", json_pack("{s:s, s:n}", "version", "",
                                                  "topology_xml"));
    }
    return m;
}

int import_finish(struct run_info *ri, const struct import_options *io,
                  struct import_scan *scan, const char *log, size_t len)
{
    char path[PATH_MAX + 32], real_log[PATH_MAX], real_copy[PATH_MAX];
    unsigned n = 0;
    bool have_sweep;

    fmt(path, sizeof(path), "%s/serial.log", ri->run_dir);
    if (!realpath(io->log_path, real_log) || !realpath(path, real_copy) ||
        strcmp(real_log, real_copy) != 0) {
        if (!write_file(path, log, len))
            hv_err("cannot write %s: %s", path, strerror(errno));
    }
    fmt(path, sizeof(path), "%s/records.txt", ri->run_dir);
    if (!write_file(path, scan->records ? scan->records : "", scan->records_len))
        fmt(ri->reason, sizeof(ri->reason), "cannot write %s: %s", path, strerror(errno));
    if (io->foreign)
        ri->tc = import_timing_class(scan->sig0, scan->sig1);
    if (scan->damaged)
        append(ri->reason, sizeof(ri->reason), "%s%s", ri->reason[0] ? "; " : "",
               scan->reason);
    /* The sweep's own problems come after the log's. */
    {
        char why[sizeof(ri->reason)];

        fmt(why, sizeof(why), "%s", ri->reason);
        ri->reason[0] = '\0';
        have_sweep = take_sweep(ri, io, scan);
        if (have_sweep)
            n = expand_sweep(ri);
        if (ri->reason[0] && why[0])
            append(why, sizeof(why), "; %s", ri->reason);
        else if (ri->reason[0])
            fmt(why, sizeof(why), "%s", ri->reason);
        fmt(ri->reason, sizeof(ri->reason), "%s", why);
    }
    if (have_sweep) {
        fmt(path, sizeof(path), "%s/sweep.txt", ri->run_dir);
        if (!write_file(path, ri->sweep_text, ri->sweep_len))
            hv_err("cannot write %s: %s", path, strerror(errno));
    } else if (!ri->sweep_text) {
        ri->sweep_text = strdup("");
        ri->sweep_len = 0;
    }
    ri->nconfigs = n;
    ri->channels.area_planned = false;
    ri->channels.com1 = true;
    fmt(ri->channels.no_area_why, sizeof(ri->channels.no_area_why), "records from the "
        "serial log (COM1)");
    if (!collect_init(&ri->data, ri->configs, n, ri->opt->smp)) {
        hv_err("out of memory");
        return 1;
    }
    fmt(path, sizeof(path), "%s/records.txt", ri->run_dir);
    collect_file(&ri->data, path);
    if (scan->hypervisor)
        json_object_set(ri->data.guest, "hypervisor", scan->hypervisor);
    ri->import_meta = import_meta(ri, io, scan, log, len);
    return run_finish(ri);
}
