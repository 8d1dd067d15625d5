/* The \_S5_ sleep type values from a DSDT's AML (bench/acpi_s5.c). */
#ifndef BENCH_ACPI_S5_H
#define BENCH_ACPI_S5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Finds `Name (_S5_, Package () { a, b, ... })` in aml[0..len) and stores
 * its first two elements in *slp_typa and *slp_typb.  False when there is
 * no such name, the package is cut short or an element is not an integer
 * constant this parser knows. */
bool acpi_s5_from_aml(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

#endif
