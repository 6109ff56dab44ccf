# SPDX-License-Identifier: GPL-2.0
# Shared look of the benchmark plots; the caller sets 'data' and 'out'.
set terminal pngcairo size 860,460 font "sans,10" noenhanced
set datafile missing "-"
set grid ytics lc rgb "#dddddd"
set border 3
set xtics nomirror
set ytics nomirror
set key top right
set style fill solid 0.85 border -1
set style histogram errorbars gap 2 lw 1
set style data histograms
set bars 2
uldf_color = "#2b6cb0"
vfio_color = "#dd6b20"
uio_color = "#718096"
