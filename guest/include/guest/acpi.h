/* ACPI tables the guest reads (guest/lib/acpi.c, acpi_fadt.c). */
#ifndef GUEST_ACPI_H
#define GUEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>

struct __attribute__((packed)) acpi_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
};

/* The first table with this signature listed by the XSDT (revision >= 2)
 * or RSDT, checksummed; NULL if none.  The RSDP is the loader's copy
 * (multiboot2 tag 15/14) when there is one, else found in the EBDA and
 * 0xe0000-0xfffff. */
const struct acpi_header *acpi_table_find(const char signature[4]);
/* A table at a physical address, checksummed; NULL if absent or bad. */
const struct acpi_header *acpi_table_at(uint64_t addr);

/* The ACPI PM timer from the FADT (X_PM_TMR_BLK in I/O space, else
 * PM_TMR_BLK): its I/O port and whether it counts 32 bits (TMR_VAL_EXT)
 * rather than 24.  False when there is no FADT or no timer. */
bool acpi_pm_timer(uint16_t *port, bool *is32);

/* What ACPI S5 needs from the FADT: the PM1a/PM1b control ports (0: none),
 * the SMI command port and ACPI_ENABLE value, and the DSDT. */
struct acpi_pm1 {
    uint16_t pm1a_cnt, pm1b_cnt;
    uint32_t smi_cmd;
    uint8_t acpi_enable;
    const struct acpi_header *dsdt;
};
bool acpi_fadt_pm1(struct acpi_pm1 *out);

#endif
