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

/* The timing class of an accelerator on this host. */
const struct timing_class *timing_class_for(const char *accel, bool host_virt_flags);
/* Looks a timing class up by its name (as stored in summary.csv). */
const struct timing_class *timing_class_by_name(const char *name);

#endif
