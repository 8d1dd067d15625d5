/*
 * conformance.c: the Hyper-V flush-hypercall conformance suite and the
 * `hyperv` / `vp` records.
 *
 * What it does (in the manner of an XTF test): once per run, on the BSP,
 * when hv_usable(), it issues each case of the shared table
 * (bench/conformance_cases.c) exactly once and writes one `conformance`
 * record per case: the case, the call, slow or fast input, the HV_STATUS
 * that came back (name and code), the reps completed, the vector if the
 * call raised #UD/#GP instead (caught by guest/hv/trap.c), and the outcome
 * the TLFS prescribes for that input as far as the advertised features
 * decide it (conf_tlfs_expected).  A call the guest itself does not issue
 * (e.g. input that does not fit the fast registers) is recorded with
 * `refused`, never as the hypervisor's answer.
 *
 * Outcomes are recorded, never judged, here: the guest does not know which
 * hypervisor (version, enforce-cpuid or not) it is measuring.  The host
 * judges each record against the same table row (host/analysis/conformance.c).  A
 * case gated on XMM input is skipped, not recorded, where that is not
 * advertised.
 *
 * Valid cases go through the guest's flush API (guest/hv/flush.c, with its
 * rep loop and per-CPU input page); malformed ones are built with
 * hv_flush_input(), mutated (flags, control-word fields, GPA, HV_VP_SET
 * format) and issued raw from a private two-page buffer, so misaligned and
 * page-crossing GPAs can be made.  Every flush targets the test window and
 * the kernel address space: harmless if the hypervisor does flush.
 *
 * Races: none to tolerate -- the cases run one at a time on the BSP while
 * the other CPUs idle, and each outcome is the call's own return value.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/conformance.h>
#include <bench/hv_abi.h>
#include <guest/console.h>
#include <guest/hv.h>
#include <guest/percpu.h>
#include <guest/string.h>
#include "measure.h"

#define SP HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE
#define LI HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST
#define SPX HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX

#define GVA_MAX 16
#define RAW_QWORDS 64

static uint8_t *raw_buf;          /* two contiguous pages */

static void vps_of(uint8_t target, uint32_t *vps, unsigned *n)
{
    unsigned cpu;

    *n = 0;
    switch (target) {
    case CONF_T_ONE:
        vps[(*n)++] = hv_vp_index(nr_cpus > 1 ? 1 : 0);
        break;
    case CONF_T_BAD_VP: {
        uint32_t v;

        for (v = 63; v > 0; v--) {
            for (cpu = 0; cpu < nr_cpus; cpu++)
                if (hv_vp_index(cpu) == v)
                    break;
            if (cpu == nr_cpus)
                break;
        }
        vps[(*n)++] = v;
        break;
    }
    case CONF_T_VP4000:
        vps[(*n)++] = 4000;
        break;
    default:
        break;
    }
}

static struct hv_result run_api(const struct conf_case *k, const uint32_t *vps, unsigned nvps,
                                const uint64_t *gva, unsigned ngva)
{
    struct hv_flush_request r = {
        .address_space = kernel_cr3(), .flags = k->flags, .vps = vps, .nvps = nvps,
        .all_vps = k->target == CONF_T_ALL, .gva = gva, .ngva = ngva,
        .fast = k->input == CONF_IN_FAST,
    };

    switch (k->code) {
    case SP: return hv_flush_space(&r);
    case LI: return hv_flush_list(&r);
    case SPX: return hv_flush_space_ex(&r);
    default: return hv_flush_list_ex(&r);
    }
}

