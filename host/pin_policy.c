/*
 * The vCPU placement policies (see pin_policy.h for the contract and pin.c
 * for the table that names them).  Every policy but none binds each vCPU to
 * exactly one PU.  compact and scatter wrap around when there are more
 * vCPUs than PUs (run says so); the others refuse what they cannot place as
 * asked, since a shared PU would measure something else.
 *
 * Where a policy fills a domain (an LLC, a NUMA node, the machine) it takes
 * its PUs "cores first": the first PU of every core in logical order, then
 * the second PU of every core, and so on, so that vCPUs share an SMT core
 * only when the domain has no free core left.
 */
#include "pin_policy.h"

#include <limits.h>
#include <stdlib.h>

#include "util.h"

/* One vCPU on one PU. */
static bool set_pu(hwloc_bitmap_t *sets, unsigned i, hwloc_obj_t pu, char *why, size_t whycap)
{
    sets[i] = hwloc_bitmap_dup(pu->cpuset);
    if (!sets[i])
        return fmt(why, whycap, "out of memory"), false;
    return true;
}

/* The PUs inside within, cores first (see the top of the file); returns
 * how many were stored in out (at most cap). */
static unsigned cores_first(hwloc_topology_t topo, hwloc_const_cpuset_t within,
                            hwloc_obj_t *out, unsigned cap)
{
    unsigned n = 0, *rank, maxrank = 0, count = 0;
    hwloc_obj_t pu = NULL, *pus = calloc(cap, sizeof(*pus));

    rank = calloc(cap, sizeof(*rank));
    while (pus && rank && n < cap &&
           (pu = hwloc_get_next_obj_inside_cpuset_by_type(topo, within, HWLOC_OBJ_PU, pu))) {
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);

        /* A PU's rank in its core: how many of the core's PUs in within
         * come before it.  PUs without a core are their own core. */
        rank[n] = 0;
        for (unsigned j = 0; core && j < n; j++)
            if (hwloc_bitmap_isset(core->cpuset, pus[j]->os_index))
                rank[n]++;
        if (rank[n] > maxrank)
            maxrank = rank[n];
        pus[n++] = pu;
    }
    for (unsigned r = 0; r <= maxrank && pus && rank; r++)
        for (unsigned j = 0; j < n; j++)
            if (rank[j] == r)
                out[count++] = pus[j];
    free(pus);
    free(rank);
    return count;
}

/* Spreads vCPUs round-robin over domains (vCPU i in domain i mod ndoms),
 * each domain's share cores first.  what names a domain in messages. */
static bool fill_domains(hwloc_topology_t topo, hwloc_obj_t *doms, unsigned ndoms,
                         unsigned nvcpus, hwloc_bitmap_t *sets, const char *what,
                         char *why, size_t whycap)
{
    unsigned npu = pin_pu_count(topo), need = (nvcpus + ndoms - 1) / ndoms;
    hwloc_obj_t *order = calloc(npu, sizeof(*order));
    bool ok = order != NULL;

    if (!ok)
        fmt(why, whycap, "out of memory");
    for (unsigned d = 0; ok && d < ndoms && d < nvcpus; d++) {
        unsigned have = cores_first(topo, doms[d]->cpuset, order, npu);

        need = (nvcpus - d + ndoms - 1) / ndoms;
        if (have < need) {
            fmt(why, whycap, "%u vCPUs need %u PUs in %s %s L#%u, which has %u", nvcpus, need,
                ndoms > 1 ? "each" : "one", what, doms[d]->logical_index, have);
            ok = false;
            break;
        }
        for (unsigned i = d, k = 0; ok && i < nvcpus; i += ndoms, k++)
            ok = set_pu(sets, i, order[k], why, whycap);
    }
    free(order);
    return ok;
}

/* The objects of type with at least one PU, in logical order; their count. */
static unsigned objects_with_pus(hwloc_topology_t topo, hwloc_obj_type_t type,
                                 hwloc_obj_t *out, unsigned cap)
{
    unsigned n = 0;

    for (hwloc_obj_t o = NULL; n < cap && (o = hwloc_get_next_obj_by_type(topo, type, o));)
        if (o->cpuset && !hwloc_bitmap_iszero(o->cpuset))
            out[n++] = o;
    return n;
}

