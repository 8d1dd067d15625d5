# Latency distribution of every configuration as an empirical CDF: the
# fraction of samples at or below each latency.  Each configuration has its
# own colour, dash type and point type (plot/series-style.gpi; the marks
# sit every few hundred samples), so it can be told apart in black and white.
#
# Run by `hvflush plot`, which passes with -e:
#   datadir   directory with cdf-1.dat ... (one latency in ns per line)
#   outbase   output path without extension (.svg and .png are written)
#   tclabel   timing-class label;  runid: the run's id
#   nconfigs  number of configurations;  configs: their labels, space-separated
#   logx      1 for a logarithmic latency axis

load ARG0[1:strstrt(ARG0, "cdf.gp") - 1]."series-style.gpi"
file(i) = sprintf("%s/cdf-%d.dat", datadir, i)

set title sprintf("Latency CDF per configuration\n%s  (%s)", tclabel, runid) noenhanced
set xlabel "latency (ns)"
set ylabel "fraction of samples ≤ latency"
set grid
set yrange [0:1]
set ytics 0.1
# The key goes below the plot in three columns and the canvas grows with it.
set key outside below center horizontal maxcols 3 noenhanced samplen 3
height = 520 + 16 * int((nconfigs + 2) / 3)
if (logx) { set logscale x; set format x "10^{%L}" }

set terminal svg size 1100,height dynamic enhanced font "DejaVu Sans,11" background "white"
set output outbase.".svg"

plot for [i=1:nconfigs] file(i) using 1:(1.0) smooth cnormal with linespoints \
    lc rgb colour(i) dt dashtype(i) pt pointtype(i) pi 150 ps 0.8 lw 1.5 title word(configs, i)

set terminal pngcairo size 1100,height enhanced font "DejaVu Sans,10" background "white"
set output outbase.".png"
replot
unset output
