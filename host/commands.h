/*
 * The commands that parse their own options: main() hands them argv from
 * the command's name on (argv[0] is the command's name).
 * Each returns the process exit status; each documents its own in its
 * usage text.
 */
#ifndef HOST_COMMANDS_H
#define HOST_COMMANDS_H

/* host/analysis/compare.c: join runs, ratios with bootstrap CIs, verdicts;
 * 0 no regression, 1 a regression beyond the threshold, 2 bad input. */
int compare_command(int argc, char **argv);
/* host/analysis/runs.c: list the runs under a results directory. */
int runs_command(int argc, char **argv);
/* host/analysis/report.c: one self-contained HTML report of one or more runs. */
int report_command(int argc, char **argv);
/* host/pin_command.c: print the pinning plan of a policy on a topology. */
int pin_command(int argc, char **argv);
/* host/image.c: a bootable BIOS/UEFI ISO of the guest and a checked sweep. */
int image_command(int argc, char **argv);
/* host/import_command.c: a captured serial log into a run directory. */
int import_command(int argc, char **argv);

#endif
