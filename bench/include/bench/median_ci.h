/*
 * The 95 % confidence interval of the median by order statistics, shared
 * by the guest (adaptive sampling's stop rule) and the host (summary.csv),
 * in integer arithmetic only (the guest has no floating point), so both
 * sides compute the same ranks and the same interval from the same
 * samples.
 *
 * For n samples sorted ascending, the interval is [x_(j), x_(k)] with
 * 1-based ranks j and k = n - j + 1 (symmetric).  The number of samples
 * below the true median is Binomial(n, 1/2), so the interval covers the
 * median with probability 1 - 2 P(B <= j - 1).
 *   n <= MEDIAN_CI_EXACT_MAX (60): exact -- the largest j with
 *     P(B <= j - 1) <= 0.025 (coverage >= 95 %), computed from the
 *     binomial coefficients in 64-bit integers;
 *   n > 60: the normal approximation j = round(n/2 - 1.96 sqrt(n)/2),
 *     k = n - j + 1 = round(n/2 + 1 + 1.96 sqrt(n)/2), with sqrt taken as
 *     an integer square root of 1960^2 n (1/1000 resolution).
 * Below n = 6 no pair of ranks reaches 95 % (even [x_(1), x_(n)] covers
 * with 1 - 2^(1-n) < 0.95): no interval.
 */
#ifndef BENCH_MEDIAN_CI_H
#define BENCH_MEDIAN_CI_H

#include <stdint.h>
#include <stdbool.h>

#define MEDIAN_CI_EXACT_MAX 60u
#define MEDIAN_CI_MIN_N     6u

/* The ranks j <= k (1-based) for n samples; false when n < 6. */
bool median_ci_ranks(uint32_t n, uint32_t *lo_rank, uint32_t *hi_rank);

/* The interval from sorted[0..n) (ascending); false when n < 6. */
bool median_ci(const uint64_t *sorted, uint32_t n, uint64_t *lo, uint64_t *hi);

/* Adaptive sampling's stop rule: the half-width (hi - lo) / 2 is within
 * target_bp / 10000 of the median (basis points: 100 = 1 %), i.e.
 * (hi - lo) * 10000 <= 2 * target_bp * median, without overflow. */
bool median_ci_within(uint64_t lo, uint64_t hi, uint64_t median, uint32_t target_bp);

/* floor(sqrt(x)), integers only. */
uint64_t median_ci_isqrt(uint64_t x);

#endif
