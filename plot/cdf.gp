# Latency distribution of every configuration as an empirical CDF: the
# fraction of samples at or below each latency.
#
# Run by `hvflush plot`, which passes with -e:
#   datadir   directory with cdf-1.dat ... (one latency in ns per line)
#   outbase   output path without extension (.svg and .png are written)
#   tclabel   timing-class label;  runid: the run's id
#   nconfigs  number of configurations;  configs: their labels, space-separated
#   logx      1 for a logarithmic latency axis

file(i) = sprintf("%s/cdf-%d.dat", datadir, i)
# Eight colours repeat; each further group of eight gets its own dash pattern.
dash(i) = (i - 1) / 8 % 5 + 1

set title sprintf("Latency CDF per configuration\n%s  (%s)", tclabel, runid) noenhanced
set xlabel "latency (ns)"
set ylabel "fraction of samples ≤ latency"
set grid
set yrange [0:1]
set ytics 0.1
# The key goes below the plot in three columns and the canvas grows with it.
set key outside below center horizontal maxcols 3 noenhanced samplen 2
height = 520 + 16 * int((nconfigs + 2) / 3)
if (logx) { set logscale x; set format x "10^{%L}" }

set terminal svg size 1100,height dynamic enhanced font "DejaVu Sans,11" background "white"
set output outbase.".svg"

plot for [i=1:nconfigs] file(i) using 1:(1.0) smooth cnormal with lines lc i dt dash(i) lw 1.5 title word(configs, i)

set terminal pngcairo size 1100,height enhanced font "DejaVu Sans,10" background "white"
set output outbase.".png"
replot
unset output
