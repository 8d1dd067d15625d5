/*
 * The rep loop of the List flush calls (0x0003, 0x0014) as a pure function
 * over the call itself, so that it is the same code in the guest (which
 * issues real hypercalls) and in the host's unit tests (a fake call).
 */
#ifndef BENCH_HV_REPS_H
#define BENCH_HV_REPS_H

#include <stdbool.h>
#include <stdint.h>

/* One issue of the call: RAX as returned, or vector != 0 when it faulted. */
struct hv_rep_ret { uint64_t rax; uint8_t vector; };
/* Issues the call once with this control word. */
typedef struct hv_rep_ret (*hv_rep_issue_fn)(void *ctx, uint64_t control);

enum hv_reps_end {
    HV_REPS_COMPLETE = 0,   /* SUCCESS with every rep done (or a simple call's SUCCESS) */
    HV_REPS_STATUS,         /* a status other than SUCCESS came back */
    HV_REPS_FAULT,          /* the call raised an exception */
    HV_REPS_INCOMPLETE,     /* SUCCESS with fewer reps done than asked and no
                               progress (or the issue limit reached) */
};

struct hv_reps_outcome {
    enum hv_reps_end end;
    uint64_t rax;           /* of the last issue */
    uint8_t vector;         /* of the last issue */
    unsigned reps_done;     /* as the last issue reported (0 for a simple call) */
    unsigned issues;
};

/* Issues call `code` (reps = 0 for a simple call) and, for a rep call,
 * re-issues it with rep start = reps completed while each issue returns
 * SUCCESS and makes progress, at most max_issues times. */
void hv_reps_run(uint16_t code, bool fast, unsigned varhead, unsigned reps,
                 hv_rep_issue_fn issue, void *ctx, unsigned max_issues,
                 struct hv_reps_outcome *out);

#endif
