/*
 * The table of placement policies, the --pin syntax, thread binding and
 * topology loading with libhwloc (see pin.h; the policies are in
 * pin_policy.c).
 */
#include "pin.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pin_policy.h"
#include "util.h"

enum pin_arg {
    ARG_NONE,
    ARG_COUNT,                  /* overcommit:N */
    ARG_LIST,                   /* cpus:LIST */
};

static const struct {
    const char *name;
    enum pin_arg arg;
    pin_policy_fn fn;
} policies[PIN_POLICY_COUNT] = {
    [PIN_NONE] = { "none", ARG_NONE, pin_policy_none },
    [PIN_COMPACT] = { "compact", ARG_NONE, pin_policy_compact },
    [PIN_SCATTER] = { "scatter", ARG_NONE, pin_policy_scatter },
    [PIN_SMT_PAIRS] = { "smt-pairs", ARG_NONE, pin_policy_smt_pairs },
    [PIN_SAME_LLC] = { "same-llc", ARG_NONE, pin_policy_same_llc },
    [PIN_CROSS_LLC] = { "cross-llc", ARG_NONE, pin_policy_cross_llc },
    [PIN_CROSS_NUMA] = { "cross-numa", ARG_NONE, pin_policy_cross_numa },
    [PIN_OVERCOMMIT] = { "overcommit", ARG_COUNT, pin_policy_overcommit },
    [PIN_CPUS] = { "cpus", ARG_LIST, pin_policy_cpus },
};

static const char *const arg_suffix[] = { [ARG_NONE] = "", [ARG_COUNT] = ":N",
                                          [ARG_LIST] = ":LIST" };

bool pin_policy_from_name(const char *name, enum pin_policy *out)
{
    for (int i = 0; i < PIN_POLICY_COUNT; i++)
        if (!strcmp(name, policies[i].name)) {
            *out = (enum pin_policy)i;
            return true;
        }
    return false;
}

const char *pin_policy_name(enum pin_policy p)
{
    return p < PIN_POLICY_COUNT ? policies[p].name : "?";
}

const char *pin_policy_names(void)
{
    static char names[256];

    if (!names[0])
        for (int i = 0; i < PIN_POLICY_COUNT; i++)
            append(names, sizeof(names), "%s%s%s", i ? ", " : "", policies[i].name,
                   arg_suffix[policies[i].arg]);
    return names;
}

/* A decimal number below limit at *s, advancing *s; false if none. */
static bool take_number(const char **s, unsigned long limit, unsigned *out)
{
    char *end;
    unsigned long v;

    if (**s < '0' || **s > '9')
        return false;
    errno = 0;
    v = strtoul(*s, &end, 10);
    if (errno || v >= limit)
        return false;
    *s = end;
    *out = (unsigned)v;
    return true;
}

/* "0,2,4-7": numbers and ascending ranges, comma-separated. */
static bool parse_list(const char *s, struct pin_spec *out, char *err, size_t errcap)
{
    const char *item = s;

    out->nlist = 0;
    for (;;) {
        unsigned lo, hi;

        if (!take_number(&s, 1u << 20, &lo))
            return fmt(err, errcap, "cpus: '%.40s' is not a PU number (cpus:LIST, e.g. "
                       "cpus:0,2,4-7)", item), false;
        hi = lo;
        if (*s == '-') {
            s++;
            if (!take_number(&s, 1u << 20, &hi) || hi < lo)
                return fmt(err, errcap, "cpus: '%.40s' is not an ascending range A-B", item),
                       false;
        }
        for (unsigned pu = lo; pu <= hi; pu++) {
            if (out->nlist == PIN_LIST_MAX)
                return fmt(err, errcap, "cpus: the list names more than %d PUs",
                           PIN_LIST_MAX), false;
            out->list[out->nlist++] = pu;
        }
        if (*s == '\0')
            return true;
        if (*s != ',')
            return fmt(err, errcap, "cpus: unexpected '%c' in '%.40s'", *s, item), false;
        item = ++s;
    }
}

bool pin_spec_parse(const char *text, struct pin_spec *out, char *err, size_t errcap)
{
    const char *colon = strchr(text, ':');
    size_t namelen = colon ? (size_t)(colon - text) : strlen(text);
    char name[32];
    enum pin_policy p;

    memset(out, 0, sizeof(*out));
    if (namelen >= sizeof(name) || strlen(text) >= sizeof(out->text))
        return fmt(err, errcap, "'%.40s...' is not one of %s", text, pin_policy_names()), false;
    memcpy(name, text, namelen);
    name[namelen] = '\0';
    if (!pin_policy_from_name(name, &p))
        return fmt(err, errcap, "'%s' is not one of %s", text, pin_policy_names()), false;
    out->policy = p;
    fmt(out->text, sizeof(out->text), "%s", text);
    switch (policies[p].arg) {
    case ARG_NONE:
        if (colon)
            return fmt(err, errcap, "%s takes no argument ('%s')", name, text), false;
        return true;
    case ARG_COUNT: {
        const char *num = colon ? colon + 1 : "";

        if (!take_number(&num, PIN_PER_PU_MAX + 1, &out->per_pu) || *num || out->per_pu == 0)
            return fmt(err, errcap, "%s needs :N, the vCPUs per PU (1 to %d), e.g. %s:2",
                       name, PIN_PER_PU_MAX, name), false;
        return true;
    }
    case ARG_LIST:
        if (!colon)
            return fmt(err, errcap, "cpus needs :LIST, one PU per vCPU by OS index, e.g. "
                       "cpus:0,2,4-7"), false;
        return parse_list(colon + 1, out, err, errcap);
    }
    return false;
}

