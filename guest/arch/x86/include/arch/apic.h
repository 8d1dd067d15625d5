/* Local APIC: x2APIC when CPUID says so, xAPIC (MMIO at 0xfee00000) otherwise. */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <stdint.h>
#include <stdbool.h>

#define APIC_SPURIOUS_VECTOR 0xff
/* smp_call() wakes a halted CPU with this vector; its handler only EOIs. */
#define APIC_WAKEUP_VECTOR   0xf0

void apic_init(void);             /* per CPU: enable, spurious vector, TPR 0 */
bool apic_is_x2apic(void);
const char *apic_mode_name(void); /* "x2apic" or "xapic" */
uint32_t apic_id(void);
void apic_eoi(void);
/* Fixed, physical-destination, edge IPI.  Waits for delivery status on xAPIC. */
void apic_send_ipi(uint32_t dest_apic_id, uint8_t vector);
void apic_send_init(uint32_t dest_apic_id);
void apic_send_sipi(uint32_t dest_apic_id, uint8_t page);

#endif
