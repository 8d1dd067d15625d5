/*
 * A pinning plan (see pin.h): the policy's cpusets turned into what a
 * person and meta.json read -- every vCPU's PU with the hwloc objects above
 * it -- and the PUs left for QEMU's other threads (main loop, I/O, RCU).
 * "hvflush pin" prints it and "hvflush run" binds and records the same
 * plan, so the two cannot disagree.
 */
#include "pin.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static int ancestor_index(hwloc_topology_t topo, hwloc_obj_type_t type, hwloc_obj_t pu)
{
    hwloc_obj_t o = hwloc_get_ancestor_obj_by_type(topo, type, pu);

    return o ? (int)o->logical_index : -1;
}

/* NUMA nodes hang beside the CPU tree in hwloc 2, so a PU's node is the one
 * whose cpuset holds it. */
static int numa_index(hwloc_topology_t topo, hwloc_obj_t pu)
{
    for (hwloc_obj_t n = NULL; (n = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, n));)
        if (n->cpuset && hwloc_bitmap_isset(n->cpuset, pu->os_index))
            return (int)n->logical_index;
    return -1;
}

static void place_of(hwloc_topology_t topo, hwloc_const_bitmap_t set, struct pin_place *p)
{
    hwloc_obj_t pu = set ? hwloc_get_pu_obj_by_os_index(topo, (unsigned)hwloc_bitmap_first(set))
                         : NULL;

    p->pu = p->package = p->numa = p->l3 = p->core = -1;
    if (!pu)
        return;
    p->pu = (int)pu->os_index;
    p->package = ancestor_index(topo, HWLOC_OBJ_PACKAGE, pu);
    p->numa = numa_index(topo, pu);
    p->l3 = ancestor_index(topo, HWLOC_OBJ_L3CACHE, pu);
    p->core = ancestor_index(topo, HWLOC_OBJ_CORE, pu);
}

/* The PUs no vCPU uses go to QEMU's other threads; none when every PU
 * carries a vCPU or the vCPUs are not pinned at all. */
static bool plan_others(hwloc_topology_t topo, const struct pin_spec *spec,
                        const hwloc_bitmap_t *sets, struct pin_plan *plan)
{
    hwloc_bitmap_t used;

    if (spec->policy == PIN_NONE) {
        fmt(plan->others_note, sizeof(plan->others_note),
            "left to the scheduler (--pin none)");
        return true;
    }
    used = hwloc_bitmap_alloc();
    plan->others = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo));
    if (!used || !plan->others) {
        hwloc_bitmap_free(used);
        return false;
    }
    for (unsigned i = 0; i < plan->nvcpus; i++)
        if (sets[i])
            hwloc_bitmap_or(used, used, sets[i]);
    hwloc_bitmap_andnot(plan->others, plan->others, used);
    hwloc_bitmap_free(used);
    if (hwloc_bitmap_iszero(plan->others)) {
        hwloc_bitmap_free(plan->others);
        plan->others = NULL;
        fmt(plan->others_note, sizeof(plan->others_note),
            "left where they are: every PU carries a vCPU");
    }
    return true;
}

bool pin_plan_make(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                   hwloc_bitmap_t *sets, struct pin_plan *plan, char *why, size_t whycap)
{
    hwloc_bitmap_t seen;

    memset(plan, 0, sizeof(*plan));
    if (!pin_spec_sets(topo, spec, nvcpus, sets, why, whycap))
        return false;
    fmt(plan->policy, sizeof(plan->policy), "%s", spec->text);
    plan->nvcpus = nvcpus;
    plan->npus = pin_pu_count(topo);
    plan->places = calloc(nvcpus ? nvcpus : 1, sizeof(*plan->places));
    seen = hwloc_bitmap_alloc();
    if (!plan->places || !seen || !plan_others(topo, spec, sets, plan)) {
        hwloc_bitmap_free(seen);
        pin_plan_free(plan);
        pin_sets_free(sets, nvcpus);
        return fmt(why, whycap, "out of memory"), false;
    }
    for (unsigned i = 0; i < nvcpus; i++) {
        place_of(topo, sets[i], &plan->places[i]);
        if (sets[i] && hwloc_bitmap_intersects(seen, sets[i]))
            plan->shared = true;
        if (sets[i])
            hwloc_bitmap_or(seen, seen, sets[i]);
    }
    hwloc_bitmap_free(seen);
    return true;
}

void pin_plan_free(struct pin_plan *plan)
{
    free(plan->places);
    hwloc_bitmap_free(plan->others);
    memset(plan, 0, sizeof(*plan));
}

/* "L#3", or "-" where the topology has no such object. */
static const char *logical(int index, char *buf, size_t cap)
{
    if (index < 0)
        return "-";
    fmt(buf, cap, "L#%d", index);
    return buf;
}

void pin_plan_print(FILE *f, const struct pin_plan *plan)
{
    char others[256];

    fprintf(f, "policy %s: %u vCPU%s on %u PU%s (PU by OS index P#, the objects above it "
            "by hwloc logical index L#)\n", plan->policy, plan->nvcpus,
            plan->nvcpus == 1 ? "" : "s", plan->npus, plan->npus == 1 ? "" : "s");
    for (unsigned i = 0; i < plan->nvcpus; i++) {
        const struct pin_place *p = &plan->places[i];
        char pu[16], a[16], b[16], c[16], d[16];

        if (p->pu < 0) {
            fprintf(f, "vCPU %u -> unpinned\n", i);
            continue;
        }
        fmt(pu, sizeof(pu), "P#%d", p->pu);
        fprintf(f, "vCPU %u -> PU %-6s package %-5s NUMA %-5s L3 %-5s core %s\n", i, pu,
                logical(p->package, a, sizeof(a)), logical(p->numa, b, sizeof(b)),
                logical(p->l3, c, sizeof(c)), logical(p->core, d, sizeof(d)));
    }
    if (plan->others) {
        hwloc_bitmap_list_snprintf(others, sizeof(others), plan->others);
        fprintf(f, "other QEMU threads -> PUs %s\n", others);
    } else {
        fprintf(f, "other QEMU threads: %s\n", plan->others_note);
    }
    if (plan->shared)
        fprintf(f, "note: some PUs carry more than one vCPU\n");
}

static json_t *index_or_null(int index)
{
    return index < 0 ? json_null() : json_integer(index);
}

json_t *pin_plan_json(const struct pin_plan *plan)
{
    json_t *vcpus = json_array(), *o;
    char others[256];

    for (unsigned i = 0; vcpus && i < plan->nvcpus; i++) {
        const struct pin_place *p = &plan->places[i];

        json_array_append_new(vcpus, json_pack("{s:i, s:o, s:o, s:o, s:o, s:o}", "vcpu", (int)i,
                                               "pu", index_or_null(p->pu),
                                               "package", index_or_null(p->package),
                                               "numa", index_or_null(p->numa),
                                               "l3", index_or_null(p->l3),
                                               "core", index_or_null(p->core)));
    }
    if (plan->others)
        hwloc_bitmap_list_snprintf(others, sizeof(others), plan->others);
    o = json_pack("{s:s, s:i, s:o, s:b, s:{s:o, s:o}}", "policy", plan->policy,
                  "pus", (int)plan->npus, "vcpus", vcpus ? vcpus : json_null(),
                  "shared", plan->shared,
                  "other_threads", "pus", plan->others ? json_string(others) : json_null(),
                  "note", plan->others ? json_null() : json_string(plan->others_note));
    return o;
}
