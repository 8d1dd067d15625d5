/* The hv-rule sweep directive (bench/include/bench/hv_rule.h). */
#include <bench/hv_rule.h>
#include <bench/text.h>

static const char *const rule_names[] = {
    [HV_RULE_RECOMMENDED] = "recommended",
    [HV_RULE_OFFERED] = "offered",
};

const char *hv_rule_name(enum hv_rule r)
{
    return (unsigned)r < sizeof(rule_names) / sizeof(rule_names[0]) ? rule_names[r] : "?";
}

bool hv_rule_from_name(const char *s, size_t n, enum hv_rule *out)
{
    for (unsigned i = 0; i < sizeof(rule_names) / sizeof(rule_names[0]); i++)
        if (text_eq_n(s, n, rule_names[i])) {
            *out = (enum hv_rule)i;
            return true;
        }
    return false;
}

int sweep_hv_rule_directive(struct sweep *sw, const char *key, size_t kn, const char *val,
                            size_t vn, unsigned lineno, struct sweep_error *err)
{
    enum hv_rule r;
    char tmp[40];

    if (!text_eq_n(key, kn, "hv-rule"))
        return 0;
    if (hv_rule_from_name(val, vn, &r)) {
        sw->hv_rule = (uint8_t)r;
        return 1;
    }
    err->lineno = lineno;
    err->msg[0] = '\0';
    text_append(err->msg, sizeof(err->msg), "hv-rule must be recommended or offered, got '");
    text_copy(tmp, sizeof(tmp), val, vn);
    text_append(err->msg, sizeof(err->msg), tmp);
    text_append(err->msg, sizeof(err->msg), "'");
    return -1;
}
