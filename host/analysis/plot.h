/*
 * "hvflush plot RUN_DIR": runs every plot/NAME.gp script on a finished run and
 * leaves SVG and PNG files in RUN_DIR/plots.
 */
#ifndef HOST_PLOT_H
#define HOST_PLOT_H

/* Returns the exit status: 0 plotted, 1 nothing to plot or gnuplot failed,
 * 2 bad input or gnuplot missing. */
int plot_command(const char *run_dir);

#endif
