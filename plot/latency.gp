# Shootdown latency against the number of target vCPUs, one series per
# strategy/flush/pages/state: the median as a line with the series' point
# type, the p10-p90 range as a shaded band with error bars, and the p99 as
# the series' point type alone, larger.  Each series has its own colour,
# dash type and point type (plot/series-style.gpi), so it can be told apart
# in black and white.
#
# Run by `hvflush plot`, which passes with -e:
#   datadir   directory with series-1.dat ... (targets p10 p50 p90 p99, in ns)
#   outbase   output path without extension (.svg and .png are written)
#   tclabel   timing-class label, e.g. "TCG — emulated, not hardware"
#   runid     the run's id
#   nseries   number of series;  series: their titles, space-separated
#   logy      1 for a logarithmic latency axis;  maxtargets: largest target count

load ARG0[1:strstrt(ARG0, "latency.gp") - 1]."series-style.gpi"
file(i) = sprintf("%s/series-%d.dat", datadir, i)
# Series share x values, so each is shifted a little sideways to stay visible.
off(i) = nseries > 1 ? (i - (nseries + 1) / 2.0) * 0.5 / nseries : 0

set title sprintf("TLB shootdown latency by number of targets\n%s  (%s)", tclabel, runid) noenhanced
set xlabel "target vCPUs  (0 = local flush only; series shifted sideways for legibility)"
set ylabel "latency (ns)"
set grid
# The key goes below the plot in three columns, and the canvas grows with it,
# so that a sweep with many series keeps a full-width plot.
set key outside below center horizontal maxcols 3 noenhanced samplen 3
height = 520 + 16 * int((nseries + 3 + 2) / 3)
set xrange [-0.5:maxtargets + 0.5]
if (maxtargets <= 16) { set xtics 1 }
if (logy) { set logscale y; set format y "10^{%L}" } else { set yrange [0:*] }
set style fill transparent solid 0.12 noborder
set errorbars small

set terminal svg size 1100,height dynamic enhanced font "DejaVu Sans,11" background "white"
set output outbase.".svg"

plot \
    for [i=1:nseries] file(i) using ($1 + off(i)):2:4 with filledcurves lc rgb colour(i) notitle, \
    for [i=1:nseries] file(i) using ($1 + off(i)):3:2:4 with yerrorbars lc rgb colour(i) pt 0 notitle, \
    for [i=1:nseries] file(i) using ($1 + off(i)):3 with linespoints lc rgb colour(i) dt dashtype(i) pt pointtype(i) ps 0.8 lw 2 title word(series, i), \
    for [i=1:nseries] file(i) using ($1 + off(i)):5 with points lc rgb colour(i) pt pointtype(i) ps 1.5 notitle, \
    keyentry with linespoints lc "black" lw 2 pt 1 ps 0.8 title "p50: line with the series' mark", \
    keyentry with yerrorbars lc "black" pt 0 title "p10–p90: band and bar", \
    keyentry with points lc "black" pt 1 ps 1.5 title "p99: the series' mark alone, larger"

set terminal pngcairo size 1100,height enhanced font "DejaVu Sans,10" background "white"
set output outbase.".png"
replot
unset output
