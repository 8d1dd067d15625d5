/*
 * The `hv-rule` sweep directive (bench/sweeps/README.md): which CPUID bits
 * let the guest call the remote-flush hypercalls.
 *   recommended (default): only where CPUID 0x40000004 EAX recommends them
 *                 (bit 2 remote TLB flush, bit 11 ExProcessorMasks for the
 *                 Ex calls), as before the directive existed;
 *   offered:      whenever CPUID 0x40000003 grants the hypercall MSRs
 *                 (privilege bit 5), recommended or not (Xen reports
 *                 0x40000004 as 0 to a guest whose Guest OS ID is not
 *                 Windows-like, yet its viridian flush calls work).
 */
#ifndef BENCH_HV_RULE_H
#define BENCH_HV_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <bench/sweep.h>

enum hv_rule {
    HV_RULE_RECOMMENDED = 0,
    HV_RULE_OFFERED,
};

const char *hv_rule_name(enum hv_rule r);    /* "recommended", "offered" */
bool hv_rule_from_name(const char *s, size_t n, enum hv_rule *out);

/* Parses an `hv-rule` directive line (word key, its one value).  Returns 0
 * when key is not hv-rule, 1 when parsed into sw->hv_rule, -1 with err
 * filled on a bad value. */
int sweep_hv_rule_directive(struct sweep *sw, const char *key, size_t kn, const char *val,
                            size_t vn, unsigned lineno, struct sweep_error *err);

#endif
