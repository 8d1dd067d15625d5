/*
 * vCPU placement policies and thread binding with libhwloc (see pin.h).
 */
#include "pin.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef bool (*pin_policy_fn)(hwloc_topology_t topo, unsigned nvcpus,
                              hwloc_bitmap_t *sets);

/* No binding at all: every vCPU stays where the host scheduler puts it. */
static bool policy_none(hwloc_topology_t topo, unsigned nvcpus, hwloc_bitmap_t *sets)
{
    (void)topo;
    for (unsigned i = 0; i < nvcpus; i++)
        sets[i] = NULL;
    return true;
}

/* vCPU i on the i-th PU in logical order, wrapping when there are more
 * vCPUs than PUs.  Neighbouring vCPUs share caches (and SMT cores) as much
 * as the host allows. */
static bool policy_compact(hwloc_topology_t topo, unsigned nvcpus, hwloc_bitmap_t *sets)
{
    unsigned npu = pin_pu_count(topo);

    if (npu == 0)
        return false;
    for (unsigned i = 0; i < nvcpus; i++) {
        hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i % npu);

        sets[i] = pu ? hwloc_bitmap_dup(pu->cpuset) : NULL;
        if (!sets[i])
            return false;
    }
    return true;
}

/* Spreads vCPUs as far apart as possible: hwloc_distrib divides the
 * machine between packages first, then cores, then PUs; each vCPU then
 * takes the first PU of its share so that it is bound to exactly one PU. */
static bool policy_scatter(hwloc_topology_t topo, unsigned nvcpus, hwloc_bitmap_t *sets)
{
    hwloc_obj_t root = hwloc_get_root_obj(topo);

    if (pin_pu_count(topo) == 0)
        return false;
    if (hwloc_distrib(topo, &root, 1, sets, nvcpus, INT_MAX, 0) < 0)
        return false;
    for (unsigned i = 0; i < nvcpus; i++)
        if (!sets[i] || hwloc_bitmap_singlify(sets[i]) < 0)
            return false;
    return true;
}

static const struct {
    const char *name;
    pin_policy_fn fn;
} policies[PIN_POLICY_COUNT] = {
    [PIN_NONE] = { "none", policy_none },
    [PIN_COMPACT] = { "compact", policy_compact },
    [PIN_SCATTER] = { "scatter", policy_scatter },
};

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
    static char names[128];

    if (!names[0])
        for (int i = 0; i < PIN_POLICY_COUNT; i++)
            append(names, sizeof(names), "%s%s", i ? ", " : "", policies[i].name);
    return names;
}

unsigned pin_pu_count(hwloc_topology_t topo)
{
    int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);

    return n > 0 ? (unsigned)n : 0;
}

bool pin_policy_sets(hwloc_topology_t topo, enum pin_policy p, unsigned nvcpus,
                     hwloc_bitmap_t *sets)
{
    for (unsigned i = 0; i < nvcpus; i++)
        sets[i] = NULL;
    if (p >= PIN_POLICY_COUNT)
        return false;
    if (!policies[p].fn(topo, nvcpus, sets)) {
        pin_sets_free(sets, nvcpus);
        return false;
    }
    return true;
}

void pin_sets_free(hwloc_bitmap_t *sets, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        hwloc_bitmap_free(sets[i]);
        sets[i] = NULL;
    }
}

bool pin_apply(hwloc_topology_t topo, const hwloc_bitmap_t *sets,
               const long *tids, unsigned n, struct pin_entry *map,
               char *err, size_t errcap)
{
    for (unsigned i = 0; i < n; i++) {
        map[i].vcpu = i;
        map[i].thread_id = tids[i];
        if (!sets[i]) {
            fmt(map[i].pus, sizeof(map[i].pus), "unpinned");
            continue;
        }
        hwloc_bitmap_list_snprintf(map[i].pus, sizeof(map[i].pus), sets[i]);
        /* On Linux a thread id is accepted where hwloc expects a pid. */
        if (hwloc_set_proc_cpubind(topo, (hwloc_pid_t)tids[i], sets[i],
                                   HWLOC_CPUBIND_THREAD) < 0) {
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

unsigned pin_default_vcpus(void)
{
    hwloc_topology_t topo = pin_load_host_topology();
    unsigned n = topo ? pin_pu_count(topo) : 2;

    if (topo)
        hwloc_topology_destroy(topo);
    return n < 2 ? 2 : n > 8 ? 8 : n;
}
