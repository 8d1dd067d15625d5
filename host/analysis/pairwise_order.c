/*
 * The pairwise heat map's axis order from a run's meta.json (see
 * pairwise.h): vCPUs sorted by the host PU each is pinned to, in hwloc's
 * logical (topology) order where the recorded topology loads.
 */
#include "analysis/pairwise.h"

#include <stdlib.h>
#include <string.h>
#include <hwloc.h>

const char *pairwise_order_text(enum pairwise_order_kind kind)
{
    switch (kind) {
    case PAIRWISE_ORDER_TOPOLOGY:
        return "vCPUs in host topology order (hwloc logical index of the PU each is pinned to)";
    case PAIRWISE_ORDER_PU_OS:
        return "vCPUs by the OS index of the host PU each is pinned to (no topology recorded)";
    case PAIRWISE_ORDER_NESTED:
        return "vCPUs in vCPU order (nested lab: the host pins L1, not these L2 vCPUs)";
    default:
        return "vCPUs in vCPU order (not all pinned)";
    }
}

/* The PU vCPU v is pinned to: the entry's "pu", else the lowest of its
 * "pus" list ("3", "2-3,6"); -1 when none ("unpinned", no entry). */
static int pinned_pu(const json_t *map, unsigned v)
{
    size_t i;
    json_t *e;

    json_array_foreach(map, i, e) {
        const json_t *pu = json_object_get(e, "pu");
        const char *pus = json_string_value(json_object_get(e, "pus"));
        char *end;
        long x;

        if (json_integer_value(json_object_get(e, "vcpu")) != (json_int_t)v ||
            !json_is_integer(json_object_get(e, "vcpu")))
            continue;
        if (json_is_integer(pu) && json_integer_value(pu) >= 0)
            return (int)json_integer_value(pu);
        if (!pus || *pus < '0' || *pus > '9')
            return -1;
        x = strtol(pus, &end, 10);
        return x >= 0 && x < 1 << 20 ? (int)x : -1;
    }
    return -1;
}

/* The logical index of each pinned vCPU's PU in the topology XML of
 * meta.json (key[v]); false when there is no such topology or a PU is
 * not in it. */
static bool logical_keys(const json_t *meta, const struct pairwise_order *o, long *key)
{
    const char *xml = json_string_value(json_object_get(json_object_get(meta, "hwloc"),
                                                        "topology_xml"));
    hwloc_topology_t topo;
    bool ok = true;

    if (!xml || hwloc_topology_init(&topo) < 0)
        return false;
    if (hwloc_topology_set_xmlbuffer(topo, xml, (int)strlen(xml) + 1) < 0 ||
        hwloc_topology_load(topo) < 0) {
        hwloc_topology_destroy(topo);
        return false;
    }
    for (unsigned v = 0; v < o->ncpus && ok; v++) {
        hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(topo, (unsigned)o->pu[v]);

        ok = pu != NULL;
        if (pu)
            key[v] = (long)pu->logical_index;
    }
    hwloc_topology_destroy(topo);
    return ok;
}

void pairwise_order_from_meta(const json_t *meta, unsigned ncpus, struct pairwise_order *o)
{
    const json_t *map = json_object_get(json_object_get(meta, "pinning"), "map");
    long key[SWEEP_MAX_CPUS];
    bool pinned = ncpus > 0;

    memset(o, 0, sizeof(*o));
    o->ncpus = ncpus > SWEEP_MAX_CPUS ? SWEEP_MAX_CPUS : ncpus;
    for (unsigned v = 0; v < o->ncpus; v++) {
        o->pu[v] = json_is_array(map) ? pinned_pu(map, v) : -1;
        pinned &= o->pu[v] >= 0;
        key[v] = v;
        o->vcpu_at[v] = v;
    }
    o->kind = json_object_get(meta, "lab") ? PAIRWISE_ORDER_NESTED : PAIRWISE_ORDER_VCPU;
    if (pinned && o->kind != PAIRWISE_ORDER_NESTED) {
        o->kind = PAIRWISE_ORDER_TOPOLOGY;
        if (!logical_keys(meta, o, key)) {
            o->kind = PAIRWISE_ORDER_PU_OS;
            for (unsigned v = 0; v < o->ncpus; v++)
                key[v] = o->pu[v];
        }
    }
    /* Insertion sort by (key, vCPU): stable, and at most 256 vCPUs. */
    for (unsigned i = 1; i < o->ncpus; i++) {
        uint32_t v = o->vcpu_at[i];
        unsigned k = i;

        for (; k > 0 && key[o->vcpu_at[k - 1]] > key[v]; k--)
            o->vcpu_at[k] = o->vcpu_at[k - 1];
        o->vcpu_at[k] = v;
    }
    for (unsigned p = 0; p < o->ncpus; p++)
        o->pos_of[o->vcpu_at[p]] = p;
}
