/*
 * hvflush: the host tool of the Hyper-V TLB-flush microbenchmarks.
 * main() parses the command line and hands over to one command.
 */
#include <stdio.h>

#include "cli.h"
#include "crosscheck.h"
#include "lab/lab.h"
#include "pin.h"
#include "plot.h"
#include "run.h"
#include "util.h"
#include "version.h"

int main(int argc, char **argv)
{
    struct cli_options o;
    char err[512];

    if (!cli_parse(argc, argv, &o, err, sizeof(err))) {
        hv_err("%s", err);
        return 2;
    }
    switch (o.command) {
    case CMD_HELP:
        fputs(cli_usage, stdout);
        return 0;
    case CMD_VERSION:
        printf("hvflush %s (git %s)\n", HVFLUSH_VERSION, GIT_REV);
        return 0;
    case CMD_PLOT:
        return plot_command(o.plot_dir);
    case CMD_RUN:
        if (o.smp == 0)
            o.smp = pin_default_vcpus();
        return run_command(&o);
    case CMD_LAB:
        if (o.smp == 0)
            o.smp = pin_default_vcpus();
        return lab_command(&o);
    case CMD_CROSSCHECK:
        return crosscheck_command(&o);
    }
    return 2;
}
