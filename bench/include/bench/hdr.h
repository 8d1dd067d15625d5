/*
 * A log-linear (HDR-style) histogram of cycle counts, shared by the guest
 * and the host: no heap, one fixed array of counts.
 *
 * Buckets: values below HDR_SUB (128) have a bucket each (exact).  Above,
 * every power of two [2^e, 2^(e+1)) is cut into HDR_SUB equal sub-buckets
 * of width 2^(e-7).  A value is represented by the lowest value of its
 * bucket, so for every v:  v - v/128 < hdr_lowest(v) <= v, a relative
 * error below 1/128 = 0.78 % (the documented bound: <= 1 %).  The whole
 * uint64_t range is covered (HDR_BUCKETS buckets).
 *
 * Quantiles use the nearest-rank convention of bench/timing.c: the value
 * at rank ceil(q * n), clamped to [1, n], where q is given in parts per
 * million (p50 = 500000, p99.9 = 999000), so timing_percentile(pct) and
 * hdr_value_at_quantile(pct * 10000) pick the same rank; the bucket's
 * lowest value is reported, clamped to the recorded [min, max].
 */
#ifndef BENCH_HDR_H
#define BENCH_HDR_H

#include <stdint.h>
#include <stdbool.h>

#define HDR_SUB_BITS 7
#define HDR_SUB      (1u << HDR_SUB_BITS)                  /* 128 */
/* 128 exact buckets, then 128 per power of two for 2^7 .. 2^63. */
#define HDR_BUCKETS  (HDR_SUB + (64 - HDR_SUB_BITS) * HDR_SUB)
#define HDR_PPM      1000000u

struct hdr {
    uint64_t count;
    uint64_t min, max;            /* valid when count > 0 */
    uint64_t sum;                 /* exact, wraps only past 2^64 */
    unsigned __int128 sumsq;      /* exact sum of squares */
    uint64_t counts[HDR_BUCKETS];
};

void hdr_init(struct hdr *h);
unsigned hdr_index(uint64_t v);
/* The lowest value of bucket i (what a value in it is reported as). */
uint64_t hdr_bucket_lowest(unsigned i);
static inline uint64_t hdr_lowest(uint64_t v) { return hdr_bucket_lowest(hdr_index(v)); }
void hdr_record(struct hdr *h, uint64_t v);
void hdr_record_n(struct hdr *h, const uint64_t *v, uint64_t n);
/* Adds every count of src into dst. */
void hdr_merge(struct hdr *dst, const struct hdr *src);
static inline uint64_t hdr_count(const struct hdr *h) { return h->count; }
/* Nearest-rank value at rank (1..count); 0 when empty. */
uint64_t hdr_value_at_rank(const struct hdr *h, uint64_t rank);
/* Nearest-rank quantile, q in parts per million (0..1000000). */
uint64_t hdr_value_at_quantile(const struct hdr *h, uint32_t q_ppm);
/* Rank ceil(q_ppm * n / 1e6) clamped to [1, n] (n > 0). */
uint64_t hdr_rank(uint64_t n, uint32_t q_ppm);

#ifndef HVFLUSH_GUEST
/* Exact mean and sample standard deviation (n - 1) of what was recorded
 * (from the running sums, not the buckets); 0 when undefined.  Host only:
 * the guest has no floating point. */
double hdr_mean(const struct hdr *h);
double hdr_stddev(const struct hdr *h);
#endif

#endif
