/*
 * A guest that dies of an exception no handler claims prints one line,
 * "EXCEPTION vector=14 (#PF) error=0x0 rip=0x... cr2=0x... cpu=0", on its
 * console (guest/arch/x86/idt.c) and exits with failure.  The run's reason
 * names it, next to the configuration the collector saw last (collect.c),
 * so that a fault in the middle of a configuration is reported with both.
 */
#include "guest_fault.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void guest_fault_note(const char *run_dir, char *reason, size_t cap)
{
    char path[4096], *text = NULL, *at, *end;
    size_t len = 0;

    fmt(path, sizeof(path), "%s/serial.log", run_dir);
    if (!read_file(path, &text, &len, 64 << 20))
        return;
    at = strstr(text, "EXCEPTION vector=");
    if (at && (at == text || at[-1] == '\n')) {
        end = at + strcspn(at, "\r\n");
        *end = '\0';
        append(reason, cap, "%sguest exception: %s", reason[0] ? "; " : "",
               at + strlen("EXCEPTION "));
    }
    free(text);
}
