/*
 * identity.c: the `hypervisor` record -- who runs the guest, so that runs on
 * Hyper-V, Xen, KVM and others can be told apart (bench/record-format.md).
 *
 * Algorithm: with CPUID.1:ECX[31] set, read the vendor leaves at 0x40000000
 * and 0x40000100 (a base counts when its max leaf lies in base..base+0xff;
 * KVM with Hyper-V flags and Xen with viridian put their own leaves at
 * 0x40000100), the Hyper-V version leaf 0x40000002 where base 0 says
 * "Microsoft Hv", Xen's version leaf (base+1 EAX: major << 16 | minor) at
 * the base that says "XenVMMXenVMM".  0x40000004 before and after the Guest
 * OS ID write come from hv_init() (guest/hv/hypercall.c).  Signatures are
 * the 12 vendor bytes up to the first NUL, each byte outside [A-Za-z0-9]
 * becoming '_' ("Microsoft Hv" -> Microsoft_Hv, "KVMKVMKVM\0\0\0" ->
 * KVMKVMKVM).  Nothing is timed; CPUID is read on the BSP only.
 */
#include <arch/cpu.h>
#include <bench/hv_rule.h>
#include <guest/console.h>
#include <guest/hv.h>
#include <guest/string.h>
#include "measure.h"
#include "portable.h"

#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define HV_BASE0 0x40000000u
#define HV_BASE1 0x40000100u
#define HV_VERSION_LEAF 0x40000002u

struct hv_base {
    bool present;
    uint32_t max;
    char raw[13];                 /* the vendor bytes, NUL-terminated */
    char sig[13];                 /* sanitised */
};

static void read_base(uint32_t base, struct hv_base *b)
{
    struct cpuid_regs r = cpuid(base, 0);
    unsigned i;

    memset(b, 0, sizeof(*b));
    if (r.eax < base || r.eax > base + 0xff)
        return;
    b->present = true;
    b->max = r.eax;
    memcpy(b->raw, &r.ebx, 4);
    memcpy(b->raw + 4, &r.ecx, 4);
    memcpy(b->raw + 8, &r.edx, 4);
    for (i = 0; i < 12 && b->raw[i]; i++) {
        char c = b->raw[i];
        bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

        b->sig[i] = alnum ? c : '_';
    }
    b->sig[i] = '\0';
}

static void hex32(const char *key, uint64_t v)
{
    char s[24];

    snprintk(s, sizeof(s), "0x%llx", (unsigned long long)v);
    record_str(&records, key, s);
}

static void field_or_dash(const char *key, bool have, uint64_t v)
{
    if (have)
        record_u64(&records, key, v);
    else
        record_str(&records, key, "-");
}

void emit_hypervisor(void)
{
    struct hv_base b0 = { 0 }, b1 = { 0 };
    struct cpuid_regs ver = { 0 }, xen = { 0 };
    bool hv = cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR, ms, have_xen = false;

    if (hv) {
        read_base(HV_BASE0, &b0);
        read_base(HV_BASE1, &b1);
    }
    ms = b0.present && !memcmp(b0.raw, "Microsoft Hv", 12) && b0.max >= HV_VERSION_LEAF;
    if (ms)
        ver = cpuid(HV_VERSION_LEAF, 0);
    if (b0.present && !memcmp(b0.raw, "XenVMMXenVMM", 12) && b0.max >= HV_BASE0 + 1) {
        xen = cpuid(HV_BASE0 + 1, 0);
        have_xen = true;
    } else if (b1.present && !memcmp(b1.raw, "XenVMMXenVMM", 12) && b1.max >= HV_BASE1 + 1) {
        xen = cpuid(HV_BASE1 + 1, 0);
        have_xen = true;
    }
    record_begin(&records, "hypervisor");
    record_str(&records, "sig0", b0.present ? b0.sig : "none");
    hex32("max0", b0.present ? b0.max : 0);
    record_str(&records, "sig1", b1.present ? b1.sig : "none");
    hex32("max1", b1.present ? b1.max : 0);
    /* TLFS 0x40000002: EAX build, EBX major:minor, ECX service pack,
     * EDX branch (31:24) and number (23:0). */
    field_or_dash("hv_build", ms, ver.eax);
    field_or_dash("hv_sp", ms, ver.ecx);
    field_or_dash("hv_branch", ms, ver.edx >> 24);
    field_or_dash("hv_number", ms, ver.edx & 0xffffff);
    field_or_dash("hv_major", ms, ver.ebx >> 16);
    field_or_dash("hv_minor", ms, ver.ebx & 0xffff);
    field_or_dash("xen_major", have_xen, xen.eax >> 16);
    field_or_dash("xen_minor", have_xen, xen.eax & 0xffff);
    hex32("rec_before", hv_info.rec_before);
    hex32("rec_after", hv_info.rec_after);
    hex32("os_id", hv_info.os_id_written);
    record_str(&records, "rule", hv_rule_name(hv_flush_rule));
    record_finish(&records);
    printk("hypervisor: %s (max 0x%x), %s (max 0x%x); 0x40000004 0x%x -> 0x%x; hv-rule %s\n",
           b0.present ? b0.sig : "none", b0.max, b1.present ? b1.sig : "none", b1.max,
           hv_info.rec_before, hv_info.rec_after, hv_rule_name(hv_flush_rule));
}
