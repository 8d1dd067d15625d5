/*
 * The results area: a region of guest RAM into which the guest writes its
 * record lines (the same bytes as the record port would carry), read by the
 * host from the file that backs guest RAM once QEMU has exited.  The channel
 * rules are specified in bench/record-format.md ("Channel"); this header is
 * the layout, shared by the guest (bench/measure/emit.c) and the host
 * (host/channels.c).
 */
#ifndef BENCH_RESULTS_AREA_H
#define BENCH_RESULTS_AREA_H

#include <stdbool.h>
#include <stdint.h>

#define RESULTS_AREA_FW_CFG   "opt/hvflush/results-area"   /* text "GPA SIZE" */
#define RESULTS_AREA_MAGIC    "HVFAREA1"
#define RESULTS_AREA_VERSION  1
#define RESULTS_AREA_HEADER   64            /* record lines start here */
#define RESULTS_AREA_MAX      (256ull << 20)

/* At the area's first byte, little-endian, 64 bytes.  The guest fills it in
 * before its first line; `bytes` only ever covers complete lines; `complete`
 * is stored last, after the end record (see emit.c's ordering comments). */
struct results_area_header {
    char magic[8];              /* RESULTS_AREA_MAGIC, no terminator */
    uint32_t version;           /* RESULTS_AREA_VERSION */
    uint32_t header_size;       /* RESULTS_AREA_HEADER */
    uint64_t size;              /* the area's size in bytes, header included */
    uint64_t bytes;             /* bytes of record lines after the header */
    uint64_t lines;             /* record lines in them */
    uint32_t overflow;          /* 1: a line did not fit; it and every later one
                                   went to the record port */
    uint32_t complete;          /* 1: the end record is in the stream */
    uint8_t reserved[16];
};
_Static_assert(sizeof(struct results_area_header) == RESULTS_AREA_HEADER,
               "the results area header is 64 bytes");

/* Where the host puts the area in a guest of memory_mib MiB: the area is a
 * quarter of guest RAM (at most RESULTS_AREA_MAX), starting at its middle,
 * below the top of RAM that firmware tables use and far above what the
 * guest's page allocator needs.  False when the guest is too small (< 64
 * MiB) or RAM reaches the PCI hole (> 2048 MiB: guest-physical addresses
 * and file offsets then part ways above 2 GiB on some machine types). */
static inline bool results_area_layout(unsigned memory_mib, uint64_t *gpa, uint64_t *size)
{
    uint64_t ram = (uint64_t)memory_mib << 20;

    if (memory_mib < 64 || memory_mib > 2048)
        return false;
    *gpa = ram / 2;
    *size = ram / 4 < RESULTS_AREA_MAX ? ram / 4 : RESULTS_AREA_MAX;
    return true;
}

#endif
