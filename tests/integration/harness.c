/* Integration-test harness (see harness.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "harness.h"

static struct run_result result;

/* Removes the previous run's temporary output directory. */
static void remove_previous_output(void)
{
    char cmd[300];

    if (result.out_dir[0] && strncmp(result.out_dir, "/tmp/hvflush-test-", 18) == 0) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", result.out_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", result.out_dir);
        result.out_dir[0] = '\0';
    }
}

static struct run_config *config_of(struct run_result *r, uint64_t id)
{
    unsigned i;

    for (i = 0; i < r->nconfigs; i++)
        if (r->cfg[i].id == id)
            return &r->cfg[i];
    return NULL;
}

static void copy_field(const struct record *rec, const char *key, char *out, size_t n)
{
    const char *v = record_get(rec, key);

    snprintf(out, n, "%s", v ? v : "");
}

static void take_record(struct run_result *r, const struct record *rec)
{
    struct run_config *c;
    uint64_t id, v[RECORD_SAMPLES_PER_LINE];
    int n, i;

    if (!strcmp(rec->type, "platform")) {
        record_get_u64(rec, "cpus", &r->cpus);
        record_get_u64(rec, "tsc_hz", &r->tsc_hz);
        copy_field(rec, "apic", r->apic, sizeof(r->apic));
    } else if (!strcmp(rec->type, "cpu") && r->ncpu_records < 256) {
        record_get_u64(rec, "apic_id", &r->apic_ids[r->ncpu_records++]);
    } else if (!strcmp(rec->type, "timer")) {
        record_get_u64(rec, "overhead", &r->overhead);
    } else if (!strcmp(rec->type, "probe")) {
        const char *name = record_get(rec, "name");

        if (name && !strcmp(name, "stale-read"))
            copy_field(rec, "result", r->stale_read, sizeof(r->stale_read));
    } else if (!strcmp(rec->type, "config") && r->nconfigs < MAX_RUN_CONFIGS) {
        c = &r->cfg[r->nconfigs++];
        memset(c, 0, sizeof(*c));
        record_get_u64(rec, "id", &c->id);
        record_get_u64(rec, "pages", &c->pages);
        record_get_u64(rec, "targets", &c->targets);
        record_get_u64(rec, "samples", &c->samples_declared);
        copy_field(rec, "label", c->label, sizeof(c->label));
        copy_field(rec, "strategy", c->strategy, sizeof(c->strategy));
        copy_field(rec, "state", c->state, sizeof(c->state));
        c->min = UINT64_MAX;
    } else if (!strcmp(rec->type, "samples") && record_get_u64(rec, "id", &id) &&
               (c = config_of(r, id))) {
        n = record_get_hexlist(rec, "v", v, RECORD_SAMPLES_PER_LINE);
        for (i = 0; i < n; i++) {
            c->min = v[i] < c->min ? v[i] : c->min;
            c->max = v[i] > c->max ? v[i] : c->max;
        }
        c->nsamples += n > 0 ? (uint64_t)n : 0;
    } else if (!strcmp(rec->type, "verify") && record_get_u64(rec, "id", &id) &&
               (c = config_of(r, id))) {
        c->has_verify = true;
        copy_field(rec, "verdict", c->verdict, sizeof(c->verdict));
        record_get_u64(rec, "fresh", &c->fresh);
        record_get_u64(rec, "stale", &c->stale);
        record_get_u64(rec, "rounds", &c->rounds);
        record_get_u64(rec, "control_stale", &c->control_stale);
    } else if (!strcmp(rec->type, "unsupported") && record_get_u64(rec, "id", &id) &&
               (c = config_of(r, id))) {
        copy_field(rec, "reason", c->unsupported, sizeof(c->unsupported));
    } else if (!strcmp(rec->type, "error") && record_get_u64(rec, "id", &id) &&
               (c = config_of(r, id))) {
        copy_field(rec, "what", c->error, sizeof(c->error));
    } else if (!strcmp(rec->type, "hyperv")) {
        r->has_hyperv = true;
        record_get_u64(rec, "present", &r->hv_present);
        record_get_u64(rec, "hypercall", &r->hv_hypercall);
        record_get_u64(rec, "xmm_input", &r->hv_xmm_input);
        copy_field(rec, "vendor", r->hv_vendor, sizeof(r->hv_vendor));
    } else if (!strcmp(rec->type, "vp")) {
        r->nvps++;
    } else if (!strcmp(rec->type, "conformance")) {
        r->nconformance++;
    } else if (!strcmp(rec->type, "precision")) {
        r->nprecision++;
    } else if (!strcmp(rec->type, "end")) {
        copy_field(rec, "status", r->end_status, sizeof(r->end_status));
    }
}

