/*
 * The Hyper-V enlightenments (QEMU's hv-* CPU flags) a KVM run asks for,
 * and which of them the local QEMU + KVM accept.
 *
 *   --hv auto   the flags the guest uses (hv_flag_table's "auto" column)
 *   --hv off    none
 *   --hv A,B    exactly these (each flag's dependencies must be listed too)
 *
 * hv_probe() finds the accepted subset by starting QEMU paused with the
 * flags and quitting it over QMP (hv_probe.c does the starting): KVM checks
 * the flags when QEMU creates the vCPUs.  When QEMU refuses, the flag its
 * message names is dropped (with every flag that needs it) and the rest is
 * tried again; a message that names no flag is narrowed down one flag at a
 * time.  The dependencies are enforced here as well, because a QEMU whose
 * KVM has no Hyper-V at all ignores some flags (hv-tlbflush) silently.
 */
#ifndef HOST_HV_FLAGS_H
#define HOST_HV_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define HV_FLAGS_MAX       16
#define HV_REASON_MAX      256

struct hv_flag_info {
    const char *name;           /* QEMU's property: "hv-tlbflush" */
    const char *needs;          /* the flag QEMU requires with it, or NULL */
    bool wanted_by_auto;        /* the guest uses it: --hv auto asks for it */
    const char *what;           /* what the guest does with it */
};

enum hv_mode { HV_AUTO, HV_OFF, HV_LIST };

struct hv_request {
    enum hv_mode mode;
    unsigned n;                                 /* HV_LIST: the flags given */
    const struct hv_flag_info *flags[HV_FLAGS_MAX];
};

/* The known flags, in the order they are asked for (dependencies first). */
extern const struct hv_flag_info hv_flag_table[];
extern const unsigned hv_flag_count;
const struct hv_flag_info *hv_flag_lookup(const char *name);

/* Parses --hv's value.  False with a one-line message (no "hvflush: ")
 * on an unknown or repeated flag, an empty item, or a flag given without
 * the flag it needs. */
bool hv_request_parse(const char *spec, struct hv_request *r, char *err, size_t errcap);
/* The flags the request asks for, in table order; returns their number. */
unsigned hv_request_flags(const struct hv_request *r, const struct hv_flag_info **out);
/* "auto", "off" or the comma-separated list. */
void hv_request_name(const struct hv_request *r, char *out, size_t cap);

struct hv_refusal {
    const struct hv_flag_info *flag;
    char reason[HV_REASON_MAX];
};

struct hv_result {
    bool probed;                /* false: not a KVM run, or --hv off */
    const char *not_probed_why; /* when !probed */
    unsigned nrequested, naccepted, nrefused, probes;
    const struct hv_flag_info *requested[HV_FLAGS_MAX];
    const struct hv_flag_info *accepted[HV_FLAGS_MAX];
    struct hv_refusal refused[HV_FLAGS_MAX];
    char cpu[512];              /* the -cpu value: model plus the accepted flags */
};

/* One QEMU start with -cpu CPU.  Returns true when QEMU accepted it; else
 * false with QEMU's reason (its last error line) in reason. */
typedef bool (*hv_try_fn)(void *ctx, const char *cpu, char *reason, size_t cap);

/* Finds which of the requested flags QEMU accepts on model.  False when
 * the model itself (without any hv flag) is refused: QEMU's reason is in
 * err.  The result is complete either way. */
bool hv_probe(const struct hv_request *r, const char *model, hv_try_fn try_cpu, void *ctx,
              struct hv_result *res, char *err, size_t errcap);
/* The result of a run that does not use the flags (TCG, --hv off). */
void hv_result_unused(const struct hv_request *r, const char *model, const char *why,
                      struct hv_result *res);
/* Moves every accepted flag to the refused ones with reason, and drops
 * them from the -cpu value (model stays). */
void hv_result_refuse_all(struct hv_result *res, const char *model, const char *reason);
bool hv_result_accepted(const struct hv_result *res, const char *flag);

/* The one terminal line, without "hvflush: ":
 * "hv flags: accepted A,B; refused C (reason), D (reason)". */
void hv_result_line(const struct hv_result *res, char *out, size_t cap);
/* meta.json's "hyperv_flags" object. */
json_t *hv_result_json(const struct hv_request *r, const struct hv_result *res);
/* The same line from a recorded "hyperv_flags" object (e.g. L1's run's in
 * the lab); hv_result_line() formats through it. */
void hv_flags_line(const json_t *hv, char *out, size_t cap);

/* The real QEMU start (hv_probe.c): ctx is a struct hv_qemu. */
struct hv_qemu {
    const char *binary;
    const char *accel;          /* "kvm" or "tcg" */
};
bool hv_try_qemu(void *ctx, const char *cpu, char *reason, size_t cap);

#endif
