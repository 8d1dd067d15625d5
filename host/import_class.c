/*
 * The timing class of an imported run: what hypervisor the guest's TSC
 * was counting under, from the `hypervisor` record's CPUID signatures.
 * Xen first (it may show Hyper-V's leaves at 0x40000000 and its own at
 * 0x40000100), then KVM (with Hyper-V flags its signature is at
 * 0x40000100), then Hyper-V, then TCG.
 */
#include <string.h>

#include "import.h"

static const struct timing_class foreign[] = {
    { "import", -1, "foreign-xen", "foreign (xen) — timed by the guest's TSC" },
    { "import", -1, "foreign-kvm", "foreign (kvm) — timed by the guest's TSC" },
    { "import", -1, "foreign-hyperv", "foreign (hyperv) — timed by the guest's TSC" },
    { "import", -1, "foreign-tcg", "foreign (tcg) — timed by the guest's TSC" },
    { "import", -1, "foreign-unknown", "foreign (unknown) — timed by the guest's TSC" },
};

static const struct {
    const char *sig;
    bool at_sig1;               /* also counts when found at 0x40000100 */
    unsigned cls;
} rules[] = {
    { "XenVMMXenVMM", true, 0 },
    { "KVMKVMKVM", true, 1 },
    { "Microsoft_Hv", false, 2 },
    { "TCGTCGTCGTCG", false, 3 },
};

/* The guest sanitises signatures (non [A-Za-z0-9] -> `_`); KVM's is
 * "KVMKVMKVM\0\0\0", which becomes KVMKVMKVM___. */
static bool sig_is(const char *sig, const char *want)
{
    size_t n = strlen(want);

    if (!sig || strncmp(sig, want, n) != 0)
        return false;
    return strspn(sig + n, "_") == strlen(sig + n);
}

const struct timing_class *import_timing_class(const char *sig0, const char *sig1)
{
    for (unsigned i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (sig_is(sig0, rules[i].sig) || (rules[i].at_sig1 && sig_is(sig1, rules[i].sig)))
            return &foreign[rules[i].cls];
    return &foreign[4];
}
