/*
 * Unit tests of pairwise.csv and the heat map's data (host/analysis/
 * pairwise.c, pairwise_order.c) on hand-made summaries and meta.json
 * files: the "/iI-tJ" labels split into variant, initiator and target;
 * one row per pair, variants apart, pairs without samples kept in the CSV
 * and left out of the plot data; axes in hwloc's logical PU order where
 * the topology XML loads (a synthetic topology whose OS indexes are not
 * in logical order, so the two orders differ), by PU OS index without it,
 * in vCPU order with a vCPU unpinned or in a lab run; no pairwise.csv for a run without
 * pairs (its plot data says there are none).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hwloc.h>

#include "analysis/pairwise.h"

#define HEADER "id,label,strategy,flush,input,scope,procs,state,pages,targets,n,p50_cyc," \
               "verdict,ci_lo_cyc,ci_hi_cyc\n"
#define ROW(id, label, strat, p50, n, verdict) \
    id "," label "," strat ",invlpg,slow,cr3,mask,spin,1,1," n "," p50 "," verdict ",,\n"

/* 4 vCPUs: ipi pairs (one unsupported, one missing), hv-space pairs of
 * initiator 0 only, and an ordinary configuration. */
static const char *const summary =
    HEADER
    "0,ipi/invlpg/p1/t1/spin/i2/cpus:1,ipi,invlpg,slow,cr3,mask,spin,1,1,100,5000,pass,4900,5100\n"
    "1,ipi/invlpg/p1/i0-t1/spin,ipi,invlpg,slow,cr3,mask,spin,1,1,100,1001,pass,990,1010\n"
    ROW("2", "ipi/invlpg/p1/i0-t2/spin", "ipi", "1002", "100", "pass")
    ROW("3", "ipi/invlpg/p1/i0-t3/spin", "ipi", "1003", "100", "pass")
    ROW("4", "ipi/invlpg/p1/i1-t0/spin", "ipi", "1010", "100", "pass")
    ROW("5", "ipi/invlpg/p1/i1-t2/spin", "ipi", "1012", "100", "pass")
    ROW("6", "ipi/invlpg/p1/i1-t3/spin", "ipi", "", "0", "unsupported")
    ROW("7", "ipi/invlpg/p1/i2-t0/spin", "ipi", "1020", "100", "pass")
    ROW("8", "ipi/invlpg/p1/i2-t1/spin", "ipi", "1021", "100", "pass")
    ROW("9", "ipi/invlpg/p1/i2-t3/spin", "ipi", "1023", "100", "pass")
    ROW("10", "ipi/invlpg/p1/i3-t0/spin", "ipi", "1030", "100", "pass")
    ROW("11", "ipi/invlpg/p1/i3-t1/spin", "ipi", "1031", "100", "pass")
    /* (3, 2) missing */
    ROW("12", "hv-space/slow/cr3/p1/i0-t1/spin", "hv-space", "2001", "100", "pass")
    ROW("13", "hv-space/slow/cr3/p1/i0-t3/spin", "hv-space", "2003", "100", "pass");

static char dir[64];

static void put(const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_non_null(f = fopen(path, "w"));
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *name)
{
    static char buf[8192];
    char path[128];
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "r");
    if (!f)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The rows' (initiator, target) in file order, "0>1 0>2 ...". */
static void pair_order(char *out, size_t cap)
{
    char *text = slurp("pairwise.csv"), *line, *save = NULL;

    out[0] = '\0';
    assert_non_null(text);
    strtok_r(text, "\n", &save);                        /* the header */
    while ((line = strtok_r(NULL, "\n", &save))) {
        unsigned i, t;
        char v[64], label[64];

        assert_int_equal(sscanf(line, "%63[^,],%63[^,],%u,%u", v, label, &i, &t), 4);
        snprintf(out + strlen(out), cap - strlen(out), "%s%u>%u", out[0] ? " " : "", i, t);
    }
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/hvflush-pairwise-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    const char *names[] = { "summary.csv", "meta.json", "pairwise.csv", "pairwise.vars",
                            "pairwise-1.dat", "pairwise-2.dat" };
    char path[128];

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    return rmdir(dir);
}

