/*
 * The rep loop of the List flush calls (see bench/include/bench/hv_reps.h).
 *
 * Algorithm: issue with rep start = done.  SUCCESS with reps completed >=
 * reps ends it (COMPLETE); any other status (STATUS) or a fault (FAULT)
 * ends it as well.  SUCCESS with fewer reps completed than asked continues
 * from the count returned when that count moved forward; when it did not
 * (or max_issues is spent) the call is INCOMPLETE -- an error, never a
 * success, since entries the caller named were not flushed.
 */
#include <bench/hv_abi.h>
#include <bench/hv_reps.h>

void hv_reps_run(uint16_t code, bool fast, unsigned varhead, unsigned reps,
                 hv_rep_issue_fn issue, void *ctx, unsigned max_issues,
                 struct hv_reps_outcome *out)
{
    unsigned done = 0;

    out->end = HV_REPS_INCOMPLETE;
    out->rax = 0;
    out->vector = 0;
    out->reps_done = 0;
    for (out->issues = 0; out->issues < max_issues;) {
        struct hv_rep_ret r = issue(ctx, hv_control(code, fast, varhead, reps, done));

        out->issues++;
        out->rax = r.rax;
        out->vector = r.vector;
        out->reps_done = r.vector ? done : hv_result_reps(r.rax);
        if (r.vector) {
            out->end = HV_REPS_FAULT;
            return;
        }
        if (hv_result_status(r.rax) != HV_STATUS_SUCCESS) {
            out->end = HV_REPS_STATUS;
            return;
        }
        if (!hv_call_is_list(code) || reps == 0 || out->reps_done >= reps) {
            out->end = HV_REPS_COMPLETE;
            return;
        }
        if (out->reps_done <= done)
            return;                       /* no progress: INCOMPLETE */
        done = out->reps_done;            /* partial: continue where it stopped */
    }
}
