/*
 * Placement of vCPU threads on host processing units (PUs), with libhwloc.
 *
 * A policy is a pure function of a topology and a vCPU count: it returns one
 * cpuset per vCPU (or NULL for "leave unpinned").  It never binds anything,
 * so unit tests run it on synthetic topologies; pin_apply() does the binding.
 * To add a policy, write one function and add a row to the table in pin.c.
 */
#ifndef HOST_PIN_H
#define HOST_PIN_H

#include <stdbool.h>
#include <sys/types.h>
#include <hwloc.h>

enum pin_policy {
    PIN_NONE,
    PIN_COMPACT,
    PIN_SCATTER,
    PIN_POLICY_COUNT
};

bool pin_policy_from_name(const char *name, enum pin_policy *out);
const char *pin_policy_name(enum pin_policy p);
/* "none, compact, scatter", for messages. */
const char *pin_policy_names(void);

/* Computes cpusets for nvcpus vCPUs.  sets[i] is a new bitmap (free it with
 * pin_sets_free) or NULL when the policy leaves vCPU i unpinned.  Returns
 * false if the topology has no PUs or allocation failed. */
bool pin_policy_sets(hwloc_topology_t topo, enum pin_policy p, unsigned nvcpus,
                     hwloc_bitmap_t *sets);
void pin_sets_free(hwloc_bitmap_t *sets, unsigned n);

/* One row of the pinning map recorded in meta.json. */
struct pin_entry {
    unsigned vcpu;
    long thread_id;
    char pus[64];               /* hwloc list string, or "unpinned" */
};

/* Binds thread tids[i] to sets[i] (skipping NULL sets) and fills map[i].
 * On failure writes a reason to err and returns false. */
bool pin_apply(hwloc_topology_t topo, const hwloc_bitmap_t *sets,
               const long *tids, unsigned n, struct pin_entry *map,
               char *err, size_t errcap);

/* Loads the host topology.  Returns NULL on failure. */
hwloc_topology_t pin_load_host_topology(void);

/* Number of PUs in the topology. */
unsigned pin_pu_count(hwloc_topology_t topo);
/* The default vCPU count: one per host PU, at least 2 (an initiator and a
 * target) and at most 8, so that vCPUs do not share host PUs by default. */
unsigned pin_default_vcpus(void);

#endif