void read_records(struct run_result *r)
{
    char path[600], *line = NULL;
    static struct record rec;
    struct record_stream s;
    size_t cap = 0;
    ssize_t len;
    FILE *f;

    snprintf(path, sizeof(path), "%s/records.txt", r->run_dir);
    f = fopen(path, "r");
    if (!f)
        return;
    record_stream_init(&s);
    while ((len = getline(&line, &cap, f)) > 0)
        if (record_stream_feed(&s, line, (size_t)len, &rec) == RECORD_OK)
            take_record(r, &rec);
    free(line);
    fclose(f);
    r->stream_ok = record_stream_finish(&s) == RECORD_STREAM_OK;
}

const char *hvflush_bin(void)
{
    const char *bin = getenv("HVFLUSH_BIN");

    return bin && bin[0] ? bin : "build/hvflush";
}

struct run_result *run_hvflush(const char *args)
{
    struct run_result *r = &result;
    char dir[] = "/tmp/hvflush-test-XXXXXX";
    char cmd[2048], errpath[64], outpath[64], latest[64], target[256];
    ssize_t n;
    FILE *f;
    int status;

    static bool cleanup_registered;

    if (!cleanup_registered) {
        atexit(remove_previous_output);
        cleanup_registered = true;
    }
    remove_previous_output();
    memset(r, 0, sizeof(*r));
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(r->out_dir, sizeof(r->out_dir), "%s", dir);
    snprintf(errpath, sizeof(errpath), "%s.stderr", dir);
    snprintf(outpath, sizeof(outpath), "%s.stdout", dir);
    snprintf(cmd, sizeof(cmd), "%s %s --out %s --quiet 2>%s >%s", hvflush_bin(), args, dir,
             errpath, outpath);
    status = system(cmd);
    r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    f = fopen(outpath, "r");
    if (f) {
        n = (ssize_t)fread(r->out, 1, sizeof(r->out) - 1, f);
        r->out[n > 0 ? n : 0] = '\0';
        fclose(f);
        unlink(outpath);
    }
    f = fopen(errpath, "r");
    if (f) {
        n = (ssize_t)fread(r->err, 1, sizeof(r->err) - 1, f);
        r->err[n > 0 ? n : 0] = '\0';
        fclose(f);
        unlink(errpath);
    }
    snprintf(latest, sizeof(latest), "%s/latest", dir);
    n = readlink(latest, target, sizeof(target) - 1);
    if (n > 0) {
        target[n] = '\0';
        snprintf(r->run_dir, sizeof(r->run_dir), "%s/%s", dir, target);
        read_records(r);
    }
    return r;
}

void meta_value(const struct run_result *r, const char *a, const char *b, const char *c,
                char *out, size_t n)
{
    char path[600];
    json_t *root, *v;

    out[0] = '\0';
    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    root = json_load_file(path, 0, NULL);
    if (!root)
        return;
    v = json_object_get(root, a);
    if (b)
        v = json_object_get(v, b);
    if (c)
        v = json_object_get(v, c);
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(out, n, "%s", json_is_true(v) ? "true" : "false");
    json_decref(root);
}

void meta_string(const struct run_result *r, const char *key, char *out, size_t n)
{
    meta_value(r, key, NULL, NULL, out, n);
}

bool file_contains(const char *path, const char *needle)
{
    static char buf[1 << 20];
    size_t n;
    FILE *f = fopen(path, "r");

    if (!f)
        return false;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, needle) != NULL;
}

unsigned count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    unsigned n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

