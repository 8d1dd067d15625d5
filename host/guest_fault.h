/* The guest's fatal exception, as its serial log reports it (guest_fault.c). */
#ifndef HOST_GUEST_FAULT_H
#define HOST_GUEST_FAULT_H

#include <stddef.h>

/* Appends "guest exception: vector=N (#XX) ... rip=0x... cpu=N" to reason
 * (after "; " when it is not empty) when RUN/serial.log holds the guest's
 * EXCEPTION line (guest/arch/x86/idt.c); nothing otherwise. */
void guest_fault_note(const char *run_dir, char *reason, size_t cap);

#endif
