/*
 * Where the guest's sweep comes from (bench/record-format.md, "Channel"):
 * fw_cfg `opt/hvflush/sweep` under `hvflush run`; else the boot module
 * named `sweep` (or the only module) of the portable image, which turns on
 * portable mode (records on COM1).  fw_cfg `opt/hvflush/portable` = "1"
 * turns portable mode on with the sweep from fw_cfg -- a switch only for
 * tests of that output under `hvflush run`.  Runs on the BSP before any
 * record is written; the mode it sets is read by the record channels.
 */
#include <stdbool.h>
#include <stdint.h>
#include <guest/bootinfo.h>
#include <guest/console.h>
#include <guest/platform.h>
#include <guest/string.h>
#include <bench/sweep.h>
#include "portable.h"

#define SWEEP_FW_CFG_FILE "opt/hvflush/sweep"

/* The module copied into text, so its pages are only read here.  Returns
 * the length, or -1 with the reason printed. */
static long sweep_from_module(char *text, size_t cap)
{
    const struct boot_module *m = bootinfo_module("sweep");
    uint64_t len;

    if (!m)
        return -1;
    len = m->end - m->start;
    if (m->end < m->start || len > cap) {
        printk("hvflush guest: sweep module '%s' has %llu bytes, at most %u fit\n", m->string,
               (unsigned long long)len, (unsigned)cap);
        return -1;
    }
    memcpy(text, (const void *)(uintptr_t)m->start, len);
    guest_set_portable_mode();
    printk("sweep: from boot module '%s' (%llu bytes), portable mode\n", m->string,
           (unsigned long long)len);
    return (long)len;
}

static bool portable_forced_by_fw_cfg(void)
{
    char v[2];

    return fwcfg_read_file("opt/hvflush/portable", v, 1) == 1 && v[0] == '1';
}

static long read_source(char *text, size_t cap)
{
    long len = fwcfg_read_file(SWEEP_FW_CFG_FILE, text, cap);

    if (len < 0)
        len = sweep_from_module(text, cap);
    else if (portable_forced_by_fw_cfg())
        guest_set_portable_mode();
    return len;
}

/* The first read (bench_early(), before the APs start) is kept, so the
 * sweep is read -- and portable mode announced -- once; later calls get
 * that copy. */
long sweep_source_read(char *text, size_t cap)
{
    static char first[SWEEP_TEXT_MAX];
    static long first_len = -2;        /* -2: not read yet */

    if (first_len == -2)
        first_len = read_source(first, sizeof(first));
    if (first_len < 0 || (size_t)first_len > cap)
        return -1;
    memcpy(text, first, (size_t)first_len);
    return first_len;
}
