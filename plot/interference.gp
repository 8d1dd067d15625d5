# What a flush costs a target that works (state=work, interference.csv):
# per configuration and target CPU, the cycles lost per flush received and
# the cycles the first pass over the working set takes to refill the TLB.
# The two measures are two bar series with their own colour and fill
# pattern (solid and hatched), so they differ in black and white too.  A
# run without state=work configurations gets a figure that says so.
#
# Run by `hvflush plot`, which passes with -e (besides the common ones):
#   datadir   directory with interference.dat (index "label cpu N"
#             cycles_lost_per_flush refill_cycles)
#   ninterf   its row count;  outbase, tclabel, runid as elsewhere

load ARG0[1:strstrt(ARG0, "interference.gp") - 1]."series-style.gpi"
f = datadir."/interference.dat"

set title sprintf("Cost of a flush to a working target\n%s  (%s)", tclabel, runid) noenhanced
set ylabel "cycles"
set grid ytics
set key outside below center horizontal noenhanced
width = 500 + 120 * ninterf
set boxwidth 0.35
set xtics rotate by -25 noenhanced font ",9"
set xrange [-0.6:(ninterf > 0 ? ninterf - 0.4 : 1)]

set terminal svg size width,560 dynamic enhanced font "DejaVu Sans,11" background "white"
set output outbase.".svg"
if (ninterf > 0) {
    plot f using ($1 - 0.18):3:xtic(2) with boxes fs solid 0.7 border lc rgb "black" \
             lc rgb colour(1) title "cycles lost per flush received", \
         f using ($1 + 0.18):4 with boxes fs pattern 2 border lc rgb "black" \
             lc rgb colour(2) title "TLB refill cycles after a flush"
} else {
    set label 1 "no state=work configurations in this run" at graph 0.5, graph 0.5 center
    set yrange [0:1]
    plot NaN notitle
}
set terminal pngcairo size width,560 enhanced font "DejaVu Sans,10" background "white"
set output outbase.".png"
replot
unset output