bool kvm_usable(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

    if (fd < 0)
        return false;
    vm = ioctl(fd, KVM_CREATE_VM, 0);
    if (vm >= 0)
        close(vm);
    close(fd);
    return vm >= 0;
}

void assert_measured_and_verified(const struct run_config *c)
{
    if (c->error[0])
        fail_msg("%s: %s", c->label, c->error);
    if (c->nsamples != c->samples_declared)
        fail_msg("%s: %llu samples of %llu", c->label,
                 (unsigned long long)c->nsamples, (unsigned long long)c->samples_declared);
    /* A remote flush always costs more than the empty timer bracket. */
    assert_true(c->min > 0);
    assert_true(c->has_verify);
    if (strcmp(c->verdict, "pass"))
        fail_msg("%s: verdict %s (stale %llu, control_stale %llu)", c->label, c->verdict,
                 (unsigned long long)c->stale, (unsigned long long)c->control_stale);
    assert_int_equal(c->stale, 0);
    assert_true(c->control_stale > 0);
    assert_int_equal(c->fresh, c->rounds * c->targets * c->pages);
}

/* RUN/lab/l2-run/<id>/serial.log of a lab run: true when no such file holds
 * a byte. */
static bool l2_console_empty(const char *run_dir)
{
    char dir[600], path[1200];
    struct dirent *e;
    struct stat st;
    bool empty = true;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/lab/l2-run", run_dir);
    d = opendir(dir);
    if (!d)
        return true;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && strcmp(e->d_name, "latest") != 0) {
            snprintf(path, sizeof(path), "%s/%s/serial.log", dir, e->d_name);
            if (stat(path, &st) == 0 && st.st_size > 0)
                empty = false;
        }
    closedir(d);
    return empty;
}

bool lab_l2_stalled(const struct run_result *r)
{
    char status[32] = "", reason[256] = "";

    if (!r->run_dir[0])
        return false;
    meta_value(r, "status", NULL, NULL, status, sizeof(status));
    meta_value(r, "reason", NULL, NULL, reason, sizeof(reason));
    /* The watchdog's verdict on both attempts (host/lab/l2_watch.c). */
    if (!strcmp(status, "failed") && strstr(reason, "lab: L2 stalled: "))
        return true;
    return !strcmp(status, "failed") && strstr(reason, "timeout") &&
           l2_console_empty(r->run_dir);
}

int sh_capture(const char *scratch_dir, char *out, size_t outcap, char *err, size_t errcap,
               const char *fmt_, va_list ap)
{
    char cmd[4096], o[700], e[700], given[4000];
    FILE *f;
    size_t n;
    int status;

    vsnprintf(given, sizeof(given), fmt_, ap);
    if (!strncmp(given, "build/hvflush ", 14))
        snprintf(cmd, sizeof(cmd), "%s%s", hvflush_bin(), given + 13);
    else
        snprintf(cmd, sizeof(cmd), "%s", given);
    snprintf(o, sizeof(o), "%s/stdout", scratch_dir);
    snprintf(e, sizeof(e), "%s/stderr", scratch_dir);
    snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " >%s 2>%s", o, e);
    status = system(cmd);
    f = fopen(o, "r");
    n = f ? fread(out, 1, outcap - 1, f) : 0;
    out[n] = '\0';
    if (f)
        fclose(f);
    f = fopen(e, "r");
    n = f ? fread(err, 1, errcap - 1, f) : 0;
    err[n] = '\0';
    if (f)
        fclose(f);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

unsigned processes_naming(const char *needle)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    unsigned n = 0;

    while (d && (e = readdir(d))) {
        char path[300], cmdline[8192];
        size_t len;
        FILE *f;

        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
        f = fopen(path, "r");
        if (!f)
            continue;
        len = fread(cmdline, 1, sizeof(cmdline) - 1, f);
        fclose(f);
        for (size_t i = 0; i < len; i++)
            if (!cmdline[i])
                cmdline[i] = ' ';
        cmdline[len] = '\0';
        n += strstr(cmdline, needle) != NULL;
    }
    if (d)
        closedir(d);
    return n;
}
