/*
 * detect.c: Hyper-V interface discovery from CPUID (TLFS "Feature and
 * Interface Discovery").
 *
 *   CPUID.1:ECX bit 31     a hypervisor is present
 *   0x40000000  EAX        max hypervisor leaf; EBX:ECX:EDX vendor
 *                          ("Microsoft Hv"; KVM's emulation says "Linux KVM Hv",
 *                          and QEMU+KVM with hv-* flags puts these leaves at
 *                          0x40000000, KVM's own at 0x40000100)
 *   0x40000001  EAX        interface signature, "Hv#1" = 0x31237648
 *   0x40000003  EAX:EBX    HV_PARTITION_PRIVILEGE_MASK (bit 5 hypercall MSRs,
 *                          bit 6 VP index); EDX features (bit 4 XMM input,
 *                          bit 14 extended GVA ranges, bit 15 XMM output)
 *   0x40000004  EAX        recommendations (bit 2 remote TLB flush by
 *                          hypercall, bit 11 ExProcessorMasks)
 *   0x40000005  EAX, EBX   max virtual / logical processors
 *   0x4000000A  EAX        nested features (bit 17 direct flush), if present
 *
 * The sweep's hv-rule decides which of these bits allow the flush calls
 * (use_remote_flush, use_ex_masks): 0x40000004's recommendations, or with
 * `offered` the hypercall privilege of 0x40000003 alone.
 *
 * Nothing is assumed from the vendor string: each leaf is read only when
 * the max leaf covers it, every bit is decoded from what was read, and the
 * raw words are kept for the `hyperv` record.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <bench/hv_abi.h>
#include <bench/hv_rule.h>
#include <guest/hv.h>
#include <guest/string.h>
#include "hv_internal.h"

#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define HV_CPUID_NESTED_FEATURES 0x4000000au
/* A max leaf outside 0x40000000-0x400000ff is not a hypervisor range. */
#define HV_CPUID_RANGE_END 0x400000ffu

struct hv_info hv_info;
uint8_t hv_flush_rule = HV_RULE_RECOMMENDED;

static bool leaf_present(uint32_t leaf)
{
    return hv_info.hv_present && hv_info.max_leaf >= leaf;
}

void hv_detect_features(void)
{
    struct cpuid_regs r;

    if (leaf_present(HV_CPUID_FEATURES)) {
        r = cpuid(HV_CPUID_FEATURES, 0);
        hv_info.privileges = (uint64_t)r.eax | (uint64_t)r.ebx << 32;
        hv_info.features_edx = r.edx;
    }
    if (leaf_present(HV_CPUID_ENLIGHTENMENTS))
        hv_info.recommendations = cpuid(HV_CPUID_ENLIGHTENMENTS, 0).eax;
    if (leaf_present(HV_CPUID_LIMITS)) {
        r = cpuid(HV_CPUID_LIMITS, 0);
        hv_info.max_vps = r.eax;
        hv_info.max_lps = r.ebx;
    }
    if (leaf_present(HV_CPUID_NESTED_FEATURES))
        hv_info.nested_features = cpuid(HV_CPUID_NESTED_FEATURES, 0).eax;

    hv_info.access_hypercall_msrs = hv_info.privileges & HV_PRIV_ACCESS_HYPERCALL_MSRS;
    hv_info.access_vp_index = hv_info.privileges & HV_PRIV_ACCESS_VP_INDEX;
    hv_info.xmm_input = hv_info.features_edx & HV_FEAT_XMM_INPUT;
    hv_info.ext_gva_ranges = hv_info.features_edx & HV_FEAT_EXT_GVA_RANGES;
    hv_info.remote_flush = hv_info.recommendations & HV_ENLIGHT_REMOTE_TLB_FLUSH;
    hv_info.ex_processor_masks = hv_info.recommendations & HV_ENLIGHT_EX_PROCESSOR_MASKS;
    /* hv-rule: recommended needs 0x40000004's bits; offered only needs the
     * hypercall interface itself (0x40000003 privilege bit 5). */
    hv_info.use_remote_flush = hv_info.remote_flush ||
        (hv_flush_rule == HV_RULE_OFFERED && hv_info.access_hypercall_msrs);
    hv_info.use_ex_masks = hv_info.ex_processor_masks ||
        (hv_flush_rule == HV_RULE_OFFERED && hv_info.access_hypercall_msrs);
}

void hv_detect(void)
{
    struct cpuid_regs r;

    memset(&hv_info, 0, sizeof(hv_info));
    if (!(cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR))
        return;
    r = cpuid(HV_CPUID_VENDOR, 0);
    if (r.eax < HV_CPUID_VENDOR || r.eax > HV_CPUID_RANGE_END)
        return;
    hv_info.hv_present = true;
    hv_info.max_leaf = r.eax;
    memcpy(hv_info.vendor, &r.ebx, 4);
    memcpy(hv_info.vendor + 4, &r.ecx, 4);
    memcpy(hv_info.vendor + 8, &r.edx, 4);
    hv_info.vendor[12] = '\0';
    if (leaf_present(HV_CPUID_INTERFACE)) {
        hv_info.interface = cpuid(HV_CPUID_INTERFACE, 0).eax;
        hv_info.hv1 = hv_info.interface == HV_INTERFACE_HV1;
    }
    hv_detect_features();
    hv_info.rec_before = hv_info.rec_after = hv_info.recommendations;
}
