/*
 * The conformance case table (see bench/include/bench/conformance.h): what
 * each case issues, what the TLFS prescribes, and what KVM answers.
 *
 * KVM's answers follow arch/x86/kvm/hyperv.c (kvm_hv_hypercall,
 * kvm_hv_flush_tlb) and were observed in the nested lab on Debian's 6.1
 * and 6.12 kernels (tests/integration/test_lab_hypercalls.c asserts them).
 * The two versions answer every case alike, so no row needs a second,
 * version-specific entry; one would read
 *   .kvm = { KVM(SUCCESS, "..."), KVM_SINCE(6, 2, BAD_INPUT, "...") }.
 *
 * Target VPs: "one" = the VP of CPU 1 (CPU 0 on a one-CPU guest); "bad VP"
 * = the highest index below 64 that no CPU has; VP 4000 (bank 62) for Ex.
 */
#include <stddef.h>
#include <bench/conformance.h>
#include <bench/hv_abi.h>
#include <bench/text.h>

#define SUCCESS "SUCCESS"
#define BAD_INPUT "INVALID_HYPERCALL_INPUT"
#define BAD_CODE "INVALID_HYPERCALL_CODE"
#define BAD_ALIGN "INVALID_ALIGNMENT"
#define NONE CONF_TLFS_NONE

#define SP HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE
#define LI HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST
#define SPX HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX
#define LIX HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX
#define ALLAS HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES

/* KVM answers as the TLFS does / with a reason / from a version on. */
#define KVM_AS_TLFS(o) { .outcome = (o) }
#define KVM(o, why) { .outcome = (o), .reason = (why) }
#define KVM_SINCE(maj, min, o, why) { .outcome = (o), .reason = (why), \
                                      .since_major = (maj), .since_minor = (min) }

/* Reasons shared by several rows. */
#define KVM_NO_ALIGN "KVM does not check the alignment or page bounds of flush input"
#define KVM_NO_VP_CHECK "KVM skips VP indexes that no vCPU has"
#define KVM_FLAGS_IGNORED "KVM ignores AddressSpace and every flag but ALL_PROCESSORS " \
                          "(it flushes all address spaces)"

/* Defaults: slow input, target one VP, always run, through the API. */
#define C(...) { __VA_ARGS__ }

