/*
 * A run's noise assessment read back from its meta.json "noise" section
 * (written by noise_json, noise.h): the one-line summary that `hvflush runs`
 * lists, the banner at the top of a report, and compare's warning.
 */
#include "analysis/noise.h"

#include <limits.h>
#include <string.h>

#include "analysis/report.h"
#include "paths.h"
#include "util.h"

static double num(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(json_object_get(o, a), b);

    return json_is_number(v) ? json_number_value(v) : -1;
}

/* ", name 12.3 %" for a fraction that was measured. */
static void put_frac(char *out, size_t cap, const char *name, double v)
{
    if (v >= 0)
        append(out, cap, ", %s %.1f %%", name, v * 100);
}

const char *noise_meta_verdict(json_t *meta)
{
    const char *v = json_string_value(json_object_get(json_object_get(meta, "noise"),
                                                      "verdict"));

    return v ? v : "-";
}

bool noise_meta_summary(json_t *meta, char *out, size_t cap)
{
    json_t *noise = json_object_get(meta, "noise"), *e;
    json_t *cfgs = json_object_get(noise, "configurations");
    size_t i;

    out[0] = '\0';
    if (!json_is_object(noise)) {
        fmt(out, cap, "not assessed");
        return false;
    }
    json_array_foreach(json_object_get(noise, "reasons"), i, e)
        append(out, cap, "%s%s", i ? ";" : "", json_string_value(e) ? json_string_value(e) : "?");
    if (!out[0])
        fmt(out, cap, "clean");
    if (json_is_true(json_object_get(json_object_get(noise, "host"), "measured"))) {
        put_frac(out, cap, "other processes' CPU", num(noise, "host", "others_cpu_frac"));
        put_frac(out, cap, "vCPU run-queue wait", num(noise, "host", "vcpu_wait_frac"));
        put_frac(out, cap, "steal", num(noise, "host", "steal_frac"));
        append(out, cap, ", loadavg %.2f", num(noise, "host", "loadavg1_end"));
    } else {
        append(out, cap, ", host load not measured");
    }
    if (num(noise, "timer", "spread_rel") >= 0)
        append(out, cap, ", timer p1/p50/p99 %.0f/%.0f/%.0f cycles (spread %.2f)",
               num(noise, "timer", "p1"), num(noise, "timer", "p50"),
               num(noise, "timer", "p99"), num(noise, "timer", "spread_rel"));
    append(out, cap, ", %lld of %lld configurations wide-CI, %lld noise-dominated",
           (long long)json_integer_value(json_object_get(cfgs, "wide_ci")),
           (long long)json_integer_value(json_object_get(cfgs, "with_samples")),
           (long long)json_integer_value(json_object_get(cfgs, "noise_dominated")));
    return !strcmp(noise_meta_verdict(meta), "noisy");
}

void noise_report_banner(FILE *out, json_t *meta)
{
    char text[1024];
    bool noisy = noise_meta_summary(meta, text, sizeof(text));

    if (!noisy) {
        fputs("<p class=\"noise-clean\" data-noise=\"", out);
        report_put_text(out, noise_meta_verdict(meta));
        fputs("\">Noise: ", out);
        report_put_text(out, text);
        fputs("</p>\n", out);
        return;
    }
    fputs("<div class=\"noise-banner\" id=\"noise-banner\" data-noise=\"noisy\" "
          "style=\"border:3px solid #c00;background:#fee;padding:0.5em 1em;margin:1em 0;"
          "font-weight:bold\">NOISY RUN: these numbers are not clean (", out);
    report_put_text(out, text);
    fputs("). Thresholds: results/README.md, \"Noise\".</div>\n", out);
}

void noise_warn_run(const char *dir, const char *who)
{
    char path[PATH_MAX + 16], text[1024];
    json_error_t jerr;
    json_t *meta;

    fmt(path, sizeof(path), "%s/meta.json", dir);
    meta = json_load_file(path, 0, &jerr);
    if (json_is_object(meta) && noise_meta_summary(meta, text, sizeof(text)))
        hv_note("%s: warning: %s is a noisy run (%s): differences to it may be noise",
                who, paths_display(dir), text);
    json_decref(meta);
}
