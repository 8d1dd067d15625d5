/*
 * meta.json's "lab" section (see run.h): how each level of the nested lab
 * was set up, what L1 found (the hv-* flags it accepted, its errors) and
 * how long each of L1's steps took, so that a lab run can be understood
 * and repeated later.
 */
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "util.h"

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *string_array(char *const argv[])
{
    json_t *a = json_array();

    for (int i = 0; argv && argv[i]; i++)
        json_array_append_new(a, json_string(argv[i]));
    return a;
}

/* One array entry per non-empty line. */
static json_t *lines_array(const char *text)
{
    json_t *a = json_array();

    for (const char *p = text; p && *p; ) {
        size_t n = strcspn(p, "\n");

        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n + (p[n] == '\n');
    }
    return a;
}

/* One array entry per space-separated word. */
static json_t *words_array(const char *words)
{
    json_t *a = json_array();

    for (const char *p = words; *p; ) {
        size_t n = strcspn(p, " ");

        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n + (p[n] == ' ');
    }
    return a;
}

static json_t *modules_json(const struct lab_module_list *list)
{
    json_t *a = json_array();

    for (unsigned i = 0; i < list->n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", list->m[i].name,
                                           "group", list->m[i].group,
                                           "file", list->m[i].file));
    return a;
}

json_t *lab_meta_json(const struct run_info *ri)
{
    const struct lab_plan *lab = ri->lab;
    const struct lab_kernel *k = &lab->k;

    return json_pack("{s:{s:s, s:s, s:i, s:i},"
                     " s:{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:I, s:s, s:o, s:i, s:i,"
                     " s:o},"
                     " s:{s:s, s:o, s:o, s:o, s:s, s:o, s:o},"
                     " s:O, s:o}",
                     "l0", "accel", lab->l0_accel, "cpu", lab->l0_cpu,
                     "vcpus", (int)lab->l1_vcpus, "memory_mib", (int)lab->l1_memory_mib,
                     "l1", "kernel_package", k->package, "package_version", k->version,
                     "kernel_release", k->release, "kernel_file", k->kernel,
                     "initramfs", k->initramfs, "busybox", k->busybox,
                     "kernel_cached", k->kernel_cached,
                     "initramfs_cached", k->initramfs_cached,
                     "prepare_ms", (json_int_t)k->prepare_ms,
                     "kvm_module", lab->kvm_module,
                     "modules", modules_json(&k->modules),
                     "vcpus", (int)lab->l1_vcpus, "memory_mib", (int)lab->l1_memory_mib,
                     "error", str_or_null(lab->l1_error),
                     "l2", "cpu_base", LAB_L2_CPU_BASE,
                     "cpu_optional", words_array(LAB_L2_CPU_OPTIONAL),
                     "cpu_flags_used", str_or_null(lab->l2_cpu),
                     "notes", lines_array(lab->l2_notes),
                     "script", "lab/l2.sh",
                     "argv", string_array(lab->l2_argv),
                     "exit_status", lab->l2_status >= 0 ? json_integer(lab->l2_status)
                                                        : json_null(),
                     "l1_uptime_s", lab->l1_times ? lab->l1_times : json_null(),
                     "l0_run_ms", lab->l0_ms ? json_integer(lab->l0_ms) : json_null());
}

void lab_release(struct run_info *ri)
{
    if (!ri->lab)
        return;
    qemu_argv_free(ri->lab->l2_argv);
    json_decref(ri->lab->l1_times);
    free(ri->lab);
    ri->lab = NULL;
}
