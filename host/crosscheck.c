/*
 * "hvflush crosscheck vmexit --kut DIR": checks hvflush's IPI round trip
 * and cpuid exit against kvm-unit-tests' x86/vmexit.flat on this host.
 *
 * 1. DIR must be a kvm-unit-tests tree (x86/vmexit.c); x86/vmexit.flat is
 *    built there when missing (./configure when there is no config.mak,
 *    then make x86/vmexit.flat).  Anything wrong: one line, exit 2, before
 *    anything is written.
 * 2. hvflush runs crosscheck_sweep as "hvflush run" would (same accelerator
 *    choice, CPU model, pinning; --smp 2 unless given), which writes the
 *    run directory.
 * 3. vmexit's ipi and cpuid tests boot KUT_RUNS times each with the QEMU
 *    binary, -accel and -cpu values that run's meta.json records (unpinned,
 *    -machine pit=off for ipi as x86/unittests.cfg's vmexit_ipi); the boot
 *    with the lowest figure is compared (kut_figure_merge); the consoles are
 *    kept as RUN/kut-TEST-N.log.
 * 4. RUN/crosscheck.csv and a table: vmexit's mean cycles per iteration
 *    against hvflush's min, p50 and mean, with the ratios.
 */
#include "crosscheck.h"

#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accel.h"
#include "paths.h"
#include "qemu.h"
#include "run.h"
#include "util.h"

#define KUT_MEMORY_MIB 256

/* vmexit tests run, with their -machine additions (x86/unittests.cfg). */
static const struct {
    const char *test;
    const char *machine_extra;
} kut_tests[] = {
    { "ipi", "pit=off" },
    { "cpuid", NULL },
};
#define NKUT (sizeof(kut_tests) / sizeof(kut_tests[0]))

static volatile sig_atomic_t never_stop;

