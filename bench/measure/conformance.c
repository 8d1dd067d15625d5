/*
 * conformance.c: the Hyper-V flush-hypercall conformance suite and the
 * `hyperv` / `vp` records.
 *
 * What it does (in the manner of an XTF test): once per run, on the BSP,
 * when hv_usable(), it issues each case of the table below exactly once
 * and writes one `conformance` record per case: the case, the call, slow
 * or fast input, the HV_STATUS that came back (name and code), the reps
 * completed, the vector if the call raised #UD/#GP instead (caught by
 * guest/hv/trap.c), and the status the TLFS prescribes for that input (a
 * name; `-` where the TLFS names none, and for every Ex case where
 * ExProcessorMasks is not advertised; `fault-ud` where it prescribes
 * a #UD instead of a status; records cannot carry `#`).
 *
 * Statuses are recorded, never judged, here: the guest does not know which
 * hypervisor (version, enforce-cpuid or not) it is measuring.  The host
 * compares the records with its tables of expected behaviour (TLFS, KVM).
 * A case that cannot be expressed on this platform (e.g. fast input without
 * the XMM-input feature, except the one deliberate "unchecked" case) is
 * skipped, not recorded.
 *
 * Valid cases go through the guest's flush API (guest/hv/flush.c, with its
 * rep loop and per-CPU input page); malformed ones are built with
 * hv_flush_input(), mutated (flags, control-word fields, GPA, HV_VP_SET
 * format) and issued raw from a private two-page buffer, so misaligned and
 * page-crossing GPAs can be made.  Every flush targets the test window and
 * the kernel address space: harmless if the hypervisor does flush.
 *
 * Target VPs: "one" = the VP of CPU 1 (CPU 0 on a one-CPU guest); "bad VP"
 * = the highest index below 64 that no CPU has; VP 4000 (bank 62) for Ex.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/hv_abi.h>
#include <guest/console.h>
#include <guest/hv.h>
#include <guest/percpu.h>
#include <guest/string.h>
#include "measure.h"

enum target { T_ONE, T_ALL, T_NONE, T_BAD_VP, T_VP4000 };
enum input { IN_SLOW, IN_FAST };
enum gate { G_ALWAYS, G_XMM };
enum gpa { GPA_PAGE, GPA_MISALIGNED, GPA_CROSSING };

/* tlfs values that depend on what the hypervisor advertises. */
#define TLFS_SUCCESS_OR_UD "success-or-ud"

struct conf_case {
    const char *name;
    uint16_t code;                /* the call whose input is built */
    uint8_t input, target, gate;
    bool raw;                     /* issued raw after the mutations below */
    uint64_t flags;               /* HV_FLUSH_* */
    unsigned pages;               /* List: pages of the test window to flush */
    /* Mutations (raw cases only): */
    uint16_t code_override;       /* 0 = none */
    uint64_t control_or;          /* bits OR'd into the control word */
    int varhead_delta;
    bool set_reps;                /* replace the natural rep count by reps */
    unsigned reps;
    unsigned rep_start;
    uint8_t gpa;
    bool set_format;              /* replace HV_VP_SET.Format by format */
    uint64_t format;
    const char *tlfs;
};

#define SUCCESS "SUCCESS"
#define BAD_INPUT "INVALID_HYPERCALL_INPUT"
#define BAD_ALIGN "INVALID_ALIGNMENT"
#define NONE "-"

#define SP HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE
#define LI HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST
#define SPX HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX
#define LIX HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX
#define ALLAS HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES

/* Defaults: slow, T_ONE, always, API path, no mutation. */
#define C(...) { __VA_ARGS__ }