static void test_label_split(void **state)
{
    char v[64];
    uint32_t i, t;

    (void)state;
    assert_true(pairwise_label_split("ipi/invlpg/p1/i2-t1/spin", v, sizeof(v), &i, &t));
    assert_string_equal(v, "ipi/invlpg/p1/spin");
    assert_int_equal(i, 2);
    assert_int_equal(t, 1);
    assert_true(pairwise_label_split("hv-list-ex/fast/all-as/p8/i13-t0/halt/pcid", v,
                                     sizeof(v), &i, &t));
    assert_string_equal(v, "hv-list-ex/fast/all-as/p8/halt/pcid");
    assert_int_equal(i, 13);
    assert_int_equal(t, 0);
    assert_false(pairwise_label_split("ipi/invlpg/p1/t1/spin/i2/cpus:1", v, sizeof(v), &i, &t));
    assert_false(pairwise_label_split("ipi/invlpg/p1/t1/spin/i2", v, sizeof(v), &i, &t));
    assert_false(pairwise_label_split("ipi/invlpg/p1/i2-t/spin", v, sizeof(v), &i, &t));
}

/* Without meta.json: vCPU order, no ns; two variants; rows and plot data. */
static void test_csv_vcpu_order(void **state)
{
    struct pairwise_counts cnt;
    char err[256], order[512], *text;

    (void)state;
    put("summary.csv", summary);
    assert_true(pairwise_write(dir, dir, &cnt, err, sizeof(err)));
    assert_int_equal(cnt.variants, 2);
    assert_int_equal(cnt.pairs, 13);
    assert_int_equal(cnt.measured, 12);
    assert_int_equal(cnt.order, PAIRWISE_ORDER_VCPU);
    pair_order(order, sizeof(order));
    assert_string_equal(order, "0>1 0>2 0>3 1>0 1>2 1>3 2>0 2>1 2>3 3>0 3>1 0>1 0>3");
    text = slurp("pairwise.csv");
    assert_non_null(strstr(text, "variant,label,initiator,target,initiator_pu,target_pu,"
                                 "p50_cyc,p50_ns,ci_lo_cyc,ci_hi_cyc,n,verdict\n"));
    assert_non_null(strstr(text, "ipi/invlpg/p1/spin,ipi/invlpg/p1/i0-t1/spin,0,1,,,1001,,"
                                 "990,1010,100,pass\n"));
    assert_non_null(strstr(text, "ipi/invlpg/p1/spin,ipi/invlpg/p1/i1-t3/spin,1,3,,,,,,,0,"
                                 "unsupported\n"));
    assert_null(strstr(text, "cpus:1"));
    text = slurp("pairwise.vars");
    assert_non_null(strstr(text, "pw_nvariants = 2\n"));
    assert_non_null(strstr(text, "pw_ncpus = 4\n"));
    assert_non_null(strstr(text, "pw_unit = \"cycles\"\n"));
    assert_non_null(strstr(text, "pw_titles = \"ipi/invlpg/p1/spin hv-space/slow/cr3/p1/spin\""));
    assert_non_null(strstr(text, "pw_ticks = \"v0 v1 v2 v3\""));
    assert_non_null(strstr(text, "pw_cells = \"10 2\""));
    assert_non_null(strstr(text, "pw_logcb = 0\n"));        /* 1001-2003: one decade */
    /* The unsupported pair is left out of the plot (blank): 10 cells. */
    text = slurp("pairwise-1.dat");
    {
        int lines = 0;

        for (char *p = text; *p; p++)
            lines += *p == '\n';
        assert_int_equal(lines, 10);
    }
    assert_non_null(strstr(text, "1\t0\t1001.0\n"));      /* target 1, initiator 0 */
    assert_null(strstr(text, "3\t1\t"));                   /* (1, 3): no samples */
    assert_string_equal(slurp("pairwise-2.dat"), "1\t0\t2001.0\n3\t0\t2003.0\n");
}

/* meta.json for 4 vCPUs pinned to PUs 1, 2, pus2 (a "pus" list) and 0,
 * tsc_hz 2 GHz, and
 * topology_xml of "pack:2 pu:2" whose PUs carry OS indexes 0, 2 | 1, 3. */
