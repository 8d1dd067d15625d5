/*
 * Accelerator detection and the timing class of a run.
 *
 * The timing class says what the measured cycle counts mean: real hardware
 * virtualization, KVM running on a software hypervisor, or pure emulation.
 * Every table and plot carries its label so that nobody mistakes emulated
 * numbers for hardware ones.
 */
#ifndef HOST_ACCEL_H
#define HOST_ACCEL_H

#include <stdbool.h>

#include "cli.h"

struct kvm_probe {
    bool usable;                /* opened, API 12, a VM could be created */
    char reason[160];           /* why not, when !usable */
    int api_version;            /* -1 when /dev/kvm could not be opened */
    int cap_hyperv;             /* KVM_CHECK_EXTENSION(KVM_CAP_HYPERV); -1 unknown */
    bool host_vmx;              /* host /proc/cpuinfo flags */
    bool host_svm;
};

struct timing_class {
    const char *accel;          /* "kvm", "tcg", "lab" */
    int needs_virt_flags;       /* 1: host vmx/svm present (lab: L0 on nested KVM),
                                 * 0: absent, -1: either */
    const char *name;           /* "hardware", "software-kvm", "emulated",
                                 * "nested-hardware", "nested-emulated" */
    const char *label;          /* shown in every table and plot title */
};

/* Probes /dev/kvm and the host CPU flags. */
void kvm_probe(struct kvm_probe *k);

/* Resolves --accel against the probe.  Returns "kvm", "tcg" or "lab", or NULL with
 * a message in err when kvm was asked for but is unusable. */
const char *accel_resolve(enum accel_choice choice, const struct kvm_probe *k,
                          char *err, size_t errcap);

/* What --accel auto weighs (run_prepare.c fills it in). */
struct accel_auto_input {
    bool kvm_usable;
    const char *kvm_reason;         /* why not, when !kvm_usable */
    bool hv_off;                    /* --hv off: no hypercalls wanted */
    bool kvm_hv_tlbflush;           /* the local QEMU + KVM accepted hv-tlbflush */
    const char *hv_tlbflush_refusal;/* QEMU's reason, when it did not */
    bool sweep_has_hv;              /* strategy_is_hv() over the expanded configs */
};

/* --accel auto: KVM with Hyper-V where the local KVM accepts hv-tlbflush;
 * else the nested lab when the sweep has hv-* configurations (and --hv is
 * not off); else KVM where usable, else TCG.  Returns "kvm", "lab" or
 * "tcg" and says why in one line (without "hvflush: "). */
const char *accel_auto_choose(const struct accel_auto_input *in, char *why, size_t cap);

/* The guest's default CPU model: host where KVM runs on hardware
 * virtualization, qemu64 elsewhere (TCG adds rdtscp, which it emulates). */
const char *accel_default_cpu(const char *accel, const struct timing_class *tc);

/* The timing class of an accelerator on this host. */
const struct timing_class *timing_class_for(const char *accel, bool host_virt_flags);
/* Looks a timing class up by its name (as stored in summary.csv). */
const struct timing_class *timing_class_by_name(const char *name);

#endif
