/* ACPI facts the guest uses beyond the MADT. */
#ifndef GUEST_ACPI_H
#define GUEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>

/* The ACPI PM timer (3.579545 MHz) from the FADT: its I/O port (X_PM_TMR_BLK
 * in system I/O space, else PM_TMR_BLK) and whether it counts 32 bits
 * (FADT flag TMR_VAL_EXT) rather than 24.  False when there is none. */
bool acpi_pm_timer(uint16_t *port, bool *is32);

#endif
