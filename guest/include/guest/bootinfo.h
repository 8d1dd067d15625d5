/*
 * What the boot loader handed over, read once from Multiboot v1 (QEMU
 * -kernel, GRUB `multiboot`) or Multiboot2 (GRUB `multiboot2`, BIOS and
 * UEFI) and copied into the guest's own memory before the page allocator
 * can reuse the loader's structures: usable memory, boot modules and the
 * loader's copy of the ACPI RSDP.
 */
#ifndef GUEST_BOOTINFO_H
#define GUEST_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#define MULTIBOOT1_LOADER_MAGIC 0x2badb002
#define MULTIBOOT2_LOADER_MAGIC 0x36d76289

#define BOOTINFO_RANGES_MAX   32
#define BOOTINFO_MODULES_MAX  8
#define BOOTINFO_STRING_MAX   64
#define BOOTINFO_RSDP_MAX     64

struct boot_range {
    uint64_t start, end;                 /* [start, end) */
};

struct boot_module {
    uint64_t start, end;                 /* [start, end), reserved from the allocator */
    char string[BOOTINFO_STRING_MAX];    /* its command line, cut to fit */
};

struct bootinfo {
    unsigned multiboot;                  /* 0: unknown loader, 1 or 2 */
    unsigned nranges;                    /* usable RAM (type 1) as reported */
    struct boot_range ranges[BOOTINFO_RANGES_MAX];
    struct boot_range alloc;             /* what the page allocator may hand out */
    unsigned nmodules;
    struct boot_module modules[BOOTINFO_MODULES_MAX];
    unsigned rsdp_tag;                   /* 15 (new), 14 (old) or 0: none */
    const void *rsdp;                    /* points at rsdp_copy, or NULL */
    uint8_t rsdp_copy[BOOTINFO_RSDP_MAX];
};
extern struct bootinfo bootinfo;

/* Reads the loader's information (EAX magic, EBX address); the first thing
 * kernel_start() does, before page_alloc_init(bootinfo.alloc...). */
void bootinfo_init(uint32_t magic, uint32_t info);
/* One console line: loader, modules, RSDP source and allocator range. */
void bootinfo_print(void);
/* The module whose command line is `name` (or ends in " name"), else the only module if there is
 * exactly one, else NULL. */
const struct boot_module *bootinfo_module(const char *name);

/* True when the sweep came from a boot module (portable mode): records go to
 * COM1 and the guest ends with ACPI S5 instead of isa-debug-exit. */
bool guest_portable_mode(void);
/* Set once by the sweep driver when it took the sweep from a boot module. */
void guest_set_portable_mode(void);

#endif
