/*
 * The placement policies behind pin.c's table (pin_policy.c).  Each is a
 * pure function of a topology, the --pin value and a vCPU count: it fills
 * sets[0..nvcpus-1] (one PU each, or NULL for "unpinned"), or returns false
 * with the reason the policy cannot be satisfied in why.  The caller frees
 * whatever sets were filled.
 */
#ifndef HOST_PIN_POLICY_H
#define HOST_PIN_POLICY_H

#include "pin.h"

typedef bool (*pin_policy_fn)(hwloc_topology_t topo, const struct pin_spec *spec,
                              unsigned nvcpus, hwloc_bitmap_t *sets, char *why, size_t whycap);

bool pin_policy_none(hwloc_topology_t, const struct pin_spec *, unsigned, hwloc_bitmap_t *,
                     char *, size_t);
bool pin_policy_compact(hwloc_topology_t, const struct pin_spec *, unsigned, hwloc_bitmap_t *,
                        char *, size_t);
bool pin_policy_scatter(hwloc_topology_t, const struct pin_spec *, unsigned, hwloc_bitmap_t *,
                        char *, size_t);
bool pin_policy_smt_pairs(hwloc_topology_t, const struct pin_spec *, unsigned,
                          hwloc_bitmap_t *, char *, size_t);
bool pin_policy_same_llc(hwloc_topology_t, const struct pin_spec *, unsigned,
                         hwloc_bitmap_t *, char *, size_t);
bool pin_policy_cross_llc(hwloc_topology_t, const struct pin_spec *, unsigned,
                          hwloc_bitmap_t *, char *, size_t);
bool pin_policy_cross_numa(hwloc_topology_t, const struct pin_spec *, unsigned,
                           hwloc_bitmap_t *, char *, size_t);
bool pin_policy_overcommit(hwloc_topology_t, const struct pin_spec *, unsigned,
                           hwloc_bitmap_t *, char *, size_t);
bool pin_policy_cpus(hwloc_topology_t, const struct pin_spec *, unsigned, hwloc_bitmap_t *,
                     char *, size_t);

/* The last-level cache type of the topology: the highest cache level
 * present (L3 on most hosts); HWLOC_OBJ_TYPE_MAX when it shows no cache. */
hwloc_obj_type_t pin_llc_type(hwloc_topology_t topo);

#endif
