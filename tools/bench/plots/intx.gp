# SPDX-License-Identifier: GPL-2.0
# INTx cycles per second: median over the runs, bars from the smallest to
# the largest run.
load sprintf("%s/common.gp", system("dirname ".ARG0))
set output out."/intx.png"
set title "INTx cycle rate (raise, wake, ack, EOI) - higher is better"
set ylabel "cycles per second"
set yrange [0:*]
set style fill solid 0.85 border -1
unset key
# Bars 0 and 1 are uldf's two ways of EOI, then vfio-pci, then UIO.
color(i) = i < 2 ? 0x2b6cb0 : (i == 2 ? 0xdd6b20 : 0x718096)
set xrange [-0.6:3.6]
plot data."/intx.dat" using 1:3:4:5:(0.3):(color($1)):xtic(2) with boxerrorbars \
	lc rgb variable notitle
