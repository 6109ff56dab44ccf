# SPDX-License-Identifier: GPL-2.0
# Open-to-ready and close times, uldf against vfio-pci.
load sprintf("%s/common.gp", system("dirname ".ARG0))
set output out."/open.png"
set title "Open to ready (open, map BAR0, one MSI, map 1 MiB), and close - lower is better"
set ylabel "milliseconds"
set yrange [0:*]
plot data."/open.dat" using 3:4:5:xtic(2) title "uldf" lc rgb uldf_color, \
	'' using 6:7:8 title "vfio-pci" lc rgb vfio_color