static const struct conf_case cases[] = {
    /* Valid input, through the API: the TLFS expects SUCCESS. */
    C(.name = "space-one", .code = SP, .tlfs = SUCCESS),
    C(.name = "space-all", .code = SP, .target = T_ALL, .flags = ALLAS, .tlfs = SUCCESS),
    C(.name = "list-one", .code = LI, .pages = 1, .tlfs = SUCCESS),
    C(.name = "list-4097", .code = LI, .pages = 4097, .tlfs = SUCCESS),
    C(.name = "space-ex-one", .code = SPX, .tlfs = SUCCESS),
    C(.name = "space-ex-set-all", .code = SPX, .target = T_ALL, .flags = ALLAS, .tlfs = SUCCESS),
    C(.name = "list-ex-one", .code = LIX, .pages = 1, .tlfs = SUCCESS),
    C(.name = "list-ex-set-all", .code = LIX, .target = T_ALL, .pages = 2, .tlfs = SUCCESS),
    /* The same, XMM fast input, where advertised. */
    C(.name = "space-one-fast", .code = SP, .input = IN_FAST, .gate = G_XMM, .tlfs = SUCCESS),
    C(.name = "space-all-fast", .code = SP, .input = IN_FAST, .gate = G_XMM, .target = T_ALL,
      .flags = ALLAS, .tlfs = SUCCESS),
    C(.name = "list-one-fast", .code = LI, .input = IN_FAST, .gate = G_XMM, .pages = 1,
      .tlfs = SUCCESS),
    C(.name = "space-ex-one-fast", .code = SPX, .input = IN_FAST, .gate = G_XMM, .tlfs = SUCCESS),
    C(.name = "space-ex-set-all-fast", .code = SPX, .input = IN_FAST, .gate = G_XMM,
      .target = T_ALL, .flags = ALLAS, .tlfs = SUCCESS),
    C(.name = "list-ex-one-fast", .code = LIX, .input = IN_FAST, .gate = G_XMM, .pages = 1,
      .tlfs = SUCCESS),
    /* 12 GVA entries + mask = 15 qwords > RDX, R8 + 12: refused by the guest. */
    C(.name = "list-fast-no-fit", .code = LI, .input = IN_FAST, .gate = G_XMM,
      .pages = 12 * 4096, .tlfs = NONE),
    /* One fast call without looking at the XMM-input bit: #UD if the
     * hypervisor does not offer it (TLFS), SUCCESS if it does. */
    C(.name = "space-fast-unchecked", .code = SP, .input = IN_FAST, .raw = true,
      .tlfs = TLFS_SUCCESS_OR_UD),

    /* Control word. */
    C(.name = "space-rep-count-1", .code = SP, .raw = true, .set_reps = true, .reps = 1, .tlfs = BAD_INPUT),
    C(.name = "space-varhead-1", .code = SP, .raw = true, .varhead_delta = 1, .tlfs = BAD_INPUT),
    C(.name = "space-rsvd-ctl-bit27", .code = SP, .raw = true, .control_or = 1ull << 27,
      .tlfs = BAD_INPUT),
    C(.name = "unknown-code-0fff", .code = SP, .raw = true, .code_override = 0x0fff,
      .tlfs = "INVALID_HYPERCALL_CODE"),
    C(.name = "list-rep-count-0", .code = LI, .raw = true, .pages = 1, .set_reps = true, .reps = 0,
      .tlfs = BAD_INPUT),
    C(.name = "list-start-ge-count", .code = LI, .raw = true, .pages = 1, .rep_start = 1,
      .tlfs = BAD_INPUT),
    /* Input GPA. */
    C(.name = "space-gpa-misaligned", .code = SP, .raw = true, .gpa = GPA_MISALIGNED,
      .tlfs = BAD_ALIGN),
    C(.name = "space-gpa-page-cross", .code = SP, .raw = true, .gpa = GPA_CROSSING,
      .tlfs = BAD_ALIGN),
    /* Flags: reserved bit 5 (must be zero, no status named); NON_GLOBAL on
     * List ("treated as an invalid option", no status named). */
    C(.name = "space-rsvd-flag-bit5", .code = SP, .raw = true, .flags = 1ull << 5, .tlfs = NONE),
    C(.name = "list-non-global", .code = LI, .raw = true, .pages = 1,
      .flags = HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY, .tlfs = NONE),
    /* Targets. */
    C(.name = "space-empty-mask", .code = SP, .raw = true, .target = T_NONE, .tlfs = NONE),
    C(.name = "space-absent-vp", .code = SP, .raw = true, .target = T_BAD_VP, .tlfs = NONE),
    C(.name = "space-ex-vp4000", .code = SPX, .raw = true, .target = T_VP4000, .tlfs = NONE),
    C(.name = "space-ex-empty-set", .code = SPX, .raw = true, .target = T_NONE, .tlfs = NONE),
    /* ALL_PROCESSORS flag with a one-VP sparse set: which wins is not
     * visible in the status; recorded for the host's tables. */
    C(.name = "space-ex-allflag-sparse", .code = SPX, .raw = true,
      .flags = HV_FLUSH_ALL_PROCESSORS, .tlfs = NONE),
    C(.name = "space-ex-varhead-mismatch", .code = SPX, .raw = true, .varhead_delta = 1,
      .tlfs = NONE),
    C(.name = "space-ex-format-2", .code = SPX, .raw = true, .set_format = true, .format = 2, .tlfs = NONE),
    C(.name = "list-ex-rep-count-0", .code = LIX, .raw = true, .pages = 1, .set_reps = true, .reps = 0,
      .tlfs = BAD_INPUT),
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))
#define GVA_MAX 16
#define RAW_QWORDS 64

static uint8_t *raw_buf;          /* two contiguous pages */

