/*
 * fuzz_sweep: the sweep-file parser (bench/sweep.c and its key tables),
 * the expansion of a parsed sweep into configurations (sweep_expand) for a
 * 2-vCPU and a 64-vCPU guest, and what the host and guest then derive from
 * each configuration: its label, scope label, placement and the run order.
 * A sweep comes from `--sweep FILE`, from an imported serial log's
 * sweeptext records (fuzz_import) and from L1's run (fuzz_lab).
 * Input: the sweep text itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bench/sweep.h>

#include "fuzz_files.h"

static struct sweep_config configs[SWEEP_CONFIGS_MAX];

static void derive(const struct sweep *sw, unsigned ncpus)
{
    static uint32_t order[SWEEP_CONFIGS_MAX], cpus[256];
    struct sweep_error err;
    char buf[512];
    int n = sweep_expand(sw, ncpus, configs, SWEEP_CONFIGS_MAX, &err);

    if (n < 0)
        return;
    for (int i = 0; i < n; i++) {
        const struct sweep_config *c = &configs[i];

        sweep_config_label(c, buf, sizeof(buf));
        sweep_space_label(c, buf, sizeof(buf));
        sweep_space_label_scope(c, buf, sizeof(buf));
        sweep_placement_text(c, buf, sizeof(buf));
        sweep_space_unverified_reason(c);
        if (sweep_placement(c, ncpus, cpus))
            cpu_list_format(cpus, c->targets, buf, sizeof(buf));
    }
    sweep_order(sw, order, (uint32_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sweep sw;
    struct sweep_error err;

    fuzz_planted_crash(data, size);
    memset(&sw, 0, sizeof(sw));
    if (!sweep_parse((const char *)data, size, &sw, &err))
        return 0;
    derive(&sw, 2);
    derive(&sw, 64);
    return 0;
}
