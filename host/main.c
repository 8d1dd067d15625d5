/*
 * hvflush: the host tool of the Hyper-V TLB-flush microbenchmarks.
 * main() parses the command line and hands over to one command.
 */
#include <stdio.h>
#include <string.h>

#include "args_check.h"
#include "cli.h"
#include "commands.h"
#include "crosscheck.h"
#include "lab/lab.h"
#include "pin.h"
#include "analysis/plot.h"
#include "run.h"
#include "util.h"
#include "version.h"

/* The commands with their own option parsers, by name. */
static const struct {
    const char *name;
    int (*command)(int argc, char **argv);
} own_parser_commands[] = {
    { "compare", compare_command },
    { "runs",    runs_command },
    { "report",  report_command },
    { "pin",     pin_command },
    { "image",   image_command },
    { "import",  import_command },
};

int main(int argc, char **argv)
{
    struct cli_options o;
    char err[512];

    if (!args_check(argc, argv, err, sizeof(err))) {
        hv_err("%s", err);
        return 2;
    }
    for (unsigned i = 0; argc >= 2 && i < sizeof(own_parser_commands) /
                                         sizeof(own_parser_commands[0]); i++)
        if (!strcmp(argv[1], own_parser_commands[i].name))
            return own_parser_commands[i].command(argc - 1, argv + 1);

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
