# Shootdown latency against the number of target vCPUs, one colour per
# series (strategy/flush/pages/state): the median as a line, the p10-p90
# range as a shaded band with error bars, and the p99 as crosses.
#
# Run by `hvflush plot`, which passes with -e:
#   datadir   directory with series-1.dat ... (targets p10 p50 p90 p99, in ns)
#   outbase   output path without extension (.svg and .png are written)
#   tclabel   timing-class label, e.g. "TCG — emulated, not hardware"
#   runid     the run's id
#   nseries   number of series;  series: their titles, space-separated
#   logy      1 for a logarithmic latency axis;  maxtargets: largest target count

file(i) = sprintf("%s/series-%d.dat", datadir, i)
# Eight colours repeat; each further group of eight gets its own dash pattern.
dash(i) = (i - 1) / 8 % 5 + 1
# Series share x values, so each is shifted a little sideways to stay visible.
off(i) = nseries > 1 ? (i - (nseries + 1) / 2.0) * 0.5 / nseries : 0

set title sprintf("TLB shootdown latency by number of targets\n%s  (%s)", tclabel, runid) noenhanced
set xlabel "target vCPUs  (0 = local flush only; series shifted sideways for legibility)"
set ylabel "latency (ns)"
set grid
# The key goes below the plot in three columns, and the canvas grows with it,
# so that a sweep with many series keeps a full-width plot.
set key outside below center horizontal maxcols 3 noenhanced samplen 2
height = 520 + 16 * int((nseries + 3 + 2) / 3)
set xrange [-0.5:maxtargets + 0.5]
if (maxtargets <= 16) { set xtics 1 }
if (logy) { set logscale y; set format y "10^{%L}" } else { set yrange [0:*] }
set style fill transparent solid 0.15 noborder
set errorbars small

set terminal svg size 1100,height dynamic enhanced font "DejaVu Sans,11" background "white"
set output outbase.".svg"

plot \
    for [i=1:nseries] file(i) using ($1 + off(i)):2:4 with filledcurves lc i notitle, \
    for [i=1:nseries] file(i) using ($1 + off(i)):3:2:4 with yerrorbars lc i pt 7 ps 0.5 notitle, \
    for [i=1:nseries] file(i) using ($1 + off(i)):3 with lines lc i dt dash(i) lw 2 title word(series, i), \
    for [i=1:nseries] file(i) using ($1 + off(i)):5 with points lc i pt 2 ps 1 notitle, \
    keyentry with lines lc "black" lw 2 title "p50 (line)", \
    keyentry with yerrorbars lc "black" pt 7 ps 0.5 title "p10–p90 (band)", \
    keyentry with points lc "black" pt 2 title "p99 (×)"

set terminal pngcairo size 1100,height enhanced font "DejaVu Sans,10" background "white"
set output outbase.".png"
replot
unset output
