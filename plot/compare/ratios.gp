# Ratio of a metric per configuration against the baseline run, one series
# per compared run: the ratio as a point with its 95 % bootstrap interval as
# an error bar, the threshold band around 1 shaded and edged, and the 1.0
# line.  Series differ by point type, dash type and colour (no colour
# repeats up to eight runs), so they read in black and white too.
#
# Run by `hvflush compare` (it lies outside plot/*.gp, which `hvflush plot`
# runs for one run), which passes with -e:
#   datafile   compare-plot.dat: block 0 the configurations (x, label), then
#              one block per run (x ratio lo hi; lo = hi = ratio: no interval)
#   outbase    output path without extension (.svg and .png are written)
#   tclabel    the runs' timing classes ("emulated vs nested-emulated")
#   metric     "p50", "p99" or "throughput";  baseline: the baseline run
#   nseries    number of runs compared;  series: their names, space-separated
#   nconfigs   number of configurations on the x axis
#   threshold  the threshold as a fraction (0.05);  logy: 1 for a log axis

colour(i) = word("#1b9e77 #d95f02 #7570b3 #e7298a #66a61e #a6761d #e6ab02 #000000", (i - 1) % 8 + 1)
ptype(i) = word("7 5 9 11 13 4 6 8", (i - 1) % 8 + 1) + 0
dtype(i) = (i - 1) % 5 + 1
off(i) = nseries > 1 ? (i - (nseries + 1) / 2.0) * 0.5 / nseries : 0
better = metric eq "throughput" ? "above 1 = faster" : "above 1 = slower"

set title sprintf("%s: run / baseline %s per configuration, 95 %% bootstrap intervals (%s)\ntiming class: %s", \
    metric, baseline, better, tclabel) noenhanced
set ylabel sprintf("ratio of %s (run / baseline)", metric) noenhanced
set xrange [-0.7:nconfigs - 0.3]
set xtics rotate by -60 left noenhanced font ",8" nomirror
set grid ytics
set key outside below center horizontal maxcols 3 noenhanced samplen 3
if (logy) { set logscale y }
set errorbars small
lo = 1 - threshold
hi = 1 + threshold
set object 1 rectangle from graph 0, first lo to graph 1, first hi fillstyle solid 0.12 noborder fillcolor "gray50" behind
width = 800 > 360 + 18 * nconfigs ? 800 : 360 + 18 * nconfigs
height = 640 + 16 * int((nseries + 2 + 2) / 3)

set terminal svg size width,height dynamic enhanced font "DejaVu Sans,11" background "white"
set output outbase.".svg"

plot \
    datafile index 0 using 1:(NaN):xtic(2) notitle, \
    1 with lines lc "black" dt 1 lw 1.5 title "1.0 (no change)", \
    lo with lines lc "gray40" dt 3 lw 1 title sprintf("threshold 1 ± %.3g (shaded)", threshold), \
    hi with lines lc "gray40" dt 3 lw 1 notitle, \
    for [i=1:nseries] datafile index i using ($1 + off(i)):2:3:4 with yerrorbars \
        lc rgb colour(i) pt ptype(i) ps 0.9 dt dtype(i) lw 1.5 title word(series, i)

set terminal pngcairo size width,height enhanced font "DejaVu Sans,10" background "white"
set output outbase.".png"
replot
unset output
