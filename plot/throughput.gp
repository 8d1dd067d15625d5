# Flush throughput against the number of concurrent initiators: the
# aggregate flushes per second of every initiator together, one series per
# configuration without its initiator count (throughput.csv), each with its
# own colour, dash type and point type (plot/series-style.gpi).  A run
# without throughput configurations gets a figure that says so.
#
# Run by `hvflush plot`, which passes with -e (besides the common ones):
#   datadir   directory with tp-1.dat ... (initiators aggregate_per_s
#             mean_per_initiator_per_s)
#   ntp       number of series;  tptitles: their titles, space-separated
#   outbase, tclabel, runid as elsewhere

load ARG0[1:strstrt(ARG0, "throughput.gp") - 1]."series-style.gpi"
file(i) = sprintf("%s/tp-%d.dat", datadir, i)

set title sprintf("Flush throughput against concurrent initiators\n%s  (%s)", tclabel, runid) noenhanced
set xlabel "concurrent initiators"
set ylabel "aggregate flushes per second"
set grid
set key outside below center horizontal maxcols 2 noenhanced samplen 3
height = 480 + 16 * int((ntp + 1) / 2)
set xtics 1
set yrange [0:*]

set terminal svg size 1000,height dynamic enhanced font "DejaVu Sans,11" background "white"
set output outbase.".svg"
if (ntp > 0) {
    set offsets 0.3, 0.3, 0, 0
    plot for [i=1:ntp] file(i) using 1:2 with linespoints lc rgb colour(i) dt dashtype(i) \
         pt pointtype(i) ps 1.2 lw 2 title word(tptitles, i)
} else {
    set label 1 "no throughput configurations (initiators=) in this run" at graph 0.5, graph 0.5 center
    set xrange [0:1]
    set yrange [0:1]
    plot NaN notitle
}
set terminal pngcairo size 1000,height enhanced font "DejaVu Sans,10" background "white"
set output outbase.".png"
replot
unset output