hwloc_obj_type_t pin_llc_type(hwloc_topology_t topo)
{
    static const hwloc_obj_type_t levels[] = { HWLOC_OBJ_L5CACHE, HWLOC_OBJ_L4CACHE,
                                               HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L2CACHE,
                                               HWLOC_OBJ_L1CACHE };

    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (hwloc_get_nbobjs_by_type(topo, levels[i]) > 0)
            return levels[i];
    return HWLOC_OBJ_TYPE_MAX;
}

/* No binding at all: every vCPU stays where the host scheduler puts it. */
bool pin_policy_none(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                     hwloc_bitmap_t *sets, char *why, size_t whycap)
{
    (void)topo, (void)spec, (void)why, (void)whycap;
    for (unsigned i = 0; i < nvcpus; i++)
        sets[i] = NULL;
    return true;
}

/* vCPU i on the i-th PU in logical order, wrapping when there are more
 * vCPUs than PUs.  Logical order puts a core's SMT siblings next to each
 * other, so neighbouring vCPUs share cores and caches as much as the host
 * allows. */
bool pin_policy_compact(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                        hwloc_bitmap_t *sets, char *why, size_t whycap)
{
    unsigned npu = pin_pu_count(topo);

    (void)spec;
    for (unsigned i = 0; i < nvcpus; i++)
        if (!set_pu(sets, i, hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i % npu), why, whycap))
            return false;
    return true;
}

/* Spreads vCPUs as far apart as possible: hwloc_distrib divides the
 * machine between packages first, then the levels below them (NUMA groups,
 * LLCs, cores), then PUs; each vCPU then takes the first PU of its share so
 * that it is bound to exactly one PU.  Wraps as compact does. */
bool pin_policy_scatter(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                        hwloc_bitmap_t *sets, char *why, size_t whycap)
{
    hwloc_obj_t root = hwloc_get_root_obj(topo);

    (void)spec;
    if (hwloc_distrib(topo, &root, 1, sets, nvcpus, INT_MAX, 0) < 0)
        return fmt(why, whycap, "hwloc_distrib failed"), false;
    for (unsigned i = 0; i < nvcpus; i++)
        if (!sets[i] || hwloc_bitmap_singlify(sets[i]) < 0)
            return fmt(why, whycap, "out of memory"), false;
    return true;
}

/* vCPUs 2k and 2k+1 on the first two PUs (hyperthreads) of the k-th core
 * that has two, in logical order; an odd last vCPU takes the first PU of
 * the next such core. */
bool pin_policy_smt_pairs(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                          hwloc_bitmap_t *sets, char *why, size_t whycap)
{
    unsigned ncores = 0, need = (nvcpus + 1) / 2, i = 0;
    hwloc_obj_t core = NULL;

    (void)spec;
    while ((core = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE, core)))
        ncores += hwloc_bitmap_weight(core->cpuset) >= 2;
    if (ncores == 0)
        return fmt(why, whycap, "the topology has no SMT (no core with two PUs)"), false;
    if (ncores < need)
        return fmt(why, whycap, "%u vCPUs need %u cores with two PUs; the topology has %u",
                   nvcpus, need, ncores), false;
    while (i < nvcpus && (core = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE, core))) {
        hwloc_obj_t pu = NULL;

        if (hwloc_bitmap_weight(core->cpuset) < 2)
            continue;
        for (int k = 0; k < 2 && i < nvcpus; k++, i++) {
            pu = hwloc_get_next_obj_inside_cpuset_by_type(topo, core->cpuset, HWLOC_OBJ_PU, pu);
            if (!set_pu(sets, i, pu, why, whycap))
                return false;
        }
    }
    return true;
}

/* Every vCPU within one LLC: the first LLC in logical order with a PU for
 * each vCPU, filled cores first. */
bool pin_policy_same_llc(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                         hwloc_bitmap_t *sets, char *why, size_t whycap)
{
    hwloc_obj_type_t llc = pin_llc_type(topo);
    hwloc_obj_t o = NULL, largest = NULL;
    char name[32];

    (void)spec;
    if (llc == HWLOC_OBJ_TYPE_MAX)
        return fmt(why, whycap, "the topology shows no cache, so no LLC to share"), false;
    while ((o = hwloc_get_next_obj_by_type(topo, llc, o))) {
        if ((unsigned)hwloc_bitmap_weight(o->cpuset) >= nvcpus)
            return fill_domains(topo, &o, 1, nvcpus, sets, "LLC", why, whycap);
        if (!largest || hwloc_bitmap_weight(o->cpuset) > hwloc_bitmap_weight(largest->cpuset))
            largest = o;
    }
    hwloc_obj_type_snprintf(name, sizeof(name), largest, 0);
    return fmt(why, whycap, "%u vCPUs do not fit in one LLC (the largest, %s L#%u, has %d PUs)",
               nvcpus, name, largest->logical_index, hwloc_bitmap_weight(largest->cpuset)),
           false;
}

