# The strategy decision map: one cell per (targets, pages, state), coloured
# by the fastest strategy (by p50) and labelled with it, the runner-up and
# how much slower it is, and the call: solid cells are `decisive` (the two
# medians' 95 % CIs do not overlap), hatched ones are not (`within-noise`,
# `no-ci`, `only-one`).  decision.csv has the numbers.
#
# Run by `hvflush plot`, which passes with -e (besides the common ones):
#   datadir    directory with decision.dat (x y colour decisive "targets"
#              "pages state" "cell text"), tab-separated
#   outbase    output path without extension;  tclabel, runid as elsewhere
#   ndecision  number of cells (0: the plot says there is nothing to decide)

set title sprintf("Fastest strategy per cell (decision map)\n%s  (%s)", tclabel, runid) noenhanced
set datafile separator "\t"
f = datadir."/decision.dat"
nx = 1
ny = 1
if (ndecision > 0) {
    stats f using 1:2 nooutput
    nx = int(STATS_max_x)
    ny = int(STATS_max_y)
}
width = 300 + 190 * nx
height = 220 + 80 * ny
set xrange [0.5:nx + 0.5]
set yrange [0.5:ny + 0.5]
set xlabel "target vCPUs"
set ylabel "pages, target state"
set tics scale 0 font ",10"
unset key
unset colorbox
set style fill solid 0.55 border lc "gray40"

set terminal svg size width,height dynamic enhanced font "DejaVu Sans,10" background "white"
set output outbase.".svg"
if (ndecision > 0) {
    plot f using 1:($4 == 1 ? $2 : NaN):(0.48):(0.48):3 \
             with boxxyerror fs solid 0.55 lc variable, \
         f using 1:($4 == 1 ? NaN : $2):(0.48):(0.48):3 \
             with boxxyerror fs pattern 4 lc variable, \
         f using 1:2:7:xtic(5):ytic(6) with labels noenhanced font ",8"
} else {
    set label 1 "no cell has two usable strategies or any usable configuration" at graph 0.5, graph 0.5 center
    plot NaN
}
set terminal pngcairo size width,height enhanced font "DejaVu Sans,9" background "white"
set output outbase.".png"
replot
unset output
