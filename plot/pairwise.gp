# The pairwise latency heat map: one cell per ordered (initiator, target)
# vCPU pair of a sweep's pairs=all lines, coloured by the pair's p50 (one
# panel per variant: strategy, flush or input, pages, state); both axes in
# the host's topology order where the vCPUs are pinned (the title says
# which order).  Blank cells: no samples (the diagonal, unsupported or
# missing pairs).  The palette's lightness rises with latency, so the map
# reads in black and white too.  pairwise.csv has the numbers.
#
# Run by `hvflush plot`, which passes with -e (a run without pairs gets a
# figure that says so, pw_nvariants = 0):
#   datadir   directory with pairwise.vars (pw_nvariants, pw_ncpus, pw_unit,
#             pw_order, pw_titles, pw_cells: cells with samples per variant,
#             pw_logcb: 1 for a logarithmic colour scale (medians over 30x apart),
#             pw_ticks: one "vN@PUn" per axis position)
#             and pairwise-1.dat ... (target position, initiator position, p50)
#   outbase   output path without extension;  tclabel, runid as elsewhere

load datadir."/pairwise.vars"
if (pw_nvariants == 0) {
    # A run without pairs=all lines: the figure says so.
    set title sprintf("Pairwise flush latency p50, initiator x target\n%s  (%s)", tclabel, runid) noenhanced
    set label 1 "no pairs=all configurations in this run (bench/sweeps/README.md, pairs)" at graph 0.5, graph 0.5 center noenhanced
    unset key
    unset tics
    set xrange [0:1]
    set yrange [0:1]
    set terminal svg size 700,300 dynamic enhanced font "DejaVu Sans,10" background "white"
    set output outbase.".svg"
    plot NaN
    set terminal pngcairo size 700,300 enhanced font "DejaVu Sans,9" background "white"
    set output outbase.".png"
    replot
    unset output
    exit
}
file(i) = sprintf("%s/pairwise-%d.dat", datadir, i)
cols = pw_nvariants < 2 ? 1 : 2
rows = int((pw_nvariants + cols - 1) / cols)
cell = pw_ncpus <= 8 ? 60 : (pw_ncpus <= 32 ? 480 / pw_ncpus : 15)
panel = 260 + cell * pw_ncpus
width = cols * (panel + 60)
height = 60 + rows * (panel - 40)
tickstep = int((pw_ncpus + 31) / 32)

set xrange [-0.5:pw_ncpus - 0.5]
set yrange [pw_ncpus - 0.5:-0.5]
set size ratio -1
set xlabel "target vCPU" offset 0,-2
set ylabel "initiator vCPU" offset -3,0
set lmargin 14
set rmargin 12
set bmargin 7
set cblabel sprintf("p50 (%s)", pw_unit)
set xtics () rotate by 60 right font ",8" scale 0 noenhanced
set ytics () font ",8" scale 0 noenhanced
do for [p=0:pw_ncpus-1:tickstep] {
    set xtics add (word(pw_ticks, p + 1) p)
    set ytics add (word(pw_ticks, p + 1) p)
}
unset key
set palette defined (0 "#30123b", 1 "#3b528b", 2 "#21918c", 3 "#5ec962", 4 "#fde725")
set style fill solid 1.0 noborder
set grid front noxtics noytics
set style textbox opaque noborder
if (pw_logcb) { set logscale cb; set format cb "10^{%L}" }

do for [out=1:2] {
    if (out == 1) {
        set terminal svg size width,height dynamic enhanced font "DejaVu Sans,10" background "white"
        set output outbase.".svg"
    } else {
        set terminal pngcairo size width,height enhanced font "DejaVu Sans,9" background "white"
        set output outbase.".png"
    }
    set multiplot layout rows,cols title sprintf("Pairwise flush latency p50, initiator x target (blank: no samples)\n%s\n%s  (%s)", pw_order, tclabel, runid) noenhanced
    do for [i=1:pw_nvariants] {
        set title word(pw_titles, i) noenhanced
        unset label 1
        if (word(pw_cells, i) + 0 == 0) {
            set label 1 "no pair of this variant has samples" at graph 0.5, graph 0.5 center
            set cbrange [1:10]
            unset colorbox
        } else {
            set cbrange [*:*]
            set colorbox
        }
        if (pw_ncpus <= 8) {
            plot file(i) using 1:2:(0.5):(0.5):3 with boxxyerror lc palette, \
                 file(i) using 1:2:(sprintf("%.0f", $3)) with labels boxed font ",8"
        } else {
            plot file(i) using 1:2:(0.5):(0.5):3 with boxxyerror lc palette
        }
    }
    unset multiplot
}
unset output
