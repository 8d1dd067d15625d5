/*
 * The run's verdicts counted per kind (see verdicts.h).  A configuration
 * without a verdict (verify off, never announced) is not counted.
 */
#include <string.h>
#include "analysis/verdicts.h"

void verdicts_count(const struct run_data *d, struct verdict_counts *out)
{
    const char *missing;
    json_t *m;

    memset(out, 0, sizeof(*out));
    for (unsigned i = 0; i < d->nconfigs; i++) {
        const char *v = collect_verdict(&d->configs[i]);

        if (!strcmp(v, "pass"))
            out->pass++;
        else if (!strcmp(v, "inconclusive"))
            out->inconclusive++;
        else if (!strcmp(v, "fail"))
            out->fail++;
        else if (!strcmp(v, "error"))
            out->error++;
        else if (!strcmp(v, "unsupported"))
            out->unsupported++;
    }
    /* meta.json keeps a record value that reads as a number as one. */
    m = json_object_get(json_object_get(d->guest, "platform"), "missing");
    if (json_is_integer(m))
        snprintf(out->missing_cpus, sizeof(out->missing_cpus), "%lld",
                 (long long)json_integer_value(m));
    missing = json_string_value(m);
    if (missing && strcmp(missing, "-") && strlen(missing) < sizeof(out->missing_cpus))
        strcpy(out->missing_cpus, missing);
    else if (missing && strcmp(missing, "-"))
        strcpy(out->missing_cpus, "(more than fit this line)");
}

void verdicts_print(FILE *out, const struct verdict_counts *v)
{
    fprintf(out, "verdicts: %u pass, %u inconclusive, %u fail, %u error, %u unsupported\n",
            v->pass, v->inconclusive, v->fail, v->error, v->unsupported);
    if (v->missing_cpus[0])
        fprintf(out, "cpus that never came up: %s (the configurations that need them read "
                "error; exit status %d)\n", v->missing_cpus, HVFLUSH_EXIT_VERDICT);
}

json_t *verdicts_json(const struct verdict_counts *v)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:i}", "pass", (int)v->pass,
                     "inconclusive", (int)v->inconclusive, "fail", (int)v->fail,
                     "error", (int)v->error, "unsupported", (int)v->unsupported);
}

int verdicts_exit_status(const struct verdict_counts *v)
{
    return v->fail || v->error || v->missing_cpus[0] ? HVFLUSH_EXIT_VERDICT : 0;
}
