/*
 * "hvflush import SERIAL_LOG [options]": the command line of import.h.
 * Bad usage and an unreadable log are input errors (exit 2, nothing
 * written); everything after the run directory exists is the run's outcome
 * (exit 1 for a damaged, truncated or otherwise incomplete log).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import.h"
#include "paths.h"
#include "pin.h"
#include "util.h"

static const char import_usage[] =
    "usage: hvflush import SERIAL_LOG [--label TEXT] [--platform TEXT] [--out DIR]\n"
    "                      [--sweep FILE] [--quiet]\n"
    "Turns the serial log (COM1) of a guest booted from hvflush image into a run\n"
    "directory <out>/<UTC stamp>-import-<N>cpu[-label], checked as hvflush run\n"
    "checks its records; plot, compare and report work on it as on any run.\n"
    "  --label TEXT     free-form label, in meta.json and the run id\n"
    "  --platform TEXT  what the guest ran on, in your words (meta.json: platform),\n"
    "                   e.g. \"Hyper-V 2022, gen 2, 8 vCPU\"\n"
    "  --out DIR        results directory (default <root>/results)\n"
    "  --sweep FILE     the sweep, for logs of older guests that carry no sweeptext\n"
    "                   records (the log's own sweep is used when it has one)\n"
    "  --quiet          print only the run's summary\n"
    "The timing class is foreign-<hypervisor> (xen, kvm, hyperv, tcg, unknown) from\n"
    "the guest's hypervisor record: cycles are the guest's TSC under that hypervisor.\n"
    "Exit status: 0 ok, 1 the log is damaged, truncated or incomplete (the run\n"
    "directory says why, status failed), 2 usage or an unreadable log, 3 complete\n"
    "but a configuration read fail or error.\n";

struct import_args {
    const char *log, *label, *platform, *out, *sweep;
    bool quiet, help;
};

static bool parse_args(int argc, char **argv, struct import_args *a, char *err, size_t cap)
{
    static const char *const names[] = { "--label", "--platform", "--out", "--sweep" };

    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        unsigned k;

        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            a->help = true;
            return true;
        }
        if (!strcmp(arg, "--quiet")) {
            a->quiet = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            if (a->log)
                return fmt(err, cap, "import: one serial log only ('%s' and '%s')", a->log,
                           arg), false;
            a->log = arg;
            continue;
        }
        for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            size_t n = strlen(names[k]);

            if (!strncmp(arg, names[k], n) && (arg[n] == '\0' || arg[n] == '='))
                break;
        }
        if (k == sizeof(names) / sizeof(names[0]))
            return fmt(err, cap, "import: unknown option '%s' (see hvflush import --help)",
                       arg), false;
        val = strchr(arg, '=');
        if (val)
            val++;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return fmt(err, cap, "import: %s needs a value", names[k]), false;
        if (!*val)
            return fmt(err, cap, "import: %s: empty value", names[k]), false;
        if (k == 0) {
            if (strlen(val) > CLI_LABEL_MAX)
                return fmt(err, cap, "import: --label: must be 1 to %d characters",
                           CLI_LABEL_MAX), false;
            for (const char *p = val; *p; p++)
                if ((unsigned char)*p < ' ' || *p == 0x7f)
                    return fmt(err, cap, "import: --label: control characters are not "
                               "allowed"), false;
        }
        {
            const char **slot[] = { &a->label, &a->platform, &a->out, &a->sweep };

            *slot[k] = val;
        }
    }
    if (!a->log)
        return fmt(err, cap, "import: no serial log given (hvflush import SERIAL_LOG)"), false;
    return true;
}

int import_command(int argc, char **argv)
{
    struct import_args a;
    struct import_options io = { .foreign = true };
    struct import_scan scan;
    struct cli_options o;
    struct run_info ri;
    char err[512], base[RUN_ID_MAX];
    char *log = NULL;
    size_t len = 0;
    int rc;

    if (!parse_args(argc, argv, &a, err, sizeof(err))) {
        hv_err("%s", err);
        return 2;
    }
    if (a.help) {
        fputs(import_usage, stdout);
        return 0;
    }
    hv_set_quiet(a.quiet);
    if (!read_file(a.log, &log, &len, IMPORT_LOG_MAX)) {
        hv_err("import: cannot read '%s': %s", a.log, errno == EFBIG ? "larger than 1 GiB" :
               strerror(errno));
        return 2;
    }
    if (!import_scan(log, len, &scan)) {
        hv_err("out of memory");
        free(log);
        return 1;
    }
    memset(&o, 0, sizeof(o));
    pin_spec_default(&o.pin_spec);
    o.label = a.label;
    o.out = a.out;
    o.quiet = a.quiet;
    o.smp = scan.have_platform && scan.cpus <= CLI_SMP_MAX ? (unsigned)scan.cpus : 0;
    memset(&ri, 0, sizeof(ri));
    ri.opt = &o;
    ri.status = "running";
    ri.accel = "import";
    ri.tc = import_timing_class(scan.sig0, scan.sig1);
    ri.kvm.api_version = ri.kvm.cap_hyperv = -1;
    if (!paths_root(ri.root, sizeof(ri.root)) && !a.out) {
        hv_err("cannot determine the hvflush root directory; set HVFLUSH_ROOT or use --out");
        rc = 2;
        goto out;
    }
    fmt(ri.out, sizeof(ri.out), "%s", a.out ? a.out : ri.root);
    if (!a.out)
        append(ri.out, sizeof(ri.out), "/results");
    ri.topo = pin_load_host_topology();
    ri.start = time(NULL);
    results_run_id(ri.start, "import", o.smp, a.label, base, sizeof(base));
    if (!ri.topo || !results_create_run_dir(ri.out, base, ri.run_id, sizeof(ri.run_id),
                                            ri.run_dir, sizeof(ri.run_dir), err,
                                            sizeof(err))) {
        hv_err("%s", ri.topo ? err : "cannot read the host topology with hwloc");
        rc = 2;
        goto out;
    }
    io.log_path = a.log;
    io.platform = a.platform;
    io.sweep_file = a.sweep;
    hv_note("importing %s (%u lines, %u records) into %s", a.log, scan.log_lines,
            scan.record_lines, paths_display(ri.run_dir));
    rc = import_finish(&ri, &io, &scan, log, len);
out:
    import_scan_free(&scan);
    free(log);
    json_decref(ri.import_meta);
    ri.import_meta = NULL;
    run_release(&ri);
    return rc;
}
