/*
 * Log-linear histogram of cycle counts (see bench/hdr.h for the bucket
 * layout and its error bound).
 */
#include <bench/hdr.h>

#ifndef HVFLUSH_GUEST
#include <math.h>
#endif

void hdr_init(struct hdr *h)
{
    unsigned i;

    h->count = h->min = h->max = h->sum = 0;
    h->sumsq = 0;
    for (i = 0; i < HDR_BUCKETS; i++)
        h->counts[i] = 0;
}

unsigned hdr_index(uint64_t v)
{
    unsigned e, shift;

    if (v < HDR_SUB)
        return (unsigned)v;
    e = 63u - (unsigned)__builtin_clzll(v);       /* 2^e <= v < 2^(e+1), e >= 7 */
    shift = e - HDR_SUB_BITS;
    /* v >> shift lies in [128, 256): the sub-bucket within 2^e. */
    return HDR_SUB + shift * HDR_SUB + (unsigned)((v >> shift) - HDR_SUB);
}

uint64_t hdr_bucket_lowest(unsigned i)
{
    unsigned shift;

    if (i < HDR_SUB)
        return i;
    shift = (i - HDR_SUB) / HDR_SUB;
    return (uint64_t)(HDR_SUB + (i - HDR_SUB) % HDR_SUB) << shift;
}

void hdr_record(struct hdr *h, uint64_t v)
{
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (h->count == 0 || v > h->max)
        h->max = v;
    h->count++;
    h->sum += v;
    h->sumsq += (unsigned __int128)v * v;
    h->counts[hdr_index(v)]++;
}

void hdr_record_n(struct hdr *h, const uint64_t *v, uint64_t n)
{
    uint64_t i;

    for (i = 0; i < n; i++)
        hdr_record(h, v[i]);
}

void hdr_merge(struct hdr *dst, const struct hdr *src)
{
    unsigned i;

    if (src->count == 0)
        return;
    if (dst->count == 0 || src->min < dst->min)
        dst->min = src->min;
    if (dst->count == 0 || src->max > dst->max)
        dst->max = src->max;
    dst->count += src->count;
    dst->sum += src->sum;
    dst->sumsq += src->sumsq;
    for (i = 0; i < HDR_BUCKETS; i++)
        dst->counts[i] += src->counts[i];
}

uint64_t hdr_rank(uint64_t n, uint32_t q_ppm)
{
    /* ceil(q * n / 1e6) in 64 bits: n = a * 1e6 + b, so the product is
     * a * q + ceil(b * q / 1e6), where b * q < 1e12. */
    uint64_t a = n / HDR_PPM, b = n % HDR_PPM;
    uint64_t rank = a * q_ppm + (b * q_ppm + HDR_PPM - 1) / HDR_PPM;

    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return rank;
}

uint64_t hdr_value_at_rank(const struct hdr *h, uint64_t rank)
{
    uint64_t seen = 0, v;
    unsigned i;

    if (h->count == 0)
        return 0;
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    for (i = 0; i < HDR_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank)
            break;
    }
    v = hdr_bucket_lowest(i);
    if (v < h->min)
        v = h->min;
    if (v > h->max)
        v = h->max;
    return v;
}

uint64_t hdr_value_at_quantile(const struct hdr *h, uint32_t q_ppm)
{
    if (h->count == 0)
        return 0;
    return hdr_value_at_rank(h, hdr_rank(h->count, q_ppm > HDR_PPM ? HDR_PPM : q_ppm));
}

#ifndef HVFLUSH_GUEST
double hdr_mean(const struct hdr *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0;
}

double hdr_stddev(const struct hdr *h)
{
    double n = (double)h->count, mean, var;

    if (h->count < 2)
        return 0;
    mean = hdr_mean(h);
    var = ((double)h->sumsq - n * mean * mean) / (n - 1);
    return var > 0 ? sqrt(var) : 0;
}
#endif