/* Runs argv in dir with stdout and stderr appended to log; true on exit 0. */
static bool run_in(const char *dir, char *const argv[], const char *log)
{
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return false;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int null = open("/dev/null", O_RDONLY);

        if (fd < 0 || null < 0 || chdir(dir) != 0)
            _exit(127);
        dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Step 1: DIR resolved into kut, its x86/vmexit.flat into flat. */
static bool kut_ready(const char *dir, char *kut, char *flat, size_t cap)
{
    char path[PATH_MAX + 32], log[] = "/tmp/hvflush-kut-build-XXXXXX";
    char make[PATH_MAX];
    struct stat st;
    int fd;

    if (!realpath(dir, kut) || stat(kut, &st) != 0 || !S_ISDIR(st.st_mode))
        return hv_err("crosscheck: --kut %s: not a directory", dir), false;
    fmt(path, sizeof(path), "%s/x86/vmexit.c", kut);
    if (access(path, R_OK) != 0)
        return hv_err("crosscheck: --kut %s: not a kvm-unit-tests tree (no x86/vmexit.c)",
                      dir), false;
    fmt(flat, cap, "%s/x86/vmexit.flat", kut);
    if (access(flat, R_OK) == 0)
        return true;
    if (!find_executable("make", make, sizeof(make)) ||
        (!find_executable("gcc", path, sizeof(path)) && !find_executable("cc", path,
                                                                          sizeof(path))))
        return hv_err("crosscheck: %s has no x86/vmexit.flat, and make or gcc to build it "
                      "is missing", dir), false;
    if ((fd = mkstemp(log)) < 0)
        return hv_err("crosscheck: cannot create a build log in /tmp"), false;
    close(fd);
    fmt(path, sizeof(path), "%s/config.mak", kut);
    if (access(path, R_OK) != 0 &&
        !run_in(kut, (char *const[]){ "./configure", NULL }, log))
        return hv_err("crosscheck: cannot build %s: ./configure failed (see %s)", flat, log),
               false;
    if (!run_in(kut, (char *const[]){ "make", "x86/vmexit.flat", NULL }, log) ||
        access(flat, R_OK) != 0)
        return hv_err("crosscheck: cannot build %s: make failed (see %s)", flat, log), false;
    unlink(log);
    hv_note("crosscheck: built %s", flat);
    return true;
}

/* The QEMU binary and the values of -accel and -cpu of RUN's QEMU. */
struct run_qemu {
    char binary[PATH_MAX], accel[128], cpu[256];
};

static bool run_qemu_read(const char *run_dir, struct run_qemu *q)
{
    char path[PATH_MAX + 16];
    json_t *meta, *argv;
    const char *bin;
    bool ok;

    fmt(path, sizeof(path), "%s/meta.json", run_dir);
    memset(q, 0, sizeof(*q));
    if (!(meta = json_load_file(path, 0, NULL)))
        return false;
    argv = json_object_get(json_object_get(meta, "qemu"), "argv");
    bin = json_string_value(json_object_get(json_object_get(meta, "qemu"), "binary"));
    if (bin)
        fmt(q->binary, sizeof(q->binary), "%s", bin);
    for (size_t i = 0; i + 1 < json_array_size(argv); i++) {
        const char *a = json_string_value(json_array_get(argv, i));
        const char *v = json_string_value(json_array_get(argv, i + 1));

        if (a && v && !strcmp(a, "-accel"))
            fmt(q->accel, sizeof(q->accel), "%s", v);
        else if (a && v && !strcmp(a, "-cpu"))
            fmt(q->cpu, sizeof(q->cpu), "%s", v);
    }
    ok = q->binary[0] && q->accel[0] && q->cpu[0];
    json_decref(meta);
    return ok;
}

/* Step 3 for one test: boots vmexit.flat with -append test and parses
 * its console into k.  False with why when it did not pass. */
static bool kut_run(const struct cli_options *o, const struct run_qemu *q, const char *flat,
                    const char *run_dir, unsigned i, unsigned run, struct kut_figure *k,
                    char *why, size_t cap)
{
    struct argv_builder b = { NULL, 0, 0, false };
    char log[PATH_MAX + 32], qlog[PATH_MAX + 32], *text = NULL;
    size_t len;
    struct qemu_outcome out;
    struct qemu_proc p;
    char **argv;
    bool ok;
    int fd;

    memset(k, 0, sizeof(*k));
    qemu_argv_machine(&b, q->binary, "kvm-unit-tests", q->accel, q->cpu, o->smp,
                      KUT_MEMORY_MIB, flat);
    if (kut_tests[i].machine_extra) {
        argv_add(&b, "-machine");
        argv_add(&b, "%s", kut_tests[i].machine_extra);
    }
    argv_add(&b, "-serial");
    argv_add(&b, "stdio");
    argv_add(&b, "-device");
    argv_add(&b, "pc-testdev");
    argv_add(&b, "-device");
    argv_add(&b, "isa-debug-exit,iobase=0xf4,iosize=0x4");
    argv_add(&b, "-device");
    argv_add(&b, "pci-testdev");
    argv_add(&b, "-append");
    argv_add(&b, "%s", kut_tests[i].test);
    if (!(argv = argv_finish(&b)))
        return fmt(why, cap, "out of memory"), false;
    fmt(log, sizeof(log), "%s/kut-%s-%u.log", run_dir, kut_tests[i].test, run + 1);
    fmt(qlog, sizeof(qlog), "%s/kut-%s-%u.qemu.log", run_dir, kut_tests[i].test, run + 1);
    if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
        qemu_argv_free(argv);
        return fmt(why, cap, "cannot create %s", log), false;
    }
    hv_note("crosscheck: kvm-unit-tests vmexit %s, boot %u of %u (-accel %s -cpu %s -smp %u)",
            kut_tests[i].test, run + 1, KUT_RUNS, q->accel, q->cpu, o->smp);
    ok = qemu_spawn(argv, qlog, &p, why, cap);
    qemu_argv_free(argv);
    if (ok) {
        qemu_supervise(&p, fd, o->quiet, mono_ms() + (long long)o->timeout_s * 1000,
                       &never_stop, &out);
        ok = qemu_outcome_ok(&out, o->timeout_s, why, cap);
    }
    close(fd);
    if (ok && !read_file(log, &text, &len, 1 << 20))
        ok = false, fmt(why, cap, "cannot read %s", log);
    if (ok && !kut_vmexit_parse(text, kut_tests[i].test, k))
        ok = false, fmt(why, cap, "no '%s' figure in %s", kut_tests[i].test, log);
    free(text);
    return ok;
}

