/*
 * The verdict ladder and the power rule of the effect probe (see
 * bench/include/bench/verdict.h).  Integer arithmetic only: the guest is
 * built without floating point.  Every rounding goes the conservative way
 * (q_L down, P up), so a `pass` never rests on a rounding error.
 */
#include <bench/text.h>
#include <bench/verdict.h>

/* ln 20 (one-sided 95%) in 16.16 fixed point, rounded up: a larger L gives
 * a smaller q_L. */
#define LN20_Q16 196329ull

const char *verdict_name(enum verdict v)
{
    static const char *const names[] = {
        [VERDICT_PASS] = "pass", [VERDICT_UNSUPPORTED] = "unsupported",
        [VERDICT_INCONCLUSIVE] = "inconclusive", [VERDICT_ERROR] = "error",
        [VERDICT_FAIL] = "fail",
    };

    return (unsigned)v <= VERDICT_FAIL ? names[v] : "error";
}

static uint64_t isqrt_ceil(uint64_t x)
{
    uint64_t r = 0, bit = 1ull << 62;

    while (bit > x)
        bit >>= 2;
    for (uint64_t v = x; bit; bit >>= 2) {
        if (v >= r + bit) {
            v -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
    }
    return r * r < x ? r + 1 : r;
}

uint64_t verify_control_rate_lower_q32(uint32_t stale_rounds, uint32_t rounds)
{
    uint64_t k = stale_rounds, inner, root, mu;

    if (rounds == 0 || k == 0)
        return 0;
    if (k > rounds)
        k = rounds;
    /* mu_L = k + L/2 - sqrt(L^2/4 + 2kL), all in 16.16 (the root of a 32.32). */
    inner = (LN20_Q16 * LN20_Q16 + 3) / 4 + ((2 * k * LN20_Q16) << 16);
    root = isqrt_ceil(inner);
    mu = (k << 16) + (LN20_Q16 + 1) / 2;
    mu = mu > root ? mu - root : 0;
    return (mu << 16) / rounds;
}

/* A positive number m * 2^e with bit 63 of m set, or zero (m == 0). */
struct num { uint64_t m; int64_t e; };

static struct num num_norm(uint64_t m, int64_t e)
{
    struct num n = { 0, 0 };

    if (m) {
        int s = __builtin_clzll(m);

        n.m = m << s;
        n.e = e - s;
    }
    return n;
}

/* a * b, rounded up. */
static struct num num_mul(struct num a, struct num b)
{
    unsigned __int128 p = (unsigned __int128)a.m * b.m;
    unsigned shift = (p >> 127) ? 64 : 63;
    uint64_t m = (uint64_t)(p >> shift);
    bool rest = (p & (((unsigned __int128)1 << shift) - 1)) != 0;
    struct num r;

    if (!a.m || !b.m)
        return (struct num){ 0, 0 };
    r.m = m;
    r.e = a.e + b.e + shift;
    if (rest && ++r.m == 0) {
        r.m = 1ull << 63;
        r.e++;
    }
    return r;
}

/* Is a < 1? */
static bool num_below_one(struct num a)
{
    return a.m == 0 || a.e < -63;
}

/* P in buf, rounded up: "1", "0", "3.50e-15", "<1e-99". */
static void num_format(struct num p, char *buf, size_t cap)
{
    const struct num ten = { 0xa000000000000000ull, -60 };
    unsigned exp10 = 0;
    uint64_t hundreds;
    unsigned __int128 x;
    char out[16], dec[20];
    size_t n, dec_len;

    if (!num_below_one(p) || p.m == 0) {
        text_copy(buf, cap, p.m ? "1" : "0", 1);
        return;
    }
    while (num_below_one(p) && exp10 < 99) {
        p = num_mul(p, ten);
        exp10++;
    }
    if (num_below_one(p)) {
        text_copy(buf, cap, "<1e-99", 6);
        return;
    }
    /* 1 <= p < 10, so -63 <= e <= -60. */
    x = (unsigned __int128)p.m * 100;
    hundreds = (uint64_t)(x >> -p.e);
    if (x & (((unsigned __int128)1 << -p.e) - 1))
        hundreds++;
    if (hundreds >= 1000) {
        hundreds = 100;
        exp10--;
    }
    if (exp10 == 0) {
        text_copy(buf, cap, "1", 1);
        return;
    }
    out[0] = (char)('0' + hundreds / 100);
    out[1] = '.';
    out[2] = (char)('0' + hundreds / 10 % 10);
    out[3] = (char)('0' + hundreds % 10);
    out[4] = 'e';
    out[5] = '-';
    n = 6;
    if (exp10 < 10)
        out[n++] = '0';
    dec_len = text_u64_dec(dec, exp10);
    text_copy(out + n, sizeof(out) - n, dec, dec_len);
    text_copy(buf, cap, out, text_len(out));
}

bool verify_noop_pass_p(uint64_t q32, uint32_t n, char *buf, size_t cap)
{
    const struct num thousand = num_norm(1000, 0);
    struct num base, p = num_norm(1, 0);

    if (q32 > (1ull << 32))
        q32 = 1ull << 32;
    base = num_norm((1ull << 32) - q32, -32);
    for (; n; n >>= 1) {
        if (n & 1)
            p = num_mul(p, base);
        base = num_mul(base, base);
    }
    num_format(p, buf, cap);
    /* P <= 1e-3  <=>  1000 P <= 1 */
    p = num_mul(p, thousand);
    return num_below_one(p) || (p.e == -63 && p.m == 1ull << 63);
}

static bool powerful(const struct verify_tally *t, char *buf, size_t cap)
{
    uint64_t q = verify_control_rate_lower_q32(t->control_stale_rounds, t->control_rounds);

    return verify_noop_pass_p(q, t->rounds, buf, cap);
}

void verify_judge(const struct verify_tally *t, bool hypercall, struct verify_judgement *j)
{
    j->powerful = powerful(t, j->noop_pass_p, sizeof(j->noop_pass_p));
    j->reason_buf[0] = '\0';
    if (t->stale) {
        j->verdict = VERDICT_FAIL;
        j->reason = hypercall ? "stale-read-after-successful-hypercall" :
                    "stale-read-after-shootdown";
    } else if (t->problem) {
        j->verdict = VERDICT_ERROR;
        j->reason = t->problem;
    } else if (t->other) {
        j->verdict = VERDICT_ERROR;
        j->reason = "read-matched-neither-frame";
    } else if (!t->control_stale_rounds) {
        j->verdict = VERDICT_INCONCLUSIVE;
        j->reason = "negative-control-never-stale";
    } else if (!j->powerful) {
        j->verdict = VERDICT_INCONCLUSIVE;
        text_copy(j->reason_buf, sizeof(j->reason_buf), "noop-pass-p-", 12);
        text_append(j->reason_buf, sizeof(j->reason_buf), j->noop_pass_p);
        text_append(j->reason_buf, sizeof(j->reason_buf), "-above-1e-3");
        j->reason = j->reason_buf;
    } else {
        j->verdict = VERDICT_PASS;
        j->reason = "-";
    }
}

bool verify_wants_more(const struct verify_tally *t, uint32_t batch, uint32_t max_rounds)
{
    char p[16];

    if (t->stale || t->problem || t->other || t->rounds >= max_rounds)
        return false;
    if (!t->control_stale_rounds && t->control_rounds >= 2 * batch)
        return false;                 /* inconclusive either way: spare the time */
    return !powerful(t, p, sizeof(p));
}