static struct hv_result run_raw(const struct conf_case *k, const uint32_t *vps, unsigned nvps,
                                const uint64_t *gva, unsigned ngva)
{
    uint64_t q[RAW_QWORDS] = { 0 }, control, gpa;
    unsigned varhead, reps;
    struct hv_result res = { .status = HV_RESULT_NOT_ISSUED, .refused = HV_REFUSED_BAD_REQUEST };
    int nq = hv_flush_input(k->code, kernel_cr3(), k->flags, vps, nvps, k->target == CONF_T_ALL,
                            gva, ngva, q, RAW_QWORDS, &varhead, &reps);

    if (nq < 0)
        return res;
    if (k->set_format && hv_call_is_ex(k->code))
        q[2] = k->format;
    if (k->set_reps)
        reps = k->reps;
    control = hv_control(k->code_override ? k->code_override : k->code, k->input == CONF_IN_FAST,
                         (unsigned)((int)varhead + k->varhead_delta), reps,
                         k->rep_start) | k->control_or;
    if (k->input == CONF_IN_FAST) {
        if (nq > HV_FAST_INPUT_QWORDS) {
            res.refused = HV_REFUSED_FAST_NO_FIT;
            return res;
        }
        return hv_hypercall_xmm(control, q[0], q[1], &q[2]);
    }
    gpa = (uint64_t)(uintptr_t)raw_buf;
    if (k->gpa == CONF_GPA_MISALIGNED)
        gpa += 4;
    else if (k->gpa == CONF_GPA_CROSSING)
        gpa += PAGE_SIZE - 16;    /* AddressSpace, Flags in page 0; the rest in page 1 */
    memcpy((void *)(uintptr_t)gpa, q, (size_t)nq * 8);
    return hv_hypercall(control, gpa, 0);
}

static const char *const input_names[] = {
    [CONF_IN_SLOW] = "slow", [CONF_IN_FAST] = "fast", [CONF_IN_MSR] = "msr",
};

static void emit_case(const struct conf_case *k, const struct hv_result *r)
{
    const char *call = conf_call_label(k), *input = input_names[k->input];
    const char *tlfs = conf_tlfs_expected(k, hv_info.xmm_input, hv_info.ex_processor_masks);

    record_begin(&records, "conformance");
    record_str(&records, "case", k->name);
    record_str(&records, "call", call);
    record_str(&records, "input", input);
    record_str(&records, "status", hv_result_status_name(r));
    if (r->faulted || r->refused)
        record_str(&records, "code", "-");
    else
        record_u64(&records, "code", r->status);
    record_u64(&records, "reps", r->reps_done);
    record_u64(&records, "fault", r->faulted ? r->vector : 0);
    record_str(&records, "tlfs", tlfs);
    if (r->refused)
        record_str(&records, "refused", hv_refused_name(r->refused));
    record_finish(&records);
    printk("  %-26s %-11s %-4s -> %-24s reps=%u fault=%u tlfs=%s%s\n", k->name, call, input,
           r->refused ? hv_refused_name(r->refused) : hv_result_status_name(r),
           r->reps_done, r->faulted ? r->vector : 0, tlfs, r->refused ? " (not issued)" : "");
}

/* Writing HV_X64_MSR_VP_INDEX (read-only for the guest) with the value it
 * holds: a #GP here is caught and recorded like a hypercall fault. */
static struct hv_result run_vp_index_write(void)
{
    uint64_t v = hv_vp_index(0);
    struct hv_result r = { 0 };
    int vec = hv_safe_wrmsr(HV_X64_MSR_VP_INDEX, v);

    if (vec) {
        r.faulted = true;
        r.vector = (uint8_t)vec;
        r.status = HV_RESULT_NOT_ISSUED;
    }
    return r;
}

static struct hv_result run_case(const struct conf_case *k)
{
    uint32_t vps[4];
    uint64_t gva[GVA_MAX];
    unsigned nvps;
    int ngva = 0;

    if (k->how == CONF_VP_INDEX_WRMSR)
        return run_vp_index_write();
    vps_of(k->target, vps, &nvps);
    if (k->pages) {
        ngva = hv_gva_ranges(TEST_WINDOW_VA, k->pages, gva, GVA_MAX);
        if (ngva < 0)
            ngva = 0;
    }
    return k->how == CONF_RAW ? run_raw(k, vps, nvps, gva, (unsigned)ngva)
                              : run_api(k, vps, nvps, gva, (unsigned)ngva);
}

