/*
 * The ci-target and time-cap sweep directives, and the sample limits of
 * adaptive sampling (see bench/ci_target.h).
 */
#include <bench/ci_target.h>
#include <bench/text.h>

static int bad(struct sweep_error *err, unsigned lineno, const char *msg,
               const char *val, size_t vn)
{
    char tmp[40];

    err->lineno = lineno;
    err->msg[0] = '\0';
    text_append(err->msg, sizeof(err->msg), msg);
    text_copy(tmp, sizeof(tmp), val, vn);
    text_append(err->msg, sizeof(err->msg), tmp);
    text_append(err->msg, sizeof(err->msg), "'");
    return -1;
}

/* "P%" with at most two decimals, 0.01..100, into basis points. */
static bool parse_percent_bp(const char *s, size_t n, uint32_t *bp)
{
    size_t dot = 0, i;
    uint64_t whole, frac = 0;

    if (n < 2 || s[n - 1] != '%')
        return false;
    n--;
    while (dot < n && s[dot] != '.')
        dot++;
    if (!text_parse_u64(s, dot, 10, &whole) || whole > 100)
        return false;
    if (dot < n) {
        size_t digits = n - dot - 1;

        if (digits < 1 || digits > 2 || !text_parse_u64(s + dot + 1, digits, 10, &frac))
            return false;
        for (i = digits; i < 2; i++)
            frac *= 10;
    }
    *bp = (uint32_t)(whole * 100 + frac);
    return *bp >= 1 && *bp <= 10000;
}

int sweep_ci_directive(struct sweep *sw, const char *key, size_t kn, const char *val,
                       size_t vn, unsigned lineno, struct sweep_error *err)
{
    uint64_t ms;

    if (text_eq_n(key, kn, "ci-target")) {
        if (text_eq_n(val, vn, "off")) {
            sw->ci_target_bp = 0;
            return 1;
        }
        if (!parse_percent_bp(val, vn, &sw->ci_target_bp))
            return bad(err, lineno, "ci-target must be off or a percentage 0.01%-100% "
                       "(at most two decimals), got '", val, vn);
        return 1;
    }
    if (text_eq_n(key, kn, "time-cap")) {
        if (!text_parse_u64(val, vn, 10, &ms) || ms < 1 || ms > CI_TIME_CAP_MAX_MS)
            return bad(err, lineno, "time-cap must be 1-3600000 (milliseconds), got '",
                       val, vn);
        sw->time_cap_ms = (uint32_t)ms;
        return 1;
    }
    return 0;
}

bool sweep_ci_line_key(struct sweep_line *l, const char *key, size_t kn, const char *val,
                       size_t vn, unsigned *bit, bool *ok, const char **bad)
{
    uint64_t ms;

    if (text_eq_n(key, kn, "ci-target")) {
        *bit = SWEEP_KEY_CI_TARGET;
        *ok = text_eq_n(val, vn, "off") || parse_percent_bp(val, vn, &l->ci_target_bp);
        if (text_eq_n(val, vn, "off"))
            l->ci_target_bp = 0;
        *bad = "' for ci-target (off or a percentage 0.01%-100%, at most two decimals)";
        return true;
    }
    if (text_eq_n(key, kn, "time-cap")) {
        *bit = SWEEP_KEY_TIME_CAP;
        *ok = text_parse_u64(val, vn, 10, &ms) && ms >= 1 && ms <= CI_TIME_CAP_MAX_MS;
        l->time_cap_ms = *ok ? (uint32_t)ms : 0;
        *bad = "' for time-cap (1-3600000 milliseconds)";
        return true;
    }
    return false;
}

uint32_t sweep_samples_limit(const struct sweep_config *c)
{
    uint32_t rounds;

    if (!c->ci_target_bp || c->samples == 0)
        return c->samples;
    rounds = CI_SAMPLES_LIMIT / c->samples;
    if (rounds > CI_ROUNDS_MAX)
        rounds = CI_ROUNDS_MAX;
    if (rounds < 1)
        rounds = 1;
    return rounds * c->samples;
}

bool sweep_samples_count_ok(const struct sweep_config *c, uint64_t n)
{
    if (!c->ci_target_bp)
        return n == c->samples;
    return n >= c->samples && n <= sweep_samples_limit(c) && n % c->samples == 0;
}

size_t ci_target_format(uint32_t bp, char *buf, size_t cap)
{
    char tmp[24];
    size_t n;

    if (cap == 0)
        return 0;
    buf[0] = '\0';
    if (bp == 0) {
        text_append(buf, cap, "off");
        return text_len(buf);
    }
    n = text_u64_dec(tmp, bp / 100);
    tmp[n] = '\0';
    text_append(buf, cap, tmp);
    if (bp % 100) {
        tmp[0] = '.';
        tmp[1] = (char)('0' + bp % 100 / 10);
        tmp[2] = bp % 10 ? (char)('0' + bp % 10) : '\0';
        tmp[3] = '\0';
        text_append(buf, cap, tmp);
    }
    text_append(buf, cap, "%");
    return text_len(buf);
}
