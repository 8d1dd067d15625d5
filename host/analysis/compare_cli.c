/*
 * "hvflush compare"'s command line: options into struct compare_opts, the
 * default output directory, then compare_runs() (compare.c).
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "analysis/compare_internal.h"
#include "paths.h"
#include "util.h"

extern const char compare_usage_text[];

static const struct {
    const char *name;
    enum compare_metric metric;
} metrics[] = {
    { "p50",        COMPARE_P50 },
    { "p99",        COMPARE_P99 },
    { "throughput", COMPARE_THROUGHPUT },
};

static bool parse_threshold(const char *s, double *pct)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || (*end && strcmp(end, "%")) || !isfinite(v) || v <= 0 || v >= 100)
        return false;
    *pct = v;
    return true;
}

static bool parse_metric(const char *s, enum compare_metric *m)
{
    for (unsigned i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
        if (!strcmp(s, metrics[i].name)) {
            *m = metrics[i].metric;
            return true;
        }
    return false;
}

/* The run --baseline names: the same argument, the same directory, or the
 * same base name (unique). */
static int find_baseline(const char *arg, char **runs, unsigned n)
{
    char want[PATH_MAX], have[PATH_MAX];
    const char *slash = strrchr(arg, '/');
    int found = -1;

    for (unsigned i = 0; i < n; i++)
        if (!strcmp(arg, runs[i]))
            return (int)i;
    if (realpath(arg, want))
        for (unsigned i = 0; i < n; i++)
            if (realpath(runs[i], have) && !strcmp(want, have))
                return (int)i;
    if (slash)
        return -1;
    for (unsigned i = 0; i < n; i++) {
        const char *b = strrchr(runs[i], '/');

        if (!strcmp(b ? b + 1 : runs[i], arg)) {
            if (found >= 0)
                return -1;
            found = (int)i;
        }
    }
    return found;
}

int compare_command(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "baseline",  required_argument, NULL, 'b' },
        { "threshold", required_argument, NULL, 't' },
        { "metric",    required_argument, NULL, 'm' },
        { "out",       required_argument, NULL, 'o' },
        { "quiet",     no_argument,       NULL, 'q' },
        { "min-boots", required_argument, NULL, 'B' },
        { "help",      no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct compare_opts o = { .threshold_pct = COMPARE_THRESHOLD_PCT, .metric = COMPARE_P50,
                              .text = stdout, .min_boots = 1 };
    const char *baseline = NULL;
    char out[PATH_MAX];
    int c, b;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': baseline = optarg; break;
        case 't':
            if (!parse_threshold(optarg, &o.threshold_pct)) {
                hv_err("compare: --threshold '%s': a percentage above 0 and below 100",
                       optarg);
                return 2;
            }
            break;
        case 'm':
            if (!parse_metric(optarg, &o.metric)) {
                hv_err("compare: --metric '%s': p50, p99 or throughput", optarg);
                return 2;
            }
            break;
        case 'o': o.out_dir = optarg; break;
        case 'B': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);

            if (end == optarg || *end || *optarg == '-' || v < 1 || v > COMPARE_BOOTS_CAP) {
                hv_err("compare: --min-boots '%s': a number of boots from 1 to %u", optarg,
                       COMPARE_BOOTS_CAP);
                return 2;
            }
            o.min_boots = (unsigned)v;
            break;
        }
        case 'q': o.text = NULL; hv_set_quiet(true); break;
        case 'h': fputs(compare_usage_text, stdout); return 0;
        default:
            hv_err("compare: unknown option or missing value: %s (hvflush compare --help)",
                   argv[optind - 1]);
            return 2;
        }
    }
    o.runs = (const char *const *)&argv[optind];
    o.nruns = (unsigned)(argc - optind);
    if (o.nruns < 2) {
        hv_err("compare: needs two run directories or more (hvflush compare --help)");
        return 2;
    }
    if (baseline) {
        b = find_baseline(baseline, &argv[optind], o.nruns);
        if (b < 0) {
            hv_err("compare: --baseline %s is not one of the runs compared", baseline);
            return 2;
        }
        o.baseline = (unsigned)b;
    }
    if (!o.out_dir) {
        char root[PATH_MAX], stamp[32];
        time_t now = time(NULL);
        struct tm tm;

        if (!paths_root(root, sizeof(root))) {
            hv_err("compare: cannot determine the hvflush root directory; set HVFLUSH_ROOT "
                   "or give --out");
            return 2;
        }
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
        fmt(out, sizeof(out), "%s/results/compare-%s", root, stamp);
        o.out_dir = out;
    }
    return compare_runs(&o);
}
