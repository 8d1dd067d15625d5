/*
 * conformance.csv: the guest's hypercall conformance cases (one
 * `conformance` record each), with the status the hypervisor returned next
 * to what the TLFS prescribes.  The guest records; it does not judge.  The
 * `tlfs_match` column says whether the two agree where the TLFS prescribes
 * a status at all (`-` where it does not).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "conformance.h"
#include "util.h"

static const char *field(json_t *rec, const char *key, char *buf, size_t cap)
{
    json_t *v = json_object_get(rec, key);

    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        fmt(buf, cap, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return "";
}

/* The TLFS prescribes either a status or a #UD ("fault-ud"). */
static bool matches_tlfs(const char *status, const char *fault, const char *tlfs)
{
    if (!strcmp(tlfs, "fault-ud"))
        return !strcmp(fault, "6");
    return !strcmp(fault, "0") && !strcmp(status, tlfs);
}

bool conformance_write(const char *run_dir, const struct run_data *d, char *err, size_t errcap)
{
    json_t *cases = json_object_get(d->guest, "conformance");
    char path[4096];
    size_t i;
    json_t *rec;
    FILE *f;

    if (!json_array_size(cases))
        return true;                 /* no Hyper-V here: no table */
    fmt(path, sizeof(path), "%s/conformance.csv", run_dir);
    f = fopen(path, "w");
    if (!f)
        return fmt(err, errcap, "cannot write %s", path), false;
    fputs("case,call,input,status,code,reps,fault,tlfs,tlfs_match\n", f);
    json_array_foreach(cases, i, rec) {
        static const char *const keys[] = {
            "case", "call", "input", "status", "code", "reps", "fault", "tlfs",
        };
        char buf[8][48];
        const char *v[8];
        bool prescribed;

        for (size_t k = 0; k < 8; k++)
            v[k] = field(rec, keys[k], buf[k], sizeof(buf[k]));
        prescribed = v[7][0] && strcmp(v[7], "-") != 0;
        fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", v[0], v[1], v[2], v[3], v[4], v[5],
                v[6], v[7], !prescribed ? "-" : matches_tlfs(v[3], v[6], v[7]) ? "yes" : "no");
    }
    if (fclose(f) != 0)
        return fmt(err, errcap, "cannot write %s", path), false;
    return true;
}
