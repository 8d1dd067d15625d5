/*
 * "hvflush pin": prints the pinning plan of a policy for N vCPUs on the
 * host's topology, an hwloc XML file or a synthetic description -- through
 * pin_plan_make(), the code "hvflush run --pin" binds with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "pin.h"
#include "util.h"

static const char pin_usage[] =
    "usage: hvflush pin --policy P --smp N [--topology FILE.xml | --synthetic DESC]\n"
    "\n"
    "Prints where hvflush run --pin P would put N vCPUs: one line per vCPU with its PU\n"
    "(OS index, P#) and the package, NUMA node, L3 and core above it (hwloc logical\n"
    "index, L#), then the PUs left to QEMU's other threads.  The same code places the\n"
    "vCPUs of a run; its meta.json records the plan under pinning.plan.\n"
    "\n"
    "  --policy P         none, compact (SMT siblings first), scatter (across packages,\n"
    "                     then LLCs, then cores), smt-pairs (vCPUs 2k, 2k+1 on the two\n"
    "                     hyperthreads of a core), same-llc (all in one LLC), cross-llc\n"
    "                     (consecutive vCPUs in different LLCs), cross-numa (consecutive\n"
    "                     vCPUs on different NUMA nodes), overcommit:N (N vCPUs per PU),\n"
    "                     cpus:LIST (one PU per vCPU in order, by OS index: cpus:0,2,4-7)\n"
    "  --smp N            vCPUs, 1-255\n"
    "  --topology FILE    an hwloc XML topology (lstopo --of xml FILE.xml)\n"
    "  --synthetic DESC   an hwloc synthetic topology, levels from the top, e.g.\n"
    "                     \"pack:2 l3:2 core:4 pu:2\" or \"pack:2 numa:2 core:4 pu:2\"\n"
    "  (default: this host's topology)\n"
    "\n"
    "Exit status: 0 the plan was printed; 2 bad input, or a policy the topology cannot\n"
    "satisfy (too few PUs, no SMT, one LLC, one NUMA node, a PU not present).\n";

struct pin_args {
    const char *policy, *xml, *synthetic;
    unsigned smp;
    bool help;
};

static bool parse_args(int argc, char **argv, struct pin_args *a, char *err, size_t cap)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i], *eq = strchr(name, '='), *val;
        char key[32];
        char *end;
        unsigned long n;

        if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
            a->help = true;
            return true;
        }
        fmt(key, sizeof(key), "%.*s", eq ? (int)(eq - name) : (int)strlen(name), name);
        if (strcmp(key, "--policy") && strcmp(key, "--smp") && strcmp(key, "--topology") &&
            strcmp(key, "--synthetic"))
            return fmt(err, cap, "unknown argument '%s' (hvflush pin --help)", name), false;
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return fmt(err, cap, "%s needs a value", key), false;
        if (!strcmp(key, "--policy")) {
            a->policy = val;
        } else if (!strcmp(key, "--topology")) {
            a->xml = val;
        } else if (!strcmp(key, "--synthetic")) {
            a->synthetic = val;
        } else {
            n = strtoul(val, &end, 10);
            if (*val < '0' || *val > '9' || *end || n < 1 || n > CLI_SMP_MAX)
                return fmt(err, cap, "--smp: '%s' is not a number from 1 to %d", val,
                           CLI_SMP_MAX), false;
            a->smp = (unsigned)n;
        }
    }
    if (!a->policy || !a->smp)
        return fmt(err, cap, "needs --policy P and --smp N (hvflush pin --help)"), false;
    if (a->xml && a->synthetic)
        return fmt(err, cap, "--topology and --synthetic: give one of them"), false;
    return true;
}

/* "topology: synthetic "..." (2 packages, 1 NUMA node, 4 L3, 16 cores, 32 PUs)" */
static void print_topology(hwloc_topology_t topo, const struct pin_args *a)
{
    static const struct {
        hwloc_obj_type_t type;
        const char *one, *many;
    } kinds[] = {
        { HWLOC_OBJ_PACKAGE, "package", "packages" }, { HWLOC_OBJ_NUMANODE, "NUMA node",
                                                        "NUMA nodes" },
        { HWLOC_OBJ_L3CACHE, "L3", "L3" }, { HWLOC_OBJ_CORE, "core", "cores" },
        { HWLOC_OBJ_PU, "PU", "PUs" },
    };

    if (a->synthetic)
        printf("topology: synthetic \"%s\" (", a->synthetic);
    else if (a->xml)
        printf("topology: %s (", a->xml);
    else
        printf("topology: this host (");
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        int n = hwloc_get_nbobjs_by_type(topo, kinds[i].type);

        printf("%s%d %s", i ? ", " : "", n, n == 1 ? kinds[i].one : kinds[i].many);
    }
    printf(")\n");
}

int pin_command(int argc, char **argv)
{
    struct pin_args a;
    struct pin_spec spec;
    struct pin_plan plan;
    hwloc_topology_t topo;
    hwloc_bitmap_t *sets;
    char err[512], why[400];

    if (!parse_args(argc, argv, &a, err, sizeof(err))) {
        hv_err("pin: %s", err);
        return 2;
    }
    if (a.help) {
        fputs(pin_usage, stdout);
        return 0;
    }
    if (!pin_spec_parse(a.policy, &spec, why, sizeof(why))) {
        hv_err("pin: --policy: %s", why);
        return 2;
    }
    topo = pin_load_topology(a.xml, a.synthetic, err, sizeof(err));
    if (!topo) {
        hv_err("pin: %s", err);
        return 2;
    }
    sets = calloc(a.smp, sizeof(*sets));
    if (!sets || !pin_plan_make(topo, &spec, a.smp, sets, &plan, why, sizeof(why))) {
        hv_err("pin: --policy %s: %s", spec.text, sets ? why : "out of memory");
        free(sets);
        hwloc_topology_destroy(topo);
        return 2;
    }
    print_topology(topo, &a);
    pin_plan_print(stdout, &plan);
    pin_plan_free(&plan);
    pin_sets_free(sets, a.smp);
    free(sets);
    hwloc_topology_destroy(topo);
    return 0;
}