const struct conf_case conf_cases[] = {
    /* Valid input, through the API: the TLFS expects SUCCESS. */
    C(.name = "space-one", .code = SP, .tlfs = SUCCESS, .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "space-all", .code = SP, .target = CONF_T_ALL, .flags = ALLAS, .tlfs = SUCCESS,
      .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "list-one", .code = LI, .pages = 1, .tlfs = SUCCESS,
      .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "list-4097", .code = LI, .pages = 4097, .tlfs = SUCCESS,
      .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "space-ex-one", .code = SPX, .tlfs = SUCCESS, .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "space-ex-set-all", .code = SPX, .target = CONF_T_ALL, .flags = ALLAS,
      .tlfs = SUCCESS, .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "list-ex-one", .code = LIX, .pages = 1, .tlfs = SUCCESS,
      .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "list-ex-set-all", .code = LIX, .target = CONF_T_ALL, .pages = 2, .tlfs = SUCCESS,
      .kvm = { KVM_AS_TLFS(SUCCESS) }),
    /* The same, XMM fast input, where advertised. */
    C(.name = "space-one-fast", .code = SP, .input = CONF_IN_FAST, .gate = CONF_G_XMM,
      .tlfs = SUCCESS, .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "space-all-fast", .code = SP, .input = CONF_IN_FAST, .gate = CONF_G_XMM,
      .target = CONF_T_ALL, .flags = ALLAS, .tlfs = SUCCESS, .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "list-one-fast", .code = LI, .input = CONF_IN_FAST, .gate = CONF_G_XMM,
      .pages = 1, .tlfs = SUCCESS, .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "space-ex-one-fast", .code = SPX, .input = CONF_IN_FAST, .gate = CONF_G_XMM,
      .tlfs = SUCCESS, .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "space-ex-set-all-fast", .code = SPX, .input = CONF_IN_FAST, .gate = CONF_G_XMM,
      .target = CONF_T_ALL, .flags = ALLAS, .tlfs = SUCCESS, .kvm = { KVM_AS_TLFS(SUCCESS) }),
    C(.name = "list-ex-one-fast", .code = LIX, .input = CONF_IN_FAST, .gate = CONF_G_XMM,
      .pages = 1, .tlfs = SUCCESS, .kvm = { KVM_AS_TLFS(SUCCESS) }),
    /* 12 GVA entries + mask = 15 qwords > RDX, R8 + 12: the guest refuses
     * it (does-not-fit-fast-input); no hypervisor ever sees it. */
    C(.name = "list-fast-no-fit", .code = LI, .input = CONF_IN_FAST, .gate = CONF_G_XMM,
      .pages = 12 * 4096, .tlfs = NONE),
    /* One fast call without looking at the XMM-input bit. */
    C(.name = "space-fast-unchecked", .code = SP, .input = CONF_IN_FAST, .how = CONF_RAW,
      .tlfs = CONF_TLFS_SUCCESS_OR_UD,
      .kvm = { KVM(SUCCESS, "KVM reads XMM input whether or not it is advertised "
                            "(#UD only with hv-enforce-cpuid)") }),

    /* Control word. */
    C(.name = "space-rep-count-1", .code = SP, .how = CONF_RAW, .set_reps = true, .reps = 1,
      .tlfs = BAD_INPUT, .kvm = { KVM_AS_TLFS(BAD_INPUT) }),
    C(.name = "space-varhead-1", .code = SP, .how = CONF_RAW, .varhead_delta = 1,
      .tlfs = BAD_INPUT, .kvm = { KVM_AS_TLFS(BAD_INPUT) }),
    C(.name = "space-rsvd-ctl-bit27", .code = SP, .how = CONF_RAW, .control_or = 1ull << 27,
      .tlfs = BAD_INPUT, .kvm = { KVM_AS_TLFS(BAD_INPUT) }),
    C(.name = "unknown-code-0fff", .code = SP, .how = CONF_RAW, .code_override = 0x0fff,
      .tlfs = BAD_CODE, .kvm = { KVM_AS_TLFS(BAD_CODE) }),
    C(.name = "list-rep-count-0", .code = LI, .how = CONF_RAW, .pages = 1, .set_reps = true,
      .reps = 0, .tlfs = BAD_INPUT, .kvm = { KVM_AS_TLFS(BAD_INPUT) }),
    C(.name = "list-start-ge-count", .code = LI, .how = CONF_RAW, .pages = 1, .rep_start = 1,
      .tlfs = BAD_INPUT, .kvm = { KVM_AS_TLFS(BAD_INPUT) }),
    /* Input GPA. */
    C(.name = "space-gpa-misaligned", .code = SP, .how = CONF_RAW, .gpa = CONF_GPA_MISALIGNED,
      .tlfs = BAD_ALIGN, .kvm = { KVM(SUCCESS, KVM_NO_ALIGN) }),
    C(.name = "space-gpa-page-cross", .code = SP, .how = CONF_RAW, .gpa = CONF_GPA_CROSSING,
      .tlfs = BAD_ALIGN, .kvm = { KVM(SUCCESS, KVM_NO_ALIGN) }),
    /* Flags: reserved bit 5 (must be zero, no status named); NON_GLOBAL on
     * List ("treated as an invalid option", no status named). */
    C(.name = "space-rsvd-flag-bit5", .code = SP, .how = CONF_RAW, .flags = 1ull << 5,
      .tlfs = NONE, .kvm = { KVM(SUCCESS, KVM_FLAGS_IGNORED) }),
    C(.name = "list-non-global", .code = LI, .how = CONF_RAW, .pages = 1,
      .flags = HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY, .tlfs = NONE,
      .kvm = { KVM(SUCCESS, KVM_FLAGS_IGNORED) }),
    /* Targets. */
    C(.name = "space-empty-mask", .code = SP, .how = CONF_RAW, .target = CONF_T_NONE,
      .tlfs = NONE,
      .kvm = { KVM(SUCCESS, "KVM takes an empty non-Ex mask for all processors "
                            "(a Windows Server 2012 workaround)") }),
    C(.name = "space-absent-vp", .code = SP, .how = CONF_RAW, .target = CONF_T_BAD_VP,
      .tlfs = NONE, .kvm = { KVM(SUCCESS, KVM_NO_VP_CHECK) }),
    C(.name = "space-ex-vp4000", .code = SPX, .how = CONF_RAW, .target = CONF_T_VP4000,
      .tlfs = NONE, .kvm = { KVM(SUCCESS, KVM_NO_VP_CHECK) }),
    C(.name = "space-ex-empty-set", .code = SPX, .how = CONF_RAW, .target = CONF_T_NONE,
      .tlfs = NONE, .kvm = { KVM(SUCCESS, "KVM returns success for an empty sparse set "
                                          "without flushing") }),
    /* ALL_PROCESSORS flag with a one-VP sparse set: which wins is not
     * visible in the status. */
    C(.name = "space-ex-allflag-sparse", .code = SPX, .how = CONF_RAW,
      .flags = HV_FLUSH_ALL_PROCESSORS, .tlfs = NONE,
      .kvm = { KVM(SUCCESS, "KVM's Ex path ignores ALL_PROCESSORS; the set's format decides") }),
    C(.name = "space-ex-varhead-mismatch", .code = SPX, .how = CONF_RAW, .varhead_delta = 1,
      .tlfs = NONE,
      .kvm = { KVM(BAD_INPUT, "KVM requires the variable header size to equal the number "
                              "of banks in ValidBankMask") }),
    C(.name = "space-ex-format-2", .code = SPX, .how = CONF_RAW, .set_format = true,
      .format = 2, .tlfs = NONE,
      .kvm = { KVM(SUCCESS, "KVM takes every HV_VP_SET format but sparse for all VPs") }),
    C(.name = "list-ex-rep-count-0", .code = LIX, .how = CONF_RAW, .pages = 1, .set_reps = true,
      .reps = 0, .tlfs = BAD_INPUT, .kvm = { KVM_AS_TLFS(BAD_INPUT) }),
    /* HV_X64_MSR_VP_INDEX is read-only for the guest. */
    C(.name = "vp-index-wrmsr", .how = CONF_VP_INDEX_WRMSR, .input = CONF_IN_MSR, .tlfs = NONE,
      .kvm = { KVM("fault-gp", "KVM lets only the host set VP_INDEX: a guest write raises #GP") }),
};

