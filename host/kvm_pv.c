/*
 * kvm-pv needs KVM_FEATURE_PV_TLB_FLUSH in the guest's KVM leaves, which
 * QEMU sets only with the CPU property kvm-pv-tlb-flush (see kvm_pv.h).
 * Under KVM without the kernel's support QEMU drops the feature with a
 * warning, and the guest reports the configuration unsupported
 * (kvm-pv-tlb-flush-not-advertised).
 */
#include <stdio.h>
#include <string.h>
#include "kvm_pv.h"

static bool passes_all_features(const char *model)
{
    return !strcmp(model, "host") || !strncmp(model, "host,", 5) ||
           !strcmp(model, "max") || !strncmp(model, "max,", 4);
}

const char *kvm_pv_cpu_model(const char *model, const struct sweep_config *configs,
                             unsigned n, char *buf, size_t cap)
{
    bool wanted = false;
    int len;

    for (unsigned i = 0; i < n; i++)
        wanted |= configs[i].strategy == STRATEGY_KVM_PV;
    if (!wanted || strstr(model, "kvm-pv-tlb-flush") || passes_all_features(model))
        return model;
    len = snprintf(buf, cap, "%s,kvm-pv-tlb-flush=on", model);
    return len > 0 && (size_t)len < cap ? buf : model;
}
