/*
 * The lab's command lines and the file L1 reads (see lab.h): L0's QEMU
 * argv, the argv of L1's own hvflush run, and RUN/lab/lab.env (sourced by
 * scripts/lab/init.sh, which runs that argv).
 * All pure: text in, text out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "qemu.h"

char *lab_sh_quote(const char *s)
{
    size_t n = 3;
    char *out, *p;

    for (const char *c = s; *c; c++)
        n += *c == '\'' ? 4 : 1;
    out = p = malloc(n);
    if (!out)
        return NULL;
    *p++ = '\'';
    for (; *s; s++) {
        if (*s == '\'') {
            memcpy(p, "'\\''", 4);
            p += 4;
        } else {
            *p++ = *s;
        }
    }
    *p++ = '\'';
    *p = '\0';
    return out;
}

/* A growing heap string; on allocation failure it becomes NULL for good. */
struct text {
    char *s;
    size_t len;
    bool failed;
};

static void add(struct text *t, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *f, ...)
{
    char *piece = NULL, *grown;
    va_list ap;
    int n;

    if (t->failed)
        return;
    va_start(ap, f);
    n = vasprintf(&piece, f, ap);
    va_end(ap);
    grown = n < 0 ? NULL : realloc(t->s, t->len + (size_t)n + 1);
    if (!grown) {
        free(piece);
        free(t->s);
        t->s = NULL;
        t->failed = true;
        return;
    }
    memcpy(grown + t->len, piece, (size_t)n + 1);
    t->s = grown;
    t->len += (size_t)n;
    free(piece);
}

static void add_quoted(struct text *t, const char *word)
{
    char *q = lab_sh_quote(word);

    if (!q) {
        free(t->s);
        t->s = NULL;
        t->failed = true;
        return;
    }
    add(t, "%s", q);
    free(q);
}

char **lab_l1_run_argv(const struct lab_l1_run_params *p)
{
    struct argv_builder b = { NULL, 0, 0, false };

    argv_add(&b, "%s", p->hvflush);
    argv_add(&b, "run");
    argv_add(&b, "--accel");
    argv_add(&b, "kvm");
    argv_add(&b, "--smp");
    argv_add(&b, "%u", p->smp);
    argv_add(&b, "--memory");
    argv_add(&b, "%u", p->memory_mib);
    argv_add(&b, "--pin");
    argv_add(&b, "%s", p->pin);
    argv_add(&b, "--timeout");
    argv_add(&b, "%u", p->timeout_s);
    if (p->image) {
        argv_add(&b, "--image");
        argv_add(&b, "%s", p->image);
        argv_add(&b, "--firmware");
        argv_add(&b, "%s", p->firmware ? p->firmware : "bios");
    } else {
        argv_add(&b, "--sweep");
        argv_add(&b, "%s/sweep.txt", p->run_dir);
        argv_add(&b, "--guest");
        argv_add(&b, "%s", p->guest);
    }
    argv_add(&b, "--qemu");
    argv_add(&b, "%s", p->qemu);
    argv_add(&b, "--hv");
    argv_add(&b, "%s", p->hv);
    argv_add(&b, "--cpu");
    argv_add(&b, "%s", p->cpu ? p->cpu : LAB_L2_CPU_DEFAULT);
    argv_add(&b, "--out");
    argv_add(&b, "%s/lab/%s", p->run_dir, LAB_L1_RUN_DIR);
    if (p->quiet)
        argv_add(&b, "--quiet");
    return argv_finish(&b);
}

char *lab_env_text(const char *run_dir, const char *kvm_module, const char *nested_in,
                   char *const l1_run_argv[])
{
    struct text t = { 0 };

    add(&t, "# What the lab's L1 init needs to know about this run (written by hvflush).\n"
        "HVFLUSH_RUN_DIR=");
    add_quoted(&t, run_dir);
    add(&t, "\nHVFLUSH_KVM_MODULE=");
    add_quoted(&t, kvm_module);
    add(&t, "\nHVFLUSH_NESTED_IN=");
    add_quoted(&t, nested_in);
    /* L1's run, one sh word per argument: the init runs it with
     * eval "set -- $HVFLUSH_L1_RUN" and then "$@". */
    add(&t, "\nHVFLUSH_L1_RUN=");
    {
        struct text words = { 0 };

        for (int i = 0; l1_run_argv[i]; i++) {
            if (i)
                add(&words, " ");
            add_quoted(&words, l1_run_argv[i]);
        }
        if (words.failed) {
            free(t.s);
            return NULL;
        }
        add_quoted(&t, words.s ? words.s : "");
        free(words.s);
    }
    add(&t, "\n");
    return t.s;
}

char **lab_l0_argv(const struct lab_l0_params *p)
{
    struct argv_builder b = { NULL, 0, 0, false };
    bool kvm = !strcmp(p->accel, "kvm");

    /* One TCG thread for all of L1's vCPUs: with one thread per vCPU on an
     * overcommitted host, QEMU 7.2's multi-threaded TCG was seen to leave an
     * L1 vCPU halted for good (an L1 soft lockup) in about one lab boot in
     * ten. */
    qemu_argv_machine(&b, p->binary, "hvflush-lab-l0", kvm ? "kvm" : "tcg,thread=single",
                      p->cpu, p->vcpus, p->memory_mib, p->kernel);
    argv_add(&b, "-initrd");
    argv_add(&b, "%s", p->initramfs);
    /* panic=-1: a panicking L1 reboots at once, and -no-reboot turns that
     * into L0's exit instead of a hang until the watchdog. */
    argv_add(&b, "-append");
    argv_add(&b, "console=ttyS0 quiet panic=-1");
    argv_add(&b, "-serial");
    argv_add(&b, "stdio");
    /* L1's view of the host (lab.h), read-only, and the run directory,
     * read-write.  The tag stays "hostroot": it is L1's root of the host. */
    argv_add(&b, "-fsdev");
    argv_add(&b, "local,id=hostroot,path=%s,security_model=none,readonly=on,multidevs=remap",
             p->host_view);
    argv_add(&b, "-device");
    argv_add(&b, "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot");
    argv_add(&b, "-fsdev");
    argv_add(&b, "local,id=hvrun,path=%s,security_model=none,multidevs=remap", p->run_dir);
    argv_add(&b, "-device");
    argv_add(&b, "virtio-9p-pci,fsdev=hvrun,mount_tag=hvrun");
    argv_add(&b, "-qmp");
    argv_add(&b, "unix:%s,server=on,wait=off", p->qmp_socket);
    argv_add(&b, "-S");
    return argv_finish(&b);
}