static void vps_of(uint8_t target, uint32_t *vps, unsigned *n)
{
    unsigned cpu;

    *n = 0;
    switch (target) {
    case T_ONE:
        vps[(*n)++] = hv_vp_index(nr_cpus > 1 ? 1 : 0);
        break;
    case T_BAD_VP: {
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
    case T_VP4000:
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
        .all_vps = k->target == T_ALL, .gva = gva, .ngva = ngva,
        .fast = k->input == IN_FAST,
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
    int nq = hv_flush_input(k->code, kernel_cr3(), k->flags, vps, nvps, k->target == T_ALL,
                            gva, ngva, q, RAW_QWORDS, &varhead, &reps);

    if (nq < 0)
        return res;
    if (k->set_format && hv_call_is_ex(k->code))
        q[2] = k->format;
    if (k->set_reps)
        reps = k->reps;
    control = hv_control(k->code_override ? k->code_override : k->code, k->input == IN_FAST,
                         (unsigned)((int)varhead + k->varhead_delta), reps,
                         k->rep_start) | k->control_or;
    if (k->input == IN_FAST) {
        if (nq > HV_FAST_INPUT_QWORDS) {
            res.refused = HV_REFUSED_FAST_NO_FIT;
            return res;
        }
        return hv_hypercall_xmm(control, q[0], q[1], &q[2]);
    }
    gpa = (uint64_t)(uintptr_t)raw_buf;
    if (k->gpa == GPA_MISALIGNED)
        gpa += 4;
    else if (k->gpa == GPA_CROSSING)
        gpa += PAGE_SIZE - 16;    /* AddressSpace, Flags in page 0; the rest in page 1 */
    memcpy((void *)(uintptr_t)gpa, q, (size_t)nq * 8);
    return hv_hypercall(control, gpa, 0);
}

static const char *tlfs_of(const struct conf_case *k)
{
    /* The TLFS makes the Ex calls available only where ExProcessorMasks
     * is advertised: without it, it prescribes nothing for them. */
    if (hv_call_is_ex(k->code) && !hv_info.ex_processor_masks)
        return NONE;
    if (!strcmp(k->tlfs, TLFS_SUCCESS_OR_UD))
        return hv_info.xmm_input ? SUCCESS : "fault-ud";
    return k->tlfs;
}

static void emit_case(const char *name, const char *call, const char *input,
                      const struct hv_result *r, const char *tlfs)
{
    record_begin(&records, "conformance");
    record_str(&records, "case", name);
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
    printk("  %-26s %-11s %-4s -> %-24s reps=%u fault=%u tlfs=%s%s\n", name, call, input,
           r->refused ? hv_refused_name(r->refused) : hv_result_status_name(r),
           r->reps_done, r->faulted ? r->vector : 0, tlfs, r->refused ? " (not issued)" : "");
}

/* Writing HV_X64_MSR_VP_INDEX (read-only for the guest) with the value it
 * holds: a #GP here is caught and recorded like a hypercall fault. */
static void case_vp_index_write(void)
{
    uint64_t v = hv_vp_index(0);
    struct hv_result r = { 0 };
    int vec = hv_safe_wrmsr(HV_X64_MSR_VP_INDEX, v);

    if (vec) {
        r.faulted = true;
        r.vector = (uint8_t)vec;
        r.status = HV_RESULT_NOT_ISSUED;
    }
    emit_case("vp-index-wrmsr", "other", "msr", &r, NONE);
}

void conformance_run(void)
{
    uint32_t vps[4];
    uint64_t gva[GVA_MAX];
    unsigned i, nvps;

    if (!hv_usable())
        return;
    if (!raw_buf)
        raw_buf = pages_alloc(2);
    printk("hyperv conformance (statuses recorded, not judged):\n");
    for (i = 0; i < NCASES; i++) {
        const struct conf_case *k = &cases[i];
        struct hv_result r;
        const char *call;
        int ngva = 0;

        if (k->gate == G_XMM && !hv_info.xmm_input)
            continue;
        vps_of(k->target, vps, &nvps);
        if (k->pages) {
            ngva = hv_gva_ranges(TEST_WINDOW_VA, k->pages, gva, GVA_MAX);
            if (ngva < 0)
                ngva = 0;
        }
        r = k->raw ? run_raw(k, vps, nvps, gva, (unsigned)ngva)
                   : run_api(k, vps, nvps, gva, (unsigned)ngva);
        call = hv_call_name(k->code_override ? k->code_override : k->code);
        emit_case(k->name, call ? call : "other", k->input == IN_FAST ? "fast" : "slow", &r,
                  tlfs_of(k));
    }
    case_vp_index_write();
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
