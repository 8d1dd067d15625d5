/*
 * The record channels: planning the results area and merging it with the
 * record port's copy (see channels.h; the rules are in
 * bench/record-format.md, "Channel").
 *
 * The merge: the area holds records 0..k-1 in order (the guest writes every
 * line there while it fits).  records.txt is the area's lines followed by
 * the port's lines from the first one whose sequence number is beyond the
 * area's last (the lines that went to the port only: after an overflow, or
 * after a guest that died with its area intact - then there are none).
 * Port lines inside the area's range are copies (all but `samples`): each
 * must equal the area's line of the same number, byte for byte.  Nothing
 * is repaired: a line lost or damaged in the area stays lost or damaged in
 * records.txt, where the stream checks (sequence, CRC-32, end count) catch
 * it.
 */
#include "channels.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <bench/results_area.h>

#include "util.h"

#define V9FS_MAGIC 0x01021997
/* Room beyond the guest's RAM that the run directory's file system must have for the
 * RAM file to be used (the run's own files need some too). */
#define CHANNELS_RAM_SPARE_MIB 16

/* QEMU maps the RAM file shared and writable; some file systems refuse
 * that (9p without a cache, as in the lab's L1).  Tries it on a small file
 * at path, which is removed again; false with the reason in why. */
static bool shared_mapping_works(const char *path, char *why, size_t cap)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    void *p = MAP_FAILED;
    int err = 0;

    if (fd < 0 || ftruncate(fd, 4096) != 0 ||
        (p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
        err = errno;
    if (p != MAP_FAILED)
        munmap(p, 4096);
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    if (err)
        fmt(why, cap, "run directory takes no shared file mapping (%s)", strerror(err));
    return err == 0;
}

void channels_plan(struct channel_report *c, const char *run_dir, unsigned memory_mib)
{
    struct statfs fs;
    struct statvfs vfs;

    memset(c, 0, sizeof(*c));
    c->first_port_seq = -1;
    if (!results_area_layout(memory_mib, &c->gpa, &c->size)) {
        fmt(c->no_area_why, sizeof(c->no_area_why),
            "guest memory %u MiB outside 64-2048 MiB", memory_mib);
        return;
    }
    if (statfs(run_dir, &fs) == 0 && fs.f_type == V9FS_MAGIC) {
        fmt(c->no_area_why, sizeof(c->no_area_why),
            "run directory on 9p (no shared file mapping)");
        return;
    }
    /* The guest's RAM becomes a file there: a file system without room for
     * all of it would kill QEMU with SIGBUS when the guest touches a page
     * past the end of the free space (a small or nearly full tmpfs). */
    if (statvfs(run_dir, &vfs) == 0 &&
        (unsigned long long)vfs.f_bavail * vfs.f_frsize <
            ((unsigned long long)memory_mib + CHANNELS_RAM_SPARE_MIB) << 20) {
        fmt(c->no_area_why, sizeof(c->no_area_why),
            "run directory's file system has %llu MiB free, the guest's RAM file needs %u",
            (unsigned long long)vfs.f_bavail * vfs.f_frsize >> 20,
            memory_mib + CHANNELS_RAM_SPARE_MIB);
        return;
    }
    fmt(c->ram_path, sizeof(c->ram_path), "%s/guest-ram", run_dir);
    c->area_planned = shared_mapping_works(c->ram_path, c->no_area_why,
                                           sizeof(c->no_area_why));
}

long long channels_line_seq(const char *line, size_t len)
{
    long long seq = 0;
    size_t i = 5;

    if (len < 7 || memcmp(line, "HVF1 ", 5) != 0)
        return -1;
    for (; i < len && line[i] >= '0' && line[i] <= '9' && i < 15; i++)
        seq = seq * 10 + (line[i] - '0');
    return i > 5 && i < len && line[i] == ' ' ? seq : -1;
}

/* Reads the area's header and lines from the RAM file; *lines gets a
 * malloc'd copy of its bytes (NULL when it has none). */
static void read_area(struct channel_report *c, struct run_data *d, char **lines)
{
    struct results_area_header h;
    int fd = open(c->ram_path, O_RDONLY | O_CLOEXEC);

    *lines = NULL;
    if (fd < 0) {
        if (d->stream.lines == 0 && errno == ENOENT)
            return;             /* QEMU never started: the launch says why */
        collect_problem(d, "results area: cannot open %s: %s", c->ram_path, strerror(errno));
        return;
    }
    if (pread(fd, &h, sizeof(h), (off_t)c->gpa) != (ssize_t)sizeof(h) ||
        memcmp(h.magic, RESULTS_AREA_MAGIC, 8) != 0)
        goto out;               /* the guest never set it up: the port has it all */
    c->area_seen = true;
    c->complete = h.complete == 1;
    c->overflow = h.overflow == 1;
    if (h.version != RESULTS_AREA_VERSION || h.header_size != RESULTS_AREA_HEADER ||
        h.size != c->size || h.bytes > h.size - RESULTS_AREA_HEADER) {
        collect_problem(d, "results area: bad header (version %" PRIu32 ", size %" PRIu64
                        ", bytes %" PRIu64 ")", h.version, h.size, h.bytes);
        goto out;
    }
    c->area_bytes = h.bytes;
    c->area_lines = h.lines;
    *lines = malloc(h.bytes + 1);
    if (!*lines || pread(fd, *lines, h.bytes, (off_t)(c->gpa + RESULTS_AREA_HEADER)) !=
                       (ssize_t)h.bytes) {
        collect_problem(d, "results area: cannot read %" PRIu64 " bytes from %s", h.bytes,
                        c->ram_path);
        free(*lines);
        *lines = NULL;
        c->area_bytes = 0;
    }
out:
    close(fd);
}

/* The area's line with sequence number seq, or NULL.  Lines are in
 * order, so line seq is tried first; a shifted area (a line lost) is
 * scanned. */
static const char *area_line(char **starts, size_t n, long long seq, size_t *len)
{
    size_t k = (size_t)seq;

    if (k < n && channels_line_seq(starts[k], (size_t)(starts[k + 1] - starts[k])) == seq)
        goto found;
    for (k = 0; k < n; k++)
        if (channels_line_seq(starts[k], (size_t)(starts[k + 1] - starts[k])) == seq)
            goto found;
    return NULL;
found:
    *len = (size_t)(starts[k + 1] - starts[k]);
    return starts[k];
}

/* Splits buf[0..len) into lines: starts[i] is line i, starts[n] the end. */
static size_t split_lines(char *buf, size_t len, char ***starts)
{
    size_t n = 0, cap = 64;
    char **s = malloc(cap * sizeof(*s));

    for (size_t i = 0; s && i < len;) {
        char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;

        if (n + 2 > cap) {
            char **bigger = realloc(s, (cap *= 2) * sizeof(*s));

            if (!bigger) {
                free(s);
                s = NULL;
                break;
            }
            s = bigger;
        }
        s[n++] = buf + i;
        i = end;
    }
    if (s)
        s[n] = buf + len;
    *starts = s;
    return s ? n : 0;
}

void channels_merge(struct channel_report *c, const char *run_dir, struct run_data *d)
{
    char port_path[PATH_MAX + 32], out_path[PATH_MAX + 32], area_path[PATH_MAX + 32];
    char *port = NULL, *area = NULL, **pl = NULL, **al = NULL;
    size_t port_len = 0, np, na, tail = SIZE_MAX;
    long long last_area_seq = -1, t0 = mono_ms();
    FILE *out;

    if (!c->area_planned)
        return;
    c->merged = true;
    fmt(port_path, sizeof(port_path), "%s/records-debugcon.txt", run_dir);
    fmt(out_path, sizeof(out_path), "%s/records.txt", run_dir);
    fmt(area_path, sizeof(area_path), "%s/records-area.txt", run_dir);
    if (rename(out_path, port_path) != 0 && errno != ENOENT)
        collect_problem(d, "cannot rename records.txt: %s", strerror(errno));
    if (!read_file(port_path, &port, &port_len, SIZE_MAX / 2))
        port_len = 0;
    read_area(c, d, &area);
    if (unlink(c->ram_path) != 0 && errno != ENOENT)
        hv_err("cannot remove %s: %s", c->ram_path, strerror(errno));
    np = split_lines(port ? port : "", port_len, &pl);
    na = split_lines(area ? area : "", c->area_bytes, &al);
    c->port_bytes = port_len;
    c->port_lines = np;
    if (c->area_bytes && area[c->area_bytes - 1] != '\n')
        collect_problem(d, "results area: its last line is cut short");
    for (size_t k = na; k-- > 0 && last_area_seq < 0;)
        last_area_seq = channels_line_seq(al[k], (size_t)(al[k + 1] - al[k]));
    for (size_t i = 0; i < np && tail == SIZE_MAX; i++) {
        size_t len = (size_t)(pl[i + 1] - pl[i]), alen;
        long long seq = channels_line_seq(pl[i], len);
        const char *copy;

        if (seq > last_area_seq || (seq < 0 && na == 0)) {
            tail = i;
        } else if (seq < 0) {
            collect_problem(d, "records-debugcon.txt line %zu: no sequence number", i + 1);
        } else if (!(copy = area_line(al, na, seq, &alen)) || alen != len ||
                   memcmp(copy, pl[i], len) != 0) {
            if (c->disagree++ == 0)
                collect_problem(d, "record %lld: the results area and the record port "
                                "carry different lines", seq);
        }
    }
    if (c->disagree > 1)
        collect_problem(d, "%u records differ between the channels", c->disagree);
    c->from_area = na;
    c->from_port = tail == SIZE_MAX ? 0 : np - tail;
    if (c->from_port)
        c->first_port_seq = channels_line_seq(pl[tail], (size_t)(pl[tail + 1] - pl[tail]));
    if (area && !write_file(area_path, area, c->area_bytes))
        hv_err("cannot write %s: %s", area_path, strerror(errno));
    out = fopen(out_path, "w");
    if (!out || (c->area_bytes && fwrite(area, 1, c->area_bytes, out) != c->area_bytes) ||
        (c->from_port && fwrite(pl[tail], 1, (size_t)(pl[np] - pl[tail]), out) !=
                             (size_t)(pl[np] - pl[tail])) ||
        fclose(out) != 0)
        collect_problem(d, "cannot write %s: %s", out_path, strerror(errno));
    c->merge_ms = (double)(mono_ms() - t0);
    free(pl);
    free(al);
    free(port);
    free(area);
}

/* The guest's rate for one channel from its `output` record, in MB/s
 * (10^6 bytes); -1 when it cannot be told. */
static double guest_rate(const struct run_data *d, const char *ch, uint64_t *bytes)
{
    json_t *o = d->guest ? json_object_get(d->guest, "output") : NULL;
    char key[32];
    json_int_t b, cyc;

    fmt(key, sizeof(key), "%s_bytes", ch);
    b = json_integer_value(json_object_get(o, key));
    fmt(key, sizeof(key), "%s_cycles", ch);
    cyc = json_integer_value(json_object_get(o, key));
    *bytes = (uint64_t)b;
    if (!o || b <= 0 || cyc <= 0 || !d->tsc_hz)
        return -1;
    return (double)b / ((double)cyc / (double)d->tsc_hz) / 1e6;
}

static const char *channel_name(const struct channel_report *c)
{
    if (c->com1)
        return "com1";
    if (!c->merged || !c->area_seen)
        return "debugcon";
    return c->from_port ? "area+debugcon" : "area";
}

json_t *channels_json(const struct channel_report *c, const struct run_data *d)
{
    json_t *rates = json_object();
    static const char *const chans[] = { "area", "debugcon", "com1" };

    for (unsigned i = 0; i < 3; i++) {
        uint64_t bytes;
        double r = guest_rate(d, chans[i], &bytes);

        json_object_set_new(rates, chans[i], json_pack("{s:I, s:o}", "bytes",
                            (json_int_t)bytes, "mb_per_s", r >= 0 ? json_real(r)
                                                                   : json_null()));
    }
    return json_pack("{s:s, s:{s:b, s:o, s:I, s:I, s:b, s:b, s:b, s:I, s:I},"
                     " s:{s:I, s:I}, s:{s:I, s:I, s:o}, s:i, s:o, s:f}",
                     "channel", channel_name(c),
                     "area", "planned", c->area_planned,
                     "why_none", c->no_area_why[0] ? json_string(c->no_area_why)
                                                   : json_null(),
                     "gpa", (json_int_t)c->gpa, "size", (json_int_t)c->size,
                     "found", c->area_seen, "complete", c->complete,
                     "overflow", c->overflow, "bytes", (json_int_t)c->area_bytes,
                     "lines", (json_int_t)c->area_lines,
                     "debugcon", "bytes", (json_int_t)c->port_bytes,
                     "lines", (json_int_t)c->port_lines,
                     "records_from", "area", (json_int_t)c->from_area,
                     "debugcon", (json_int_t)(c->merged ? c->from_port : c->port_lines),
                     "first_debugcon_seq", c->first_port_seq >= 0 ?
                         json_integer(c->first_port_seq) : json_null(),
                     "disagreements", (int)c->disagree,
                     "guest_rate", rates,
                     "host_merge_ms", c->merge_ms);
}

void channels_print(FILE *f, const struct channel_report *c, const struct run_data *d)
{
    static const char *const chans[] = { "area", "debugcon", "com1" };

    fprintf(f, "output: records via %s", channel_name(c));
    if (!c->area_planned && !c->com1)
        fprintf(f, " (no results area: %s)", c->no_area_why);
    for (unsigned i = 0; i < 3; i++) {
        uint64_t bytes;
        double r = guest_rate(d, chans[i], &bytes);

        if (r >= 0)
            fprintf(f, "; %s %.1f kB at %.3g MB/s", chans[i], (double)bytes / 1e3, r);
    }
    if (c->merged && c->area_bytes)
        fprintf(f, "; host read the area in %.0f ms", c->merge_ms);
    fprintf(f, "\n");
}
