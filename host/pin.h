/*
 * Placement of vCPU threads on host processing units (PUs), with libhwloc.
 *
 * A policy is a pure function of a topology and a vCPU count: it returns one
 * cpuset per vCPU (or NULL for "leave unpinned").  It never binds anything,
 * so unit tests run it on synthetic topologies; pin_apply() does the binding.
 * To add a policy, write one function (pin_policy.c) and add a row to the
 * table in pin.c.
 *
 * Layout: pin.c (the table, --pin's syntax, binding, topologies),
 * pin_policy.c (the policies), pin_plan.c (a plan: the PU and hwloc ancestry
 * of every vCPU and where QEMU's other threads go, as text and JSON),
 * pin_threads.c (after binding: QEMU's other threads, the affinities read
 * back from the kernel), pin_command.c ("hvflush pin").
 */
#ifndef HOST_PIN_H
#define HOST_PIN_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <hwloc.h>
#include <jansson.h>

enum pin_policy {
    PIN_NONE,
    PIN_COMPACT,
    PIN_SCATTER,
    PIN_SMT_PAIRS,
    PIN_SAME_LLC,
    PIN_CROSS_LLC,
    PIN_CROSS_NUMA,
    PIN_OVERCOMMIT,             /* overcommit:N */
    PIN_CPUS,                   /* cpus:LIST */
    PIN_POLICY_COUNT
};

bool pin_policy_from_name(const char *name, enum pin_policy *out);
const char *pin_policy_name(enum pin_policy p);
/* "none, compact, scatter, ..., overcommit:N, cpus:LIST", for messages. */
const char *pin_policy_names(void);

#define PIN_LIST_MAX      256   /* PUs a cpus: list names */
#define PIN_PER_PU_MAX    64    /* overcommit:N */
#define PIN_SPEC_TEXT_MAX 1024

/* A --pin value: the policy and its argument.
 *   overcommit:N   N vCPUs per PU (1 to PIN_PER_PU_MAX)
 *   cpus:LIST      one PU per vCPU in vCPU order, by OS index (as taskset and
 *                  /proc/cpuinfo count them): comma-separated numbers and
 *                  ascending ranges A-B, e.g. cpus:0,2,4-7; a PU may be named
 *                  twice (its vCPUs then share it). */
struct pin_spec {
    enum pin_policy policy;
    unsigned per_pu;                    /* overcommit:N */
    unsigned nlist;                     /* cpus:LIST */
    unsigned list[PIN_LIST_MAX];
    char text[PIN_SPEC_TEXT_MAX];       /* as given: "compact", "overcommit:2" */
};

/* Parses a --pin value; on failure a one-line reason (without "--pin: ")
 * in err. */
bool pin_spec_parse(const char *text, struct pin_spec *out, char *err, size_t errcap);
/* The default, compact. */
void pin_spec_default(struct pin_spec *out);
/* What an inner hvflush run (the lab's L1, which pins L2's vCPUs on its
 * own) is given: none stays none, compact and scatter pass through, every
 * other policy becomes compact, so that L2's vCPU i runs on L1's vCPU i and
 * the placement made on the host holds all the way down. */
const char *pin_spec_inner_text(const struct pin_spec *spec);

/* Computes cpusets for nvcpus vCPUs.  sets[i] is a new bitmap (free it with
 * pin_sets_free) or NULL when the policy leaves vCPU i unpinned.  Returns
 * false if the topology has no PUs or allocation failed, or for a policy
 * that needs an argument (use pin_spec_sets). */
bool pin_policy_sets(hwloc_topology_t topo, enum pin_policy p, unsigned nvcpus,
                     hwloc_bitmap_t *sets);
/* The same for a full --pin value; when the policy cannot be satisfied on
 * this topology (too few PUs, no SMT, one LLC, one NUMA node, a PU not
 * present) returns false with the reason in why. */
bool pin_spec_sets(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                   hwloc_bitmap_t *sets, char *why, size_t whycap);
void pin_sets_free(hwloc_bitmap_t *sets, unsigned n);

/* One row of the pinning map recorded in meta.json. */
struct pin_entry {
    unsigned vcpu;
    long thread_id;
    char pus[64];               /* hwloc list string, or "unpinned" */
};

/* Binds thread tids[i] to sets[i] (skipping NULL sets) and fills map[i].
 * On failure writes a reason to err and returns false. */