static void put_meta(bool with_xml, const char *pus2)
{
    hwloc_topology_t topo;
    char *xml = NULL, meta[16384];
    int len;

    assert_int_equal(hwloc_topology_init(&topo), 0);
    assert_int_equal(hwloc_topology_set_synthetic(topo, "pack:2 pu:2(indexes=0,2,1,3)"), 0);
    assert_int_equal(hwloc_topology_load(topo), 0);
    assert_int_equal(hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, 1)->os_index, 2);
    assert_int_equal(hwloc_topology_export_xmlbuffer(topo, &xml, &len, 0), 0);
    snprintf(meta, sizeof(meta),
             "{\"vm\": {\"smp\": 4}, \"tsc_hz\": 2000000000, \"hwloc\": {\"topology_xml\": %s},"
             " \"pinning\": {\"policy\": \"compact\", \"map\": ["
             "{\"vcpu\": 0, \"thread_id\": 10, \"pus\": \"1\"},"
             "{\"vcpu\": 1, \"thread_id\": 11, \"pus\": \"2\"},"
             "{\"vcpu\": 2, \"thread_id\": 12, \"pus\": \"%s\"},"
             "{\"vcpu\": 3, \"thread_id\": 13, \"pus\": \"0\"}]}}",
             with_xml ? "\"XML\"" : "null", pus2);
    if (with_xml) {
        json_t *m = json_loads(meta, 0, NULL);

        assert_non_null(m);
        json_object_set_new(json_object_get(m, "hwloc"), "topology_xml", json_string(xml));
        {
            char *s = json_dumps(m, 0);

            put("meta.json", s);
            free(s);
        }
        json_decref(m);
    } else {
        put("meta.json", meta);
    }
    hwloc_free_xmlbuffer(topo, xml);
    hwloc_topology_destroy(topo);
}

/* Logical order: PU os 0 (L0, vCPU 3), os 2 (L1, vCPU 1), os 1 (L2,
 * vCPU 0), os 3 (L3, vCPU 2): axes 3, 1, 0, 2. */
static void test_topology_order(void **state)
{
    struct pairwise_counts cnt;
    char err[256], order[512], *text;

    (void)state;
    put("summary.csv", summary);
    put_meta(true, "3");
    assert_true(pairwise_write(dir, dir, &cnt, err, sizeof(err)));
    assert_int_equal(cnt.order, PAIRWISE_ORDER_TOPOLOGY);
    pair_order(order, sizeof(order));
    assert_string_equal(order, "3>1 3>0 1>3 1>0 1>2 0>3 0>1 0>2 2>3 2>1 2>0 0>3 0>1");
    text = slurp("pairwise.vars");
    assert_non_null(strstr(text, "pw_ticks = \"v3@PU0 v1@PU2 v0@PU1 v2@PU3\""));
    assert_non_null(strstr(text, "pw_unit = \"ns\""));
    assert_non_null(strstr(text, "hwloc logical index"));
    text = slurp("pairwise.csv");
    /* 1001 cycles at 2 GHz: 500.5 ns; PUs of initiator 0 and target 1. */
    assert_non_null(strstr(text, ",ipi/invlpg/p1/i0-t1/spin,0,1,1,2,1001,500.5,990,1010,100,"
                                 "pass\n"));
    /* Initiator 0 sits at position 2, target 1 at position 1. */
    assert_non_null(strstr(slurp("pairwise-1.dat"), "1\t2\t500.5\n"));
}

/* No topology: by PU OS index (vCPU 3, 0, 1, 2) on both axes; a cpuset
 * counts by its lowest PU ("2-3" for vCPU 2 ties with vCPU 1 on PU 2:
 * vCPU order between them). */