void conformance_run(void)
{
    unsigned i;

    if (!hv_usable() || hv_info.pretended)   /* a made-up interface: nothing to judge */
        return;
    if (!raw_buf)
        raw_buf = pages_alloc(2);
    printk("hyperv conformance (outcomes recorded, judged by the host):\n");
    for (i = 0; i < conf_ncases; i++) {
        const struct conf_case *k = &conf_cases[i];
        struct hv_result r;

        if (k->gate == CONF_G_XMM && !hv_info.xmm_input)
            continue;
        r = run_case(k);
        emit_case(k, &r);
    }
}

static void hex_field(const char *key, uint64_t v)
{
    char buf[24];

    snprintk(buf, sizeof(buf), "0x%lx", v);
    record_str(&records, key, buf);
}

void hv_emit_records(void)
{
    unsigned cpu;

    record_begin(&records, "hyperv");
    record_u64(&records, "present", hv_info.hv_present);
    record_str(&records, "vendor", hv_info.vendor[0] ? hv_info.vendor : "-");
    record_u64(&records, "hv1", hv_info.hv1);
    hex_field("max_leaf", hv_info.max_leaf);
    hex_field("privileges", hv_info.privileges);
    hex_field("features_edx", hv_info.features_edx);
    hex_field("recommendations", hv_info.recommendations);
    hex_field("nested", hv_info.nested_features);
    record_u64(&records, "max_vps", hv_info.max_vps);
    record_u64(&records, "max_lps", hv_info.max_lps);
    record_u64(&records, "xmm_input", hv_info.xmm_input);
    record_u64(&records, "ext_gva", hv_info.ext_gva_ranges);
    record_u64(&records, "remote_flush", hv_info.remote_flush);
    record_u64(&records, "ex_masks", hv_info.ex_processor_masks);
    hex_field("guest_os_id", hv_info.guest_os_id);
    hex_field("hypercall_msr", hv_info.hypercall_msr);
    record_u64(&records, "hypercall", hv_info.hypercall_enabled);
    record_u64(&records, "msr_fault", hv_info.msr_fault);
    record_u64(&records, "trap_selftest", hv_info.trap_selftest);
    record_str(&records, "why", hv_info.why_unavailable ? hv_info.why_unavailable : "-");
    record_u64(&records, "pretend", hv_info.pretended);
    record_finish(&records);
    printk("hyperv: present=%d vendor=\"%s\" hv1=%d max_leaf=0x%x priv=0x%lx feat_edx=0x%x "
           "recommend=0x%x xmm_input=%d ext_gva=%d remote_flush=%d ex_masks=%d hypercall=%d "
           "trap_selftest=%u msr_fault=%u why=%s\n",
           hv_info.hv_present, hv_info.vendor, hv_info.hv1, hv_info.max_leaf,
           hv_info.privileges, hv_info.features_edx, hv_info.recommendations,
           hv_info.xmm_input, hv_info.ext_gva_ranges, hv_info.remote_flush,
           hv_info.ex_processor_masks, hv_info.hypercall_enabled, hv_info.trap_selftest,
           hv_info.msr_fault, hv_info.why_unavailable ? hv_info.why_unavailable : "-");
    if (!hv_info.hypercall_enabled)
        return;
    for (cpu = 0; cpu < nr_cpus; cpu++) {
        uint32_t vp = hv_vp_index(cpu);

        record_begin(&records, "vp");
        record_u64(&records, "idx", cpu);
        record_u64(&records, "apic_id", percpu_of(cpu)->apic_id);
        if (vp == UINT32_MAX)
            record_str(&records, "vp_index", "-");
        else
            record_u64(&records, "vp_index", vp);
        record_finish(&records);
    }
}
