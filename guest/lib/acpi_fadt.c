/*
 * acpi_fadt.c: the fields of the FADT (signature "FACP") the guest uses:
 * the PM timer block (PM-timer TSC calibration) and the PM1 control blocks,
 * SMI command and DSDT (ACPI S5 poweroff, poweroff.c).  The ACPI 2.0+
 * extended fields (X_PM_TMR_BLK, X_PM1a/b_CNT_BLK, X_DSDT) win where the
 * table is long enough to hold them, they are non-zero and, for the blocks,
 * in system I/O space; else the 32-bit fields.  Fields are read by offset
 * (ACPI 6.5 table 5.9) so a short ACPI 1.0 FADT is never read past its end.
 */
#include <stdbool.h>
#include <stdint.h>
#include <guest/acpi.h>
#include <guest/string.h>

#define FADT_DSDT            40
#define FADT_SMI_CMD         48
#define FADT_ACPI_ENABLE     52
#define FADT_PM1A_CNT_BLK    64
#define FADT_PM1B_CNT_BLK    68
#define FADT_PM_TMR_BLK      76
#define FADT_FLAGS           112
#define FADT_X_DSDT          140
#define FADT_X_PM1A_CNT_BLK  172
#define FADT_X_PM1B_CNT_BLK  184
#define FADT_X_PM_TMR_BLK    208
#define GAS_SIZE             12
#define GAS_ADDRESS          4        /* offset of the 64-bit address in a GAS */
#define GAS_SYSTEM_IO        1
#define FADT_TMR_VAL_EXT     (1u << 8)

static uint64_t field(const struct acpi_header *fadt, unsigned offset, unsigned size)
{
    uint64_t v = 0;
    if (offset + size <= fadt->length)
        memcpy(&v, (const uint8_t *)fadt + offset, size);
    return v;
}

/* An I/O port from the extended GAS at x_offset, else the 32-bit field. */
static uint16_t io_block(const struct acpi_header *fadt, unsigned x_offset, unsigned offset)
{
    if (x_offset + GAS_SIZE <= fadt->length &&
        field(fadt, x_offset, 1) == GAS_SYSTEM_IO) {
        uint64_t a = field(fadt, x_offset + GAS_ADDRESS, 8);
        if (a != 0 && a <= 0xffff)
            return (uint16_t)a;
    }
    uint64_t a = field(fadt, offset, 4);
    return a <= 0xffff ? (uint16_t)a : 0;
}

static const struct acpi_header *fadt_find(void)
{
    return acpi_table_find("FACP");
}

bool acpi_pm_timer(uint16_t *port, bool *is32)
{
    const struct acpi_header *fadt = fadt_find();
    if (!fadt)
        return false;
    uint16_t p = io_block(fadt, FADT_X_PM_TMR_BLK, FADT_PM_TMR_BLK);
    if (p == 0)
        return false;
    *port = p;
    *is32 = (field(fadt, FADT_FLAGS, 4) & FADT_TMR_VAL_EXT) != 0;
    return true;
}

bool acpi_fadt_pm1(struct acpi_pm1 *out)
{
    const struct acpi_header *fadt = fadt_find();
    if (!fadt)
        return false;
    out->pm1a_cnt = io_block(fadt, FADT_X_PM1A_CNT_BLK, FADT_PM1A_CNT_BLK);
    out->pm1b_cnt = io_block(fadt, FADT_X_PM1B_CNT_BLK, FADT_PM1B_CNT_BLK);
    out->smi_cmd = (uint32_t)field(fadt, FADT_SMI_CMD, 4);
    out->acpi_enable = (uint8_t)field(fadt, FADT_ACPI_ENABLE, 1);
    uint64_t dsdt = field(fadt, FADT_X_DSDT, 8);
    out->dsdt = dsdt ? acpi_table_at(dsdt) : NULL;
    if (!out->dsdt)
        out->dsdt = acpi_table_at(field(fadt, FADT_DSDT, 4));
    return out->pm1a_cnt != 0;
}