/* The PUs the thread of vCPU i is bound to: sets[i], or where several vCPUs
 * share one thread (TCG with thread=single, as the lab's L0 runs) the union
 * of their sets -- binding each in turn would leave only the last.  Returns
 * NULL when vCPU i is unpinned; free the result with hwloc_bitmap_free. */
hwloc_bitmap_t pin_thread_set(const hwloc_bitmap_t *sets, const long *tids, unsigned n,
                              unsigned i);

bool pin_apply(hwloc_topology_t topo, const hwloc_bitmap_t *sets,
               const long *tids, unsigned n, struct pin_entry *map,
               char *err, size_t errcap);

/* Loads the host topology.  Returns NULL on failure. */
hwloc_topology_t pin_load_host_topology(void);
/* Loads a topology from an XML file (xml) or a synthetic description
 * (synthetic, hwloc's syntax: "pack:2 l3:2 core:4 pu:2"), or the host's
 * when both are NULL.  NULL with a one-line reason in err on failure. */
hwloc_topology_t pin_load_topology(const char *xml, const char *synthetic,
                                   char *err, size_t errcap);

/* Number of PUs in the topology. */
unsigned pin_pu_count(hwloc_topology_t topo);
/* The default vCPU count: one per host PU, at least 2 (an initiator and a
 * target) and at most 8, so that vCPUs do not share host PUs by default. */
unsigned pin_default_vcpus(void);

/* ---- plans (pin_plan.c) ---------------------------------------------------- */

/* Where one vCPU goes: its PU by OS index and the hwloc logical indexes of
 * the objects above it (-1 where the topology has no such object). */
struct pin_place {
    int pu;                     /* OS index; -1: unpinned */
    int package, numa, l3, core;
};

/* A policy applied to a topology: what "hvflush pin" prints and what a run
 * binds and records in meta.json. */
struct pin_plan {
    char policy[PIN_SPEC_TEXT_MAX];
    unsigned nvcpus, npus;
    struct pin_place *places;   /* nvcpus entries */
    bool shared;                /* some PU carries more than one vCPU */
    hwloc_bitmap_t others;      /* PUs for QEMU's other threads; NULL: left alone */
    char others_note[160];      /* why they are left alone ("" when bound) */
};

/* Fills sets (nvcpus entries, as pin_spec_sets) and plan from the same
 * computation.  False with the reason in why when the policy cannot be
 * satisfied; nothing is left allocated then. */
bool pin_plan_make(hwloc_topology_t topo, const struct pin_spec *spec, unsigned nvcpus,
                   hwloc_bitmap_t *sets, struct pin_plan *plan, char *why, size_t whycap);
void pin_plan_free(struct pin_plan *plan);
/* One line per vCPU, "vCPU 0 -> PU P#0  package L#0  NUMA L#0  L3 L#0
 * core L#0", then where the other threads go. */
void pin_plan_print(FILE *f, const struct pin_plan *plan);
/* {"policy", "pus", "vcpus": [{vcpu, pu, package, numa, l3, core}],
 *  "other_threads": {"pus", "note"}} */
json_t *pin_plan_json(const struct pin_plan *plan);

/* ---- after binding (pin_threads.c) ----------------------------------------- */

/* One QEMU thread as the kernel reports it after binding. */
struct pin_thread {
    long tid;
    int vcpu;                   /* -1: not a vCPU thread */
    char name[32];              /* /proc/PID/task/TID/comm */
    char planned[64];           /* the plan's PUs, "unpinned" or "left" */
    char affinity[64];          /* sched_getaffinity, as a list */
    bool differs;               /* pinned, and the kernel says otherwise */
};

struct pin_outcome {
    bool done;
    long qemu_pid;
    struct pin_thread *threads;
    unsigned nthreads;
    char others_note[160];      /* why the other threads were not bound; "" */
    unsigned mismatches;
};

/* After pin_apply on the vCPU threads tids[0..n-1]: binds the other threads
 * of their process to plan->others (where there is room), reads back the
 * affinity of every thread with sched_getaffinity, and prints a warning
 * line for each thread whose affinity differs from the plan.  Never fails
 * the run; what could not be done is recorded in out. */
void pin_settle(hwloc_topology_t topo, const struct pin_plan *plan, const hwloc_bitmap_t *sets,
                const long *tids, unsigned n, struct pin_outcome *out);
void pin_outcome_free(struct pin_outcome *out);
/* Adds "plan", "threads", "other_threads" and "warnings" to meta.json's
 * pinning object. */
void pin_meta_add(json_t *pinning, const struct pin_plan *plan,
                  const struct pin_outcome *out);

#endif
