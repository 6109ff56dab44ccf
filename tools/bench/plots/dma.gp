# SPDX-License-Identifier: GPL-2.0
# DMA map+unmap cost per 4 KiB page, uldf against vfio-pci, log scale.
load sprintf("%s/common.gp", system("dirname ".ARG0))
set output out."/dma.png"
set title "DMA map + unmap, per 4 KiB page - lower is better"
set ylabel "nanoseconds per 4 KiB page (log scale)"
set logscale y
set yrange [*:*]
plot data."/dma.dat" using 3:4:5:xtic(2) title "uldf" lc rgb uldf_color, \
	'' using 6:7:8 title "vfio-pci" lc rgb vfio_color
