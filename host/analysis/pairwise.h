/*
 * pairwise.csv and the pairwise heat map's data (plot/pairwise.gp): the
 * latency of every (initiator, target) vCPU pair a sweep's pairs=all lines
 * measured (bench/sweep_pairs.c), one heat map per variant (the label
 * without its "/iI-tJ" part: strategy, flush or input, pages, state ...),
 * both axes in the host's topology order.
 *
 * Topology order (pairwise_order_from_meta): every vCPU pinned, each to
 * the lowest PU of its cpuset in meta.json's pinning map ("pu" where an
 * entry has it, else the first number of "pus"): by the PU's hwloc logical
 * index in the topology of meta.json's hwloc.topology_xml (packages, then
 * caches, cores, SMT siblings, as hwloc numbers them), or by its OS index
 * when that topology does not load; ties by vCPU number.  A vCPU that is
 * not pinned (or no pinning map) leaves the vCPU order, as does a lab run
 * (meta.json has "lab"), whose map pins L1's vCPUs, not the L2 vCPUs the
 * pairs ran on.
 */
#ifndef HOST_ANALYSIS_PAIRWISE_H
#define HOST_ANALYSIS_PAIRWISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include <bench/sweep.h>

enum pairwise_order_kind {
    PAIRWISE_ORDER_VCPU = 0,    /* not pinned: vCPU numbers */
    PAIRWISE_ORDER_PU_OS,       /* pinned, no topology: the PUs' OS indexes */
    PAIRWISE_ORDER_TOPOLOGY,    /* pinned: the PUs' hwloc logical indexes */
    PAIRWISE_ORDER_NESTED,      /* a lab run: the map pins L1's vCPUs, not L2's: vCPU order */
};

struct pairwise_order {
    unsigned ncpus;
    enum pairwise_order_kind kind;
    uint32_t vcpu_at[SWEEP_MAX_CPUS];   /* axis position -> vCPU */
    uint32_t pos_of[SWEEP_MAX_CPUS];    /* vCPU -> axis position */
    int pu[SWEEP_MAX_CPUS];             /* vCPU -> host PU OS index, -1 when not pinned */
};

/* The axes' order for ncpus vCPUs from a run's meta.json (NULL: vCPU order). */
void pairwise_order_from_meta(const json_t *meta, unsigned ncpus, struct pairwise_order *o);

/* The order in words, for the CSV's readers and the plot's title. */
const char *pairwise_order_text(enum pairwise_order_kind kind);

/* Splits a pairs configuration's label ("ipi/invlpg/p1/i2-t1/spin") into
 * its variant ("ipi/invlpg/p1/spin"), initiator and target.  False for
 * any label without an "/iI-tJ" part. */
bool pairwise_label_split(const char *label, char *variant, size_t cap, uint32_t *initiator,
                          uint32_t *target);

struct pairwise_counts {
    unsigned variants;          /* heat maps (0: the run has no pairs configurations) */
    unsigned pairs;             /* rows of pairwise.csv */
    unsigned measured;          /* of them with samples */
    enum pairwise_order_kind order;
};

/* Reads run_dir/summary.csv and run_dir/meta.json (vCPU count, TSC
 * frequency, pinning, topology) and, when the run has pairs
 * configurations, writes run_dir/pairwise.csv and, when data_dir is not
 * NULL, data_dir/pairwise.vars (gnuplot variables) and
 * data_dir/pairwise-K.dat (K = 1.. per variant: target position,
 * initiator position, p50) for plot/pairwise.gp.  Without pairs it writes
 * no pairwise.csv, counts none and, with data_dir, only pairwise.vars with
 * pw_nvariants = 0 (the plot says so).  False with a message in err. */
bool pairwise_write(const char *run_dir, const char *data_dir, struct pairwise_counts *cnt,
                    char *err, size_t errcap);

/* One line for the end-of-run table; nothing without pairs. */
void pairwise_print(FILE *out, const struct pairwise_counts *cnt);

#endif
