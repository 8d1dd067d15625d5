/* The guest CPU model's KVM paravirtual features for kvm-pv (host/kvm_pv.c). */
#ifndef HOST_KVM_PV_H
#define HOST_KVM_PV_H

#include <stddef.h>
#include <bench/sweep.h>

/* The -cpu model a KVM run uses: `model` itself, or, when the sweep has a
 * kvm-pv configuration and the model neither names kvm-pv-tlb-flush nor is
 * host/max (which pass every KVM feature the kernel has), the model with
 * ",kvm-pv-tlb-flush=on" (QEMU's qemu64 and named models leave it off;
 * kvm-steal-time, which it needs, is on by default).  Returns model or buf. */
const char *kvm_pv_cpu_model(const char *model, const struct sweep_config *configs,
                             unsigned n, char *buf, size_t cap);

#endif
