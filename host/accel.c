/*
 * Accelerator detection and timing classes (see accel.h).
 */
#include "accel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "util.h"

/* One row per (accelerator, host capability) pair.  For the nested lab the
 * capability is whether L0 runs on KVM with nested virtualization: L2's
 * numbers are then nested-virtualization numbers, never bare-metal ones. */
static const struct timing_class classes[] = {
    { "kvm", 1, "hardware", "hardware KVM" },
    { "kvm", 0, "software-kvm", "software KVM — not hardware virtualization" },
    { "tcg", -1, "emulated", "TCG — emulated, not hardware" },
    { "lab", 1, "nested-hardware", "nested on hardware KVM — not bare-metal numbers" },
    { "lab", 0, "nested-emulated", "nested, emulated — not hardware" },
};

const struct timing_class *timing_class_for(const char *accel, bool host_virt_flags)
{
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (!strcmp(classes[i].accel, accel) &&
            (classes[i].needs_virt_flags < 0 ||
             classes[i].needs_virt_flags == (int)host_virt_flags))
            return &classes[i];
    return NULL;
}

const struct timing_class *timing_class_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (!strcmp(classes[i].name, name))
            return &classes[i];
    return NULL;
}

/* Looks for whole words "vmx" and "svm" on the host's "flags" lines. */
static void read_virt_flags(struct kvm_probe *k)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[8192];

    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        char *save = NULL, *tok;

        if (strncmp(line, "flags", 5) != 0)
            continue;
        for (tok = strtok_r(strchr(line, ':') ? strchr(line, ':') + 1 : line, " \t\n", &save);
             tok; tok = strtok_r(NULL, " \t\n", &save)) {
            if (!strcmp(tok, "vmx"))
                k->host_vmx = true;
            if (!strcmp(tok, "svm"))
                k->host_svm = true;
        }
    }
    fclose(f);
}

void kvm_probe(struct kvm_probe *k)
{
    int fd, vm;

    memset(k, 0, sizeof(*k));
    k->api_version = -1;
    k->cap_hyperv = -1;
    read_virt_flags(k);

    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fmt(k->reason, sizeof(k->reason), "cannot open /dev/kvm: %s", strerror(errno));
        return;
    }
    k->api_version = ioctl(fd, KVM_GET_API_VERSION, 0);
    k->cap_hyperv = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV);
    if (k->api_version != KVM_API_VERSION) {
        fmt(k->reason, sizeof(k->reason), "/dev/kvm reports API version %d, expected %d",
            k->api_version, KVM_API_VERSION);
        close(fd);
        return;
    }
    do
        vm = ioctl(fd, KVM_CREATE_VM, 0);
    while (vm < 0 && errno == EINTR);
    if (vm < 0) {
        fmt(k->reason, sizeof(k->reason), "KVM_CREATE_VM failed: %s", strerror(errno));
        close(fd);
        return;
    }
    close(vm);
    close(fd);
    k->usable = true;
}

const char *accel_resolve(enum accel_choice choice, const struct kvm_probe *k,
                          char *err, size_t errcap)
{
    switch (choice) {
    case ACCEL_TCG:
        return "tcg";
    case ACCEL_LAB:
        return "lab";
    case ACCEL_KVM:
        if (k->usable)
            return "kvm";
        fmt(err, errcap, "--accel kvm: KVM is not usable here (%s); use --accel tcg or auto",
            k->reason);
        return NULL;
    case ACCEL_AUTO:
        break;
    }
    return k->usable ? "kvm" : "tcg";
}

const char *accel_auto_choose(const struct accel_auto_input *in, char *why, size_t cap)
{
    if (in->kvm_usable && !in->hv_off && in->kvm_hv_tlbflush) {
        fmt(why, cap, "--accel auto: kvm, with Hyper-V enlightenments (the local KVM accepts "
            "hv-tlbflush)");
        return "kvm";
    }
    if (in->sweep_has_hv && !in->hv_off) {
        if (in->kvm_usable)
            fmt(why, cap, "--accel auto: lab, the sweep has hv-* configurations and the local "
                "KVM refuses hv-tlbflush (%s)", in->hv_tlbflush_refusal && *in->hv_tlbflush_refusal
                ? in->hv_tlbflush_refusal : "not accepted");
        else
            fmt(why, cap, "--accel auto: lab, the sweep has hv-* configurations and KVM is "
                "not usable here (%s)", in->kvm_reason ? in->kvm_reason : "unknown");
        return "lab";
    }
    if (in->kvm_usable) {
        fmt(why, cap, "--accel auto: kvm, /dev/kvm works and %s", in->hv_off
            ? "--hv off asks for no hypercalls" : "the sweep has no hv-* configurations");
        return "kvm";
    }
    fmt(why, cap, "--accel auto: tcg, KVM is not usable here (%s)%s",
        in->kvm_reason ? in->kvm_reason : "unknown",
        in->hv_off ? " and --hv off asks for no hypercalls"
                   : " and the sweep has no hv-* configurations");
    return "tcg";
}

const char *accel_default_cpu(const char *accel, const struct timing_class *tc)
{
    if (!strcmp(accel, "tcg"))
        return "qemu64,+rdtscp";
    if (!strcmp(accel, "kvm") && tc && !strcmp(tc->name, "hardware"))
        return "host";
    return "qemu64";
}