/* Consecutive vCPUs in different LLCs: vCPU i in LLC i mod (number of
 * LLCs), each LLC's share cores first. */
bool pin_policy_cross_llc(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                          hwloc_bitmap_t *sets, char *why, size_t whycap)
{
    hwloc_obj_type_t llc = pin_llc_type(topo);
    unsigned npu = pin_pu_count(topo), n;
    hwloc_obj_t *doms;
    bool ok;

    (void)spec;
    if (llc == HWLOC_OBJ_TYPE_MAX)
        return fmt(why, whycap, "the topology shows no cache, so no LLCs to cross"), false;
    doms = calloc(npu, sizeof(*doms));
    if (!doms)
        return fmt(why, whycap, "out of memory"), false;
    n = objects_with_pus(topo, llc, doms, npu);
    if (n < 2)
        ok = (fmt(why, whycap, "the topology has one LLC; cross-llc needs two"), false);
    else
        ok = fill_domains(topo, doms, n, nvcpus, sets, "LLC", why, whycap);
    free(doms);
    return ok;
}

/* Consecutive vCPUs on different NUMA nodes: vCPU i on node i mod (number
 * of nodes with PUs), each node's share cores first. */
bool pin_policy_cross_numa(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                           hwloc_bitmap_t *sets, char *why, size_t whycap)
{
    unsigned npu = pin_pu_count(topo), n;
    hwloc_obj_t *doms = calloc(npu, sizeof(*doms));
    bool ok;

    (void)spec;
    if (!doms)
        return fmt(why, whycap, "out of memory"), false;
    n = objects_with_pus(topo, HWLOC_OBJ_NUMANODE, doms, npu);
    if (n < 2)
        ok = (fmt(why, whycap, "the topology has one NUMA node with PUs; cross-numa needs two"),
              false);
    else
        ok = fill_domains(topo, doms, n, nvcpus, sets, "NUMA node", why, whycap);
    free(doms);
    return ok;
}

/* N vCPUs per PU: vCPUs 0..N-1 on the first PU of the machine taken cores
 * first, the next N on the second, and so on (the last PU may carry
 * fewer).  Refuses when the machine has fewer than ceil(vCPUs / N) PUs. */
bool pin_policy_overcommit(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                           hwloc_bitmap_t *sets, char *why, size_t whycap)
{
    unsigned npu = pin_pu_count(topo), per = spec->per_pu, need, have;
    hwloc_obj_t *order;
    bool ok = true;

    if (per == 0)
        return fmt(why, whycap, "overcommit needs :N"), false;
    need = (nvcpus + per - 1) / per;
    if (need > npu)
        return fmt(why, whycap, "%u vCPUs, %u per PU, need %u PUs; the topology has %u",
                   nvcpus, per, need, npu), false;
    order = calloc(npu, sizeof(*order));
    if (!order)
        return fmt(why, whycap, "out of memory"), false;
    have = cores_first(topo, hwloc_topology_get_topology_cpuset(topo), order, npu);
    if (have < need)
        ok = (fmt(why, whycap, "the topology lists %u of its %u PUs", have, npu), false);
    for (unsigned i = 0; ok && i < nvcpus; i++)
        ok = set_pu(sets, i, order[i / per], why, whycap);
    free(order);
    return ok;
}

/* The PUs the user listed, by OS index, one per vCPU in vCPU order. */
bool pin_policy_cpus(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                     hwloc_bitmap_t *sets, char *why, size_t whycap)
{
    char present[256];

    if (spec->nlist != nvcpus)
        return fmt(why, whycap, "the list names %u PU%s for %u vCPU%s (one PU per vCPU, in "
                   "order)", spec->nlist, spec->nlist == 1 ? "" : "s", nvcpus,
                   nvcpus == 1 ? "" : "s"), false;
    for (unsigned i = 0; i < nvcpus; i++) {
        hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(topo, spec->list[i]);

        if (!pu) {
            hwloc_bitmap_list_snprintf(present, sizeof(present),
                                       hwloc_topology_get_topology_cpuset(topo));
            return fmt(why, whycap, "PU %u is not in the topology (its PUs: %s)",
                       spec->list[i], present), false;
        }
        if (!set_pu(sets, i, pu, why, whycap))
            return false;
    }
    return true;
}
