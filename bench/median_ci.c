/*
 * The median's 95 % confidence interval by order statistics (the rank
 * rule and its two regimes are in bench/median_ci.h).
 */
#include <bench/median_ci.h>

uint64_t median_ci_isqrt(uint64_t x)
{
    uint64_t r = 0, bit = 1ull << 62;

    while (bit > x)
        bit >>= 2;
    while (bit) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

/* Exact: the largest j with sum_{i < j} C(n, i) <= 2^n / 40, i.e.
 * P(B <= j - 1) <= 0.025.  Since the sum is an integer the bound is
 * floor(2^n / 40).  C(n, i) (n - i) stays below 2^64 for n <= 60. */
static uint32_t exact_lo_rank(uint32_t n)
{
    uint64_t limit = (1ull << n) / 40, c = 1, cum = 0;
    uint32_t i, j = 0;

    for (i = 0; i < n; i++) {
        cum += c;                         /* sum of C(n, 0..i) */
        if (cum > limit)
            break;
        j = i + 1;
        c = c * (n - i) / (i + 1);        /* C(n, i + 1), exact */
    }
    return j;
}

/* Normal approximation: round(n/2 - 0.98 sqrt(n)) =
 * floor((1000 n - 1960 sqrt(n) + 1000) / 2000). */
static uint32_t normal_lo_rank(uint32_t n)
{
    uint64_t d = median_ci_isqrt(3841600ull * n);      /* floor(1960 sqrt(n)) */
    uint64_t top = 1000ull * n + 1000;

    return top > d ? (uint32_t)((top - d) / 2000) : 0;
}

bool median_ci_ranks(uint32_t n, uint32_t *lo_rank, uint32_t *hi_rank)
{
    uint32_t j;

    if (n < MEDIAN_CI_MIN_N)
        return false;
    j = n <= MEDIAN_CI_EXACT_MAX ? exact_lo_rank(n) : normal_lo_rank(n);
    if (j < 1)
        j = 1;
    *lo_rank = j;
    *hi_rank = n - j + 1;
    return true;
}

bool median_ci(const uint64_t *sorted, uint32_t n, uint64_t *lo, uint64_t *hi)
{
    uint32_t j, k;

    if (!median_ci_ranks(n, &j, &k))
        return false;
    *lo = sorted[j - 1];
    *hi = sorted[k - 1];
    return true;
}

bool median_ci_within(uint64_t lo, uint64_t hi, uint64_t median, uint32_t target_bp)
{
    uint64_t width = hi >= lo ? hi - lo : lo - hi;

    /* In 128 bits: no overflow, and multiplication needs no libgcc. */
    return (unsigned __int128)width * 10000 <=
           (unsigned __int128)2 * target_bp * median;
}
