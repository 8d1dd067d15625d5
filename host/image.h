/*
 * "hvflush image": a bootable hybrid ISO (BIOS and UEFI, GRUB through
 * grub-mkrescue) holding the guest and one validated sweep as a boot module.
 *
 * Layout of the image:
 *   /boot/hvflush-guest.elf   the guest (the elf32 container QEMU -kernel takes)
 *   /boot/sweep.txt           the sweep text, byte for byte as validated
 *   /boot/grub/grub.cfg       image_grub_cfg(): serial console, Multiboot2
 *                             entry (BIOS and UEFI), Multiboot v1 fallback (BIOS)
 *   /hvflush/README.txt       what the image is, its sweep and hvflush revision
 */
#ifndef HOST_IMAGE_H
#define HOST_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <bench/sweep.h>

/* The vCPU counts image_sweep_vcpus() tries: those `run --smp` accepts. */
#define IMAGE_VCPUS_MAX 255

/* Writes the image's grub.cfg for a sweep named sweep_name (any bytes:
 * those outside [A-Za-z0-9._-] show as '_' in the menu titles).  False if
 * cap is too small. */
bool image_grub_cfg(const char *sweep_name, char *out, size_t cap);

/* Expands sw for every vCPU count 1..IMAGE_VCPUS_MAX.  runs[n] is true where
 * the sweep runs on n vCPUs (it expands, and to at least one configuration
 * unless it has no measure lines).  Returns how many counts it runs on; when
 * 0, *err holds the reason at IMAGE_VCPUS_MAX vCPUs. */
unsigned image_sweep_vcpus(const struct sweep *sw, bool runs[IMAGE_VCPUS_MAX + 1],
                           struct sweep_error *err);

/* Describes the counts of runs[] as ranges: "1-255", "2-255", "4-8, 16". */
void image_vcpu_ranges(const bool runs[IMAGE_VCPUS_MAX + 1], char *out, size_t cap);

/* What image_build() puts into the image. */
struct image_spec {
    const char *output;       /* FILE.iso, replaced only on success */
    const char *guest;        /* the guest ELF */
    const char *sweep_text;   /* the validated sweep text */
    size_t sweep_len;
    const char *sweep_name;   /* the sweep's name (its `name` or its file's) */
    const char *sweep_arg;    /* --sweep as given */
    const char *vcpus;        /* image_vcpu_ranges() of the sweep */
};

/* Builds the image in a temporary directory beside spec->output and renames
 * it into place.  On failure: one "hvflush: image: ..." line, nothing left
 * behind, an existing spec->output untouched; returns false. */
bool image_build(const struct image_spec *spec);

#endif