const unsigned conf_ncases = sizeof(conf_cases) / sizeof(conf_cases[0]);

const struct conf_case *conf_case_find(const char *name)
{
    unsigned i;

    for (i = 0; i < conf_ncases; i++)
        if (text_eq(conf_cases[i].name, name))
            return &conf_cases[i];
    return NULL;
}

const char *conf_tlfs_expected(const struct conf_case *k, bool xmm_input, bool ex_masks)
{
    if (hv_call_is_ex(k->code) && !ex_masks)
        return NONE;
    if (text_eq(k->tlfs, CONF_TLFS_SUCCESS_OR_UD))
        return xmm_input ? SUCCESS : "fault-ud";
    return k->tlfs;
}

static bool version_at_least(unsigned major, unsigned minor, const struct conf_kvm_expect *e)
{
    return major > e->since_major || (major == e->since_major && minor >= e->since_minor);
}

const struct conf_kvm_expect *conf_kvm_expected(const struct conf_case *k, unsigned major,
                                                unsigned minor)
{
    const struct conf_kvm_expect *pick = NULL;
    unsigned i;

    for (i = 0; i < CONF_KVM_EXPECT_MAX && k->kvm[i].outcome; i++) {
        if (!major && !minor) {
            /* Version unknown: only an answer every version gives. */
            if (pick && !text_eq(pick->outcome, k->kvm[i].outcome))
                return NULL;
            pick = pick ? pick : &k->kvm[i];
        } else if (version_at_least(major, minor, &k->kvm[i])) {
            pick = &k->kvm[i];
        }
    }
    return pick;
}

const char *conf_call_label(const struct conf_case *k)
{
    const char *call;

    if (k->how == CONF_VP_INDEX_WRMSR)
        return "other";
    call = hv_call_name(k->code_override ? k->code_override : k->code);
    return call ? call : "other";
}
