/* How the guest ends (guest/lib/poweroff.c). */
#ifndef GUEST_POWEROFF_H
#define GUEST_POWEROFF_H

/* Writes `hvflush: done` on COM1, then ends the VM: isa-debug-exit with
 * code (GUEST_EXIT_*) under `hvflush run`; ACPI S5 in portable mode.  Where
 * neither ends it: a `hvflush: halted (...)` line and hlt forever with
 * interrupts off. */
_Noreturn void guest_end(int code);

/* Enters ACPI S5 through the FADT's PM1 control blocks; returns only when
 * that is impossible or did not power the machine off. */
void acpi_poweroff(void);

#endif
