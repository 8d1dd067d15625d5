/* What the boot loader handed the guest. */
#ifndef GUEST_BOOTINFO_H
#define GUEST_BOOTINFO_H

#include <stdbool.h>

/* True when the guest runs in portable mode (the sweep came from a boot
 * module): records go to COM1, no results area, no debugcon. */
bool guest_portable_mode(void);

#endif
