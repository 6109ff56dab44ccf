# SPDX-License-Identifier: GPL-2.0
# MSI wake latency distribution: percentiles 1 to 99 (medians over runs).
load sprintf("%s/common.gp", system("dirname ".ARG0))
set output out."/msi-cdf.png"
set title "MSI wake latency distribution"
set xlabel "microseconds (log scale)"
set ylabel "percentile"
set logscale x
set yrange [0:100]
set key bottom right
set style data lines
plot data."/msi-cdf.dat" using 2:1 title "uldf read()" lw 2 lc rgb uldf_color, \
	'' using 3:1 title "vfio-pci read()" lw 2 lc rgb vfio_color, \
	'' using 4:1 title "uldf epoll" lw 2 dt 2 lc rgb uldf_color, \
	'' using 5:1 title "vfio-pci epoll" lw 2 dt 2 lc rgb vfio_color, \
	'' using 6:1 title "uldf io_uring" lw 2 dt 3 lc rgb uldf_color, \
	'' using 7:1 title "vfio-pci io_uring" lw 2 dt 3 lc rgb vfio_color
