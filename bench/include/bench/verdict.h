/*
 * The effect probe's verdict and its power rule: pure logic, compiled into
 * the guest (which decides) and the host (unit tests).
 *
 * Power rule: `pass` needs more than "no stale read after a flush".  The
 * negative control (the same rounds with a flush that does nothing to the
 * targets) estimates q, the chance per round that a missing flush shows as
 * a stale read.  q is taken conservatively, as a one-sided 95% lower
 * confidence bound, from the Chernoff bound on the binomial upper tail
 * P(X >= k) <= exp(-(k - mu)^2 / (k + mu)): mu_L = k + L/2 -
 * sqrt(L^2/4 + 2kL), L = ln 20, q_L = mu_L / m for k stale control rounds
 * out of m (looser than Clopper-Pearson, never above it).  A flush that
 * does nothing would have passed all n shootdown rounds with probability
 * P = (1 - q_L)^n; `pass` needs P <= 1e-3, otherwise the verdict is
 * `inconclusive` with P as the reason.
 */
#ifndef BENCH_VERDICT_H
#define BENCH_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Verdicts, most severe last so that max() combines them. */
enum verdict { VERDICT_PASS, VERDICT_UNSUPPORTED, VERDICT_INCONCLUSIVE,
               VERDICT_ERROR, VERDICT_FAIL };
const char *verdict_name(enum verdict v);

/* The most shootdown (and control) rounds one configuration may run: the
 * sweep's verify-rounds is the first batch, further batches of the same
 * size run while the power rule is not met, up to this many times it. */
#define VERIFY_MAX_ROUNDS_FACTOR 16u

/* What the probe of one configuration observed. */
struct verify_tally {
    uint32_t rounds;               /* shootdown rounds completed */
    uint32_t control_rounds;       /* control rounds completed */
    uint32_t control_stale_rounds; /* control rounds with at least one stale read */
    uint64_t stale;                /* stale reads after a shootdown */
    uint64_t other;                /* reads that matched neither frame (any round) */
    const char *problem;           /* why a round could not finish; NULL if none */
};

struct verify_judgement {
    enum verdict verdict;
    bool powerful;                 /* P <= 1e-3 */
    char noop_pass_p[16];          /* P: "1", "3.50e-15", "<1e-99" (rounded up) */
    const char *reason;            /* "-" for pass; points into reason_buf or a literal */
    char reason_buf[48];
};

/* The ladder: fail (a stale read after a flush) beats error (a round that
 * could not finish, a read matching neither frame) beats inconclusive (a
 * control that never went stale, or P > 1e-3) beats pass. */
void verify_judge(const struct verify_tally *t, bool hypercall, struct verify_judgement *j);

/* True while another batch (of `batch` rounds) should run: no fail or
 * error yet, P > 1e-3, fewer than max_rounds shootdown rounds done, and
 * the control has gone stale at least once within its first two batches
 * (a control that never does leaves the verdict inconclusive however many
 * rounds run). */
bool verify_wants_more(const struct verify_tally *t, uint32_t batch, uint32_t max_rounds);

/* The parts, for tests: q_L as a fraction of 2^32; and P for q (a fraction
 * of 2^32) over n rounds, written into buf (>= 16 bytes) rounded up;
 * returns whether P <= 1e-3. */
uint64_t verify_control_rate_lower_q32(uint32_t stale_rounds, uint32_t rounds);
bool verify_noop_pass_p(uint64_t q32, uint32_t n, char *buf, size_t cap);

#endif