static void test_os_index_order(void **state)
{
    struct pairwise_counts cnt;
    char err[256], order[512];

    (void)state;
    put("summary.csv", summary);
    put_meta(false, "3");
    assert_true(pairwise_write(dir, NULL, &cnt, err, sizeof(err)));
    assert_int_equal(cnt.order, PAIRWISE_ORDER_PU_OS);
    pair_order(order, sizeof(order));
    assert_string_equal(order, "3>0 3>1 0>3 0>1 0>2 1>3 1>0 1>2 2>3 2>0 2>1 0>3 0>1");
    put_meta(false, "2-3");
    assert_true(pairwise_write(dir, NULL, &cnt, err, sizeof(err)));
    pair_order(order, sizeof(order));
    assert_string_equal(order, "3>0 3>1 0>3 0>1 0>2 1>3 1>0 1>2 2>3 2>0 2>1 0>3 0>1");
    assert_non_null(strstr(slurp("pairwise.csv"), ",ipi/invlpg/p1/i2-t0/spin,2,0,2,1,"));
}

/* One vCPU unpinned: vCPU order, whatever the others. */
static void test_unpinned(void **state)
{
    struct pairwise_counts cnt;
    char err[256], order[512];

    (void)state;
    put("summary.csv", summary);
    put_meta(true, "unpinned");
    assert_true(pairwise_write(dir, NULL, &cnt, err, sizeof(err)));
    assert_int_equal(cnt.order, PAIRWISE_ORDER_VCPU);
    pair_order(order, sizeof(order));
    assert_string_equal(order, "0>1 0>2 0>3 1>0 1>2 1>3 2>0 2>1 2>3 3>0 3>1 0>1 0>3");
    assert_non_null(strstr(slurp("pairwise.csv"), ",ipi/invlpg/p1/i2-t0/spin,2,0,,1,"));
}

/* A lab run: meta.json's map pins L1's vCPUs, so the L2 pairs keep vCPU
 * order and say why. */
static void test_lab_run(void **state)
{
    struct pairwise_counts cnt;
    char err[256], order[512], path[128];
    json_t *m;

    (void)state;
    put("summary.csv", summary);
    put_meta(true, "3");
    snprintf(path, sizeof(path), "%s/meta.json", dir);
    assert_non_null(m = json_load_file(path, 0, NULL));
    json_object_set_new(m, "lab", json_pack("{s:s}", "l1_kernel", "6.1"));
    assert_int_equal(json_dump_file(m, path, 0), 0);
    json_decref(m);
    assert_true(pairwise_write(dir, dir, &cnt, err, sizeof(err)));
    assert_int_equal(cnt.order, PAIRWISE_ORDER_NESTED);
    pair_order(order, sizeof(order));
    assert_string_equal(order, "0>1 0>2 0>3 1>0 1>2 1>3 2>0 2>1 2>3 3>0 3>1 0>1 0>3");
    assert_non_null(strstr(slurp("pairwise.vars"), "nested lab"));
}

/* A run without pairs: no pairwise.csv, no counts, pw_nvariants = 0. */
static void test_no_pairs(void **state)
{
    struct pairwise_counts cnt;
    char err[256], path[128];

    (void)state;
    snprintf(path, sizeof(path), "%s/pairwise.csv", dir);
    unlink(path);
    put("summary.csv", HEADER ROW("0", "ipi/invlpg/p1/t1/spin", "ipi", "900", "100", "pass"));
    assert_true(pairwise_write(dir, dir, &cnt, err, sizeof(err)));
    assert_int_equal(cnt.variants, 0);
    assert_int_equal(cnt.pairs, 0);
    assert_null(slurp("pairwise.csv"));
    /* The plot gets a figure that says so. */
    assert_non_null(strstr(slurp("pairwise.vars"), "pw_nvariants = 0\n"));
    /* A directory without summary.csv is an error with the path. */
    unlink(path);
    snprintf(path, sizeof(path), "%s/summary.csv", dir);
    unlink(path);
    assert_false(pairwise_write(dir, NULL, &cnt, err, sizeof(err)));
    assert_non_null(strstr(err, "summary.csv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_split),
        cmocka_unit_test(test_csv_vcpu_order),
        cmocka_unit_test(test_topology_order),
        cmocka_unit_test(test_os_index_order),
        cmocka_unit_test(test_unpinned),
        cmocka_unit_test(test_lab_run),
        cmocka_unit_test(test_no_pairs),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
