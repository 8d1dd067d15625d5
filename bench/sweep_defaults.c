/*
 * The defaults of a "measure" line's keys (bench/sweeps/README.md, the
 * key table's "default" column), set before the line's own keys are read:
 * one place that says what a line means when it names nothing but its
 * strategy.
 */
#include <bench/sweep.h>
#include "sweep_items.h"

void sweep_line_defaults(struct sweep_line *l)
{
    unsigned p, w;

    l->nflush = 1;   l->flush[0] = FLUSH_INVLPG;
    l->npages = 1;   l->pages[0] = 1;
    l->ntargets = 1; l->targets[0] = SWEEP_TARGETS_POW2;
    l->nstates = 1;  l->state[0] = TARGET_SPIN;
    l->ninitiator = 1; l->initiator[0] = 0;
    l->nplacement = 1; l->placement[0] = PLACEMENT_FIRST;
    l->ninput = 1;   l->input[0] = HV_INPUT_SLOW;
    l->nscope = 1;   l->scope[0] = SCOPE_CR3;
    l->nnonglobal = 1; l->nonglobal[0] = false;
    l->nprocs = 1;   l->procs[0] = PROCS_MASK;
    l->samples = 0;                 /* the sweep's samples */
    l->warmup = UINT32_MAX;         /* the sweep's warmup */
    l->verify = true;
    /* Concurrent initiators (bench/sweep_initiators.c). */
    l->ninitiators = 1; l->initiators[0] = 1;
    l->nshare = 1;   l->share[0] = SHARE_OWN;
    l->working_set = SWEEP_WORKING_SET_DEFAULT;
    /* Address spaces, globality, large pages (bench/sweep_space.c). */
    sweep_space_line_defaults(l);
    /* Adaptive sampling: the sweep's ci-target and time-cap (bench/ci_target.c). */
    l->ci_target_bp = UINT32_MAX;
    l->time_cap_ms = 0;
    /* Placement parameters and the hv-ipi-invlpg call (bench/sweep_targets.c). */
    for (p = 0; p < PLACEMENT_COUNT; p++) {
        l->stride[p] = 0;
        for (w = 0; w < SWEEP_CPUSET_WORDS; w++)
            l->cpuset[p][w] = 0;
    }
    l->targets_given = false;
    l->nipi_call = 1;
    l->ipi_call[0] = IPI_CALL_AUTO;
    l->pairs = false;               /* pairs=off (bench/sweep_pairs.c) */
}