void pin_spec_default(struct pin_spec *out)
{
    memset(out, 0, sizeof(*out));
    out->policy = PIN_COMPACT;
    fmt(out->text, sizeof(out->text), "%s", policies[PIN_COMPACT].name);
}

const char *pin_spec_inner_text(const struct pin_spec *spec)
{
    switch (spec->policy) {
    case PIN_NONE:
    case PIN_COMPACT:
    case PIN_SCATTER:
        return policies[spec->policy].name;
    default:
        return policies[PIN_COMPACT].name;
    }
}

unsigned pin_pu_count(hwloc_topology_t topo)
{
    int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);

    return n > 0 ? (unsigned)n : 0;
}

bool pin_spec_sets(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                   hwloc_bitmap_t *sets, char *why, size_t whycap)
{
    for (unsigned i = 0; i < nvcpus; i++)
        sets[i] = NULL;
    if (spec->policy >= PIN_POLICY_COUNT)
        return fmt(why, whycap, "no such policy"), false;
    if (spec->policy != PIN_NONE && pin_pu_count(topo) == 0)
        return fmt(why, whycap, "the topology has no PUs"), false;
    if (!policies[spec->policy].fn(topo, spec, nvcpus, sets, why, whycap)) {
        pin_sets_free(sets, nvcpus);
        return false;
    }
    return true;
}

bool pin_policy_sets(hwloc_topology_t topo, enum pin_policy p, unsigned nvcpus,
                     hwloc_bitmap_t *sets)
{
    struct pin_spec spec;
    char why[160];

    memset(&spec, 0, sizeof(spec));
    spec.policy = p;
    return pin_spec_sets(topo, &spec, nvcpus, sets, why, sizeof(why));
}

void pin_sets_free(hwloc_bitmap_t *sets, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        hwloc_bitmap_free(sets[i]);
        sets[i] = NULL;
    }
}

hwloc_bitmap_t pin_thread_set(const hwloc_bitmap_t *sets, const long *tids, unsigned n,
                              unsigned i)
{
    hwloc_bitmap_t u;

    if (!sets[i] || !(u = hwloc_bitmap_dup(sets[i])))
        return NULL;
    for (unsigned j = 0; j < n; j++)
        if (j != i && tids[j] == tids[i] && sets[j])
            hwloc_bitmap_or(u, u, sets[j]);
    return u;
}

bool pin_apply(hwloc_topology_t topo, const hwloc_bitmap_t *sets,
               const long *tids, unsigned n, struct pin_entry *map,
               char *err, size_t errcap)
{
    for (unsigned i = 0; i < n; i++) {
        hwloc_bitmap_t bind;
        int rc;

        map[i].vcpu = i;
        map[i].thread_id = tids[i];
        if (!sets[i]) {
            fmt(map[i].pus, sizeof(map[i].pus), "unpinned");
            continue;
        }
        hwloc_bitmap_list_snprintf(map[i].pus, sizeof(map[i].pus), sets[i]);
        bind = pin_thread_set(sets, tids, n, i);
        if (!bind) {
            fmt(err, errcap, "out of memory");
            return false;
        }
        /* On Linux a thread id is accepted where hwloc expects a pid. */
        rc = hwloc_set_proc_cpubind(topo, (hwloc_pid_t)tids[i], bind, HWLOC_CPUBIND_THREAD);
        hwloc_bitmap_free(bind);
        if (rc < 0) {
            fmt(err, errcap, "cannot pin vCPU %u (thread %ld) to PU %s: %s",
                i, tids[i], map[i].pus, strerror(errno));
            return false;
        }
    }
    return true;
}

hwloc_topology_t pin_load_host_topology(void)
{
    hwloc_topology_t topo;

    if (hwloc_topology_init(&topo) < 0)
        return NULL;
    if (hwloc_topology_load(topo) < 0) {
        hwloc_topology_destroy(topo);
        return NULL;
    }
    return topo;
}

hwloc_topology_t pin_load_topology(const char *xml, const char *synthetic,
                                   char *err, size_t errcap)
{
    hwloc_topology_t topo;

    if (!xml && !synthetic) {
        topo = pin_load_host_topology();
        if (!topo)
            fmt(err, errcap, "cannot read the host topology with hwloc");
        return topo;
    }
    if (hwloc_topology_init(&topo) < 0)
        return fmt(err, errcap, "hwloc: %s", strerror(errno)), NULL;
    errno = 0;
    if (xml && hwloc_topology_set_xml(topo, xml) < 0)
        fmt(err, errcap, "--topology %s: %s", xml,
            errno ? strerror(errno) : "not an hwloc XML topology");
    else if (synthetic && hwloc_topology_set_synthetic(topo, synthetic) < 0)
        fmt(err, errcap, "--synthetic '%s': not a synthetic topology hwloc reads (levels "
            "TYPE:COUNT from the top down to pu:N, e.g. \"pack:2 l3:2 core:4 pu:2\")",
            synthetic);
    else if (hwloc_topology_load(topo) < 0)
        fmt(err, errcap, "%s%s: hwloc cannot load it as a topology", xml ? "--topology " : "",
            xml ? xml : "the synthetic description");
    else
        return topo;
    hwloc_topology_destroy(topo);
    return NULL;
}

unsigned pin_default_vcpus(void)
{
    hwloc_topology_t topo = pin_load_host_topology();
    unsigned n = topo ? pin_pu_count(topo) : 2;

    if (topo)
        hwloc_topology_destroy(topo);
    return n < 2 ? 2 : n > 8 ? 8 : n;
}
