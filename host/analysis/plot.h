/*
 * "hvflush plot RUN_DIR": runs every plot/NAME.gp script on a finished run and
 * leaves SVG and PNG files in RUN_DIR/plots.
 */
#ifndef HOST_PLOT_H
#define HOST_PLOT_H

/* Returns the exit status: 0 plotted, 1 nothing to plot or gnuplot failed,
 * 2 bad input or gnuplot missing. */
int plot_command(const char *run_dir);

/* Runs gnuplot on one script with the assignments vars[0..nvars) given as
 * -e options, its output appended to log_path.  True when it exited 0. */
#include <stdbool.h>
bool plot_run_gnuplot(const char *gnuplot, char *const *vars, int nvars, const char *script,
                      const char *log_path);

#endif
