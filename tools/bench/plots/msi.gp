# SPDX-License-Identifier: GPL-2.0
# MSI wake latency p50 per way of waiting, uldf against vfio-pci.
load sprintf("%s/common.gp", system("dirname ".ARG0))
set output out."/msi.png"
set title "MSI wake latency, p50 (raise to interrupt in hand) - lower is better"
set ylabel "microseconds"
set yrange [0:*]
plot data."/msi.dat" using 3:4:5:xtic(2) title "uldf IRQ fd" lc rgb uldf_color, \
	'' using 6:7:8 title "vfio-pci eventfd" lc rgb vfio_color
