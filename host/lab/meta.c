/*
 * meta.json's "lab" section (see run.h): how each level of the nested lab
 * was set up, how L1's own hvflush run was started and ended (its hv-flag
 * result is the outer run's "hyperv_flags"), L2's command line, and how
 * long each of L1's steps took, so that a lab run can be understood
 * and repeated later.
 */
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "util.h"

static json_t *lab_meta_json_base(const struct run_info *ri);

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

static json_t *modules_json(const struct lab_module_list *list)
{
    json_t *a = json_array();

    for (unsigned i = 0; i < list->n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", list->m[i].name,
                                           "group", list->m[i].group,
                                           "file", list->m[i].file));
    return a;
}

/* L2 as L1's run started it: the -cpu value and QEMU's argv. */
static json_t *l2_json(const struct lab_plan *lab)
{
    json_t *qemu = json_object_get(lab->inner_meta, "qemu");
    json_t *hv = lab->inner_hv;

    return json_pack("{s:O, s:O}",
                     "cpu", json_object_get(hv, "cpu") ? json_object_get(hv, "cpu")
                                                       : json_null(),
                     "argv", json_object_get(qemu, "argv") ? json_object_get(qemu, "argv")
                                                          : json_null());
}

/* L1's own hvflush run: how it was started and how it ended. */
static json_t *l1_run_json(const struct run_info *ri)
{
    const struct lab_plan *lab = ri->lab;
    const char *dir = lab->l1_run_dir;
    size_t n = strlen(ri->run_dir);

    /* Relative to the outer run directory, so the run can be moved. */
    if (!strncmp(dir, ri->run_dir, n) && dir[n] == '/')
        dir += n + 1;
    return json_pack("{s:o, s:o, s:o, s:O, s:O, s:O}",
                     "argv", string_array(lab->l1_run_argv),
                     "run_dir", str_or_null(dir),
                     "exit_status", lab->l1_run_status >= 0 ? json_integer(lab->l1_run_status)
                                                            : json_null(),
                     "status", json_object_get(lab->inner_meta, "status")
                         ? json_object_get(lab->inner_meta, "status") : json_null(),
                     "reason", json_object_get(lab->inner_meta, "reason")
                         ? json_object_get(lab->inner_meta, "reason") : json_null(),
                     "timing_class", json_object_get(json_object_get(lab->inner_meta,
                                                                     "accelerator"),
                                                     "timing_class")
                         ? json_object_get(json_object_get(lab->inner_meta, "accelerator"),
                                           "timing_class") : json_null());
}

/* Where L1's kernel came from: a Debian package, or a path a developer
 * gave (its real path), with the release read from the kernel image. */
static json_t *kernel_source_json(const struct lab_kernel *k)
{
    return json_pack("{s:s, s:o, s:s}", "kind", lab_source_name(k->source),
                     "path", str_or_null(k->source_path), "release", k->release);
}

json_t *lab_meta_json(const struct run_info *ri)
{
    const struct lab_plan *lab = ri->lab;
    const struct lab_kernel *k = &lab->k;
    json_t *lab_json = lab_meta_json_base(ri);

    json_object_set_new(json_object_get(lab_json, "l1"), "kernel_source",
                        kernel_source_json(k));
    /* Attempts the L2 start watchdog ended (stall.c); their logs are in
     * RUN/lab-attempt-N. */
    json_object_set_new(lab_json, "stalled_attempts", json_integer(lab->stalled_attempts));
    /* The tree L1 saw of the host (lab.h, view.c). */
    json_object_set_new(json_object_get(lab_json, "l1"), "host_view", str_or_null(lab->view));
    return lab_json;
}

/* Everything but the kernel's source. */
static json_t *lab_meta_json_base(const struct run_info *ri)
{
    const struct lab_plan *lab = ri->lab;
    const struct lab_kernel *k = &lab->k;

    return json_pack("{s:{s:s, s:s, s:i, s:i},"
                     " s:{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:I, s:s, s:o, s:i, s:i,"
                     " s:o},"
                     " s:o, s:o, s:O, s:o}",
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
                     "l1_run", l1_run_json(ri),
                     "l2", l2_json(lab),
                     "l1_uptime_s", lab->l1_times ? lab->l1_times : json_null(),
                     "l0_run_ms", lab->l0_ms ? json_integer(lab->l0_ms) : json_null());
}

void lab_release(struct run_info *ri)
{
    if (!ri->lab)
        return;
    lab_view_finish(ri);
    qemu_argv_free(ri->lab->l1_run_argv);
    json_decref(ri->lab->l1_times);
    json_decref(ri->lab->inner_meta);
    free(ri->lab);
    ri->lab = NULL;
}
