/*
 * meta.json: everything needed to interpret a run later — versions, host,
 * QEMU command line, accelerator and timing class, topology and pinning,
 * the sweep, and what the guest reported about its platform.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <jansson.h>

#include "run.h"
#include "analysis/noise.h"
#include "analysis/tsc_skew.h"
#include "util.h"
#include "analysis/verdicts.h"
#include "version.h"

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static void cpu_model(char *out, size_t cap)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[1024];

    out[0] = '\0';
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        char *colon = strchr(line, ':');

        if (strncmp(line, "model name", 10) != 0 || !colon)
            continue;
        colon += 1 + strspn(colon + 1, " \t");
        colon[strcspn(colon, "\n")] = '\0';
        fmt(out, cap, "%s", colon);
        break;
    }
    fclose(f);
}

static json_t *host_json(void)
{
    struct utsname u;
    char kernel[512] = "", model[256];

    if (uname(&u) == 0)
        fmt(kernel, sizeof(kernel), "%s %s %s %s", u.sysname, u.release, u.version,
            u.machine);
    cpu_model(model, sizeof(model));
    return json_pack("{s:o, s:o, s:I}", "kernel", str_or_null(kernel),
                     "cpu_model", str_or_null(model),
                     "nproc", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN));
}

static json_t *qemu_json(const struct run_info *ri)
{
    json_t *argv = json_array();

    for (int i = 0; ri->qemu_argv && ri->qemu_argv[i]; i++)
        json_array_append_new(argv, json_string(ri->qemu_argv[i]));
    return json_pack("{s:s, s:o, s:o}", "binary", ri->qemu,
                     "version", str_or_null(ri->qemu_version), "argv", argv);
}

static json_t *accel_json(const struct run_info *ri)
{
    json_t *flags = json_array();

    if (ri->kvm.host_vmx)
        json_array_append_new(flags, json_string("vmx"));
    if (ri->kvm.host_svm)
        json_array_append_new(flags, json_string("svm"));
    return json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:b, s:o, s:o}",
                     "requested", accel_choice_name(ri->opt->accel),
                     "choice_reason", str_or_null(ri->accel_why),
                     "name", ri->accel, "timing_class", ri->tc->name, "label", ri->tc->label,
                     "kvm_api", ri->kvm.api_version >= 0 ?
                         json_integer(ri->kvm.api_version) : json_null(),
                     "kvm_cap_hyperv", ri->kvm.cap_hyperv >= 0 ?
                         json_integer(ri->kvm.cap_hyperv) : json_null(),
                     "kvm_usable", ri->kvm.usable,
                     "kvm_reason", str_or_null(ri->kvm.reason),
                     "host_virt_flags", flags);
}

static json_t *hwloc_json(const struct run_info *ri)
{
    char *xml = NULL;
    int len = 0;
    json_t *o;

    if (hwloc_topology_export_xmlbuffer(ri->topo, &xml, &len, 0) < 0)
        xml = NULL;
    o = json_pack("{s:s, s:o}", "version", HWLOC_VERSION, "topology_xml", str_or_null(xml));
    if (xml)
        hwloc_free_xmlbuffer(ri->topo, xml);
    return o;
}

static json_t *pinning_json(const struct run_info *ri)
{
    json_t *map = json_array();

    for (unsigned i = 0; i < ri->pin_mapped; i++)
        json_array_append_new(map, json_pack("{s:i, s:I, s:s}", "vcpu", ri->pin_map[i].vcpu,
                                             "thread_id", (json_int_t)ri->pin_map[i].thread_id,
                                             "pus", ri->pin_map[i].pus));
    json_t *o = json_pack("{s:s, s:i, s:o}", "policy", ri->opt->pin_spec.text,
                          "host_pus", (int)pin_pu_count(ri->topo), "map", map);

    pin_meta_add(o, &ri->pin_plan, &ri->pin_outcome);
    return o;
}

static json_t *build(const struct run_info *ri)
{
    char start[32], end[32] = "";
    struct noise_measured noise;
    json_t *meta;

    utc_iso(ri->start, start, sizeof(start));
    if (ri->end)
        utc_iso(ri->end, end, sizeof(end));
    meta = json_pack("{s:{s:s, s:s}, s:o, s:s, s:s, s:o, s:s, s:o,"
                     " s:o, s:o, s:o, s:o, s:o,"
                     " s:{s:s, s:s, s:s%, s:i, s:s}, s:{s:i, s:i, s:s},"
                     " s:O, s:o}",
                     "hvflush", "version", HVFLUSH_VERSION, "git_rev", GIT_REV,
                     "label", str_or_null(ri->opt->label),
                     "run_id", ri->run_id,
                     "start_utc", start,
                     "end_utc", str_or_null(end),
                     "status", ri->status,
                     "reason", str_or_null(ri->reason),
                     "host", host_json(),
                     "qemu", qemu_json(ri),
                     "accelerator", accel_json(ri),
                     "hwloc", hwloc_json(ri),
                     "pinning", pinning_json(ri),
                     "sweep", "name", ri->sweep.name, "file", ri->sweep_path,
                     "text", ri->sweep_text, ri->sweep_len, "configurations", (int)ri->nconfigs,
                     "inject", sweep_inject_name(ri->sweep.inject),
                     "vm", "smp", (int)ri->opt->smp, "memory_mib", (int)ri->opt->memory_mib,
                     "guest_image", ri->guest,
                     "guest", ri->data.guest ? ri->data.guest : json_null(),
                     "tsc_hz", ri->data.tsc_hz ? json_integer((json_int_t)ri->data.tsc_hz)
                                               : json_null());
    /* The configuration order: shuffled with this seed, or the sweep's (null). */
    if (meta)
        json_object_set_new(json_object_get(meta, "sweep"), "seed", ri->sweep.shuffle ?
                            json_integer((json_int_t)ri->sweep.seed) : json_null());
    if (meta) {
        struct verdict_counts counts;

        verdicts_count(&ri->data, &counts);
        json_object_set_new(meta, "verdicts", verdicts_json(&counts));
    }
    /* The guest's -cpu value and its hv-* flags (in the lab: L1's run's). */
    if (meta)
        json_object_set_new(meta, "hyperv_flags", ri->lab && ri->lab->inner_hv
                                                      ? json_deep_copy(ri->lab->inner_hv)
                                                      : hv_result_json(&ri->opt->hv, &ri->hv));
    if (meta)
        json_object_set_new(meta, "output", channels_json(&ri->channels, &ri->data));
    if (meta)
        json_object_set_new(meta, "tsc_skew", tsc_skew_json(&ri->data));
    if (meta)
        json_object_set_new(meta, "record_stream", collect_damage_json(&ri->data));
    if (meta && ri->repeat.boots > 1)
        json_object_set_new(meta, "repeat", repeat_json(&ri->repeat));
    /* The noise assessment (host/analysis/noise.h), once the run is over. */
    if (meta && ri->end && noise_measure(&ri->data, &ri->hostload, &noise))
        json_object_set_new(meta, "noise", noise_json(&noise, &ri->hostload));
    /* In the lab, "qemu" above is L0 and "vm" is L2; "lab" says the rest. */
    if (meta && ri->lab)
        json_object_set_new(meta, "lab", lab_meta_json(ri));
    /* An imported serial log (host/import.c): where it came from, and for a
     * foreign log its accelerator in place of this host's. */
    if (meta && ri->import_meta)
        json_object_update(meta, ri->import_meta);
    return meta;
}

bool meta_write(const struct run_info *ri, char *err, size_t errcap)
{
    char path[PATH_MAX + 16], tmp[PATH_MAX + 16];
    json_t *meta = build(ri);

    if (!meta) {
        fmt(err, errcap, "cannot build meta.json");
        return false;
    }
    fmt(path, sizeof(path), "%s/meta.json", ri->run_dir);
    fmt(tmp, sizeof(tmp), "%s/.meta.json.tmp", ri->run_dir);
    if (json_dump_file(meta, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ||
        rename(tmp, path) < 0) {
        fmt(err, errcap, "cannot write %s: %s", path, strerror(errno));
        json_decref(meta);
        unlink(tmp);
        return false;
    }
    json_decref(meta);
    return true;
}