static void print_table(const struct kut_figure *kut, const struct hvflush_figure *hv,
                        const struct run_qemu *q)
{
    const struct timing_class *tc = NULL;

    for (unsigned i = 0; i < crosscheck_npairs && !tc; i++)
        tc = hv[i].found ? timing_class_by_name(hv[i].timing_class) : NULL;

    printf("\n== crosscheck: kvm-unit-tests vmexit vs hvflush (TSC cycles; -accel %s -cpu %s)"
           " ==\n", q->accel, q->cpu);
    if (tc)
        printf("== %s ==\n", tc->label);
    printf("vmexit: the lowest mean of %u boots per test; hvflush: one run's distribution\n",
           KUT_RUNS);
    printf("%-9s %-22s %12s  %-20s %10s %10s %12s %8s %8s\n", "check", "vmexit (mean)",
           "cycles", "hvflush", "min", "p50", "mean", "kut/p50", "kut/mean");
    for (unsigned i = 0; i < crosscheck_npairs; i++) {
        const struct crosscheck_pair *p = &crosscheck_pairs[i];
        const struct kut_figure *k = &kut[i];
        uint64_t kv = crosscheck_kut_value(p, k);
        char kname[32];

        fmt(kname, sizeof(kname), "%s%s", p->kut_test,
            p->kut_bracket && k->has_bracket ? " (bracket)" : " (loop)");
        printf("%-9s %-22s ", p->name, kname);
        kv ? printf("%12" PRIu64 "  ", kv) : printf("%12s  ", "-");
        if (hv[i].found)
            printf("%-20s %10" PRIu64 " %10" PRIu64 " %12.1f ", hv[i].label, hv[i].min,
                   hv[i].p50, hv[i].mean);
        else
            printf("%-20s %10s %10s %12s ", "-", "-", "-", "-");
        if (kv && hv[i].found && hv[i].p50 && hv[i].mean > 0)
            printf("%8.2f %8.2f\n", (double)kv / (double)hv[i].p50, (double)kv / hv[i].mean);
        else
            printf("%8s %8s\n", "-", "-");
    }
}

int crosscheck_command(const struct cli_options *opt)
{
    struct cli_options o = *opt;
    char kut[PATH_MAX], flat[PATH_MAX + 32], sweep[] = "/tmp/hvflush-crosscheck-XXXXXX.sweep";
    char run_dir[PATH_MAX], path[PATH_MAX + 32], why[512], *summary = NULL;
    struct kut_figure kut_by_test[NKUT], kut_fig[CROSSCHECK_PAIRS];
    struct hvflush_figure hv[CROSSCHECK_PAIRS];
    struct run_qemu q;
    bool complete = true;
    size_t summary_len;
    int fd, rc;
    FILE *f;

    hv_set_quiet(o.quiet);
    if (!kut_ready(o.kut_dir, kut, flat, sizeof(flat)))
        return 2;
    if (o.smp == 0)
        o.smp = 2;                      /* as x86/unittests.cfg's vmexit_ipi */
    if ((fd = mkstemps(sweep, 6)) < 0 || !write_file(sweep, crosscheck_sweep,
                                                     strlen(crosscheck_sweep))) {
        hv_err("crosscheck: cannot write the sweep file %s", sweep);
        return 1;
    }
    close(fd);
    o.sweep = sweep;
    o.sweep_given = true;
    rc = run_command_at(&o, run_dir, sizeof(run_dir));
    unlink(sweep);
    if (rc == 2 || !run_dir[0])
        return rc ? rc : 1;
    if (!run_qemu_read(run_dir, &q)) {
        hv_err("crosscheck: %s/meta.json does not name QEMU's -accel and -cpu", run_dir);
        return 1;
    }
    fmt(path, sizeof(path), "%s/summary.csv", run_dir);
    if (!read_file(path, &summary, &summary_len, 0))
        summary = NULL;
    memset(kut_by_test, 0, sizeof(kut_by_test));
    for (unsigned i = 0; i < NKUT; i++)
        for (unsigned r = 0; r < KUT_RUNS; r++) {
            struct kut_figure one;

            if (!kut_run(&o, &q, flat, run_dir, i, r, &one, why, sizeof(why))) {
                hv_err("crosscheck: vmexit %s: %s", kut_tests[i].test, why);
                complete = false;
                break;
            }
            kut_figure_merge(&kut_by_test[i], &one);
        }
    fmt(path, sizeof(path), "%s/crosscheck.csv", run_dir);
    if (!(f = fopen(path, "w"))) {
        hv_err("crosscheck: cannot write %s", path);
        free(summary);
        return 1;
    }
    crosscheck_csv_header(f);
    for (unsigned i = 0; i < CROSSCHECK_PAIRS; i++) {
        const struct crosscheck_pair *p = &crosscheck_pairs[i];

        memset(&kut_fig[i], 0, sizeof(kut_fig[i]));
        for (unsigned t = 0; t < NKUT; t++)
            if (!strcmp(kut_tests[t].test, p->kut_test))
                kut_fig[i] = kut_by_test[t];
        if (!summary || !summary_find(summary, p->strategy, p->flush, p->targets, p->state,
                                      &hv[i]))
            complete = false, memset(&hv[i], 0, sizeof(hv[i]));
        complete = complete && kut_fig[i].found;
        crosscheck_csv_row(f, p, q.accel, q.cpu, &kut_fig[i], &hv[i]);
    }
    free(summary);
    if (fclose(f) != 0) {
        hv_err("crosscheck: error writing %s", path);
        return 1;
    }
    print_table(kut_fig, hv, &q);
    printf("crosscheck: %s\n", paths_display(path));
    return complete ? (rc == 3 ? 3 : 0) : 1;
}
