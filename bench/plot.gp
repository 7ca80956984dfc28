# Plots the medians written by the driver: call with -e "dir='bench/results'".
set terminal pngcairo size 1400,900 font ",10" noenhanced
set output dir."/plot.png"
set datafile missing "nan"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set grid ytics
set xtics rotate by -30 scale 0
# Fixed colours so a runtime keeps its colour even when a column is empty.
colour(c) = c == 2 ? "#d62728" : c == 3 ? "#2ca02c" : "#1f77b4"
set multiplot layout 2,2 title "hull vs crun vs runc (medians; lower is better except throughput)"

set title "latency per command (ms, log scale)"
set logscale y
plot for [c=2:4] dir."/plot_latency.dat" using c:xtic(1) title columnheader(c) lc rgb colour(c)
unset logscale y

set yrange [0:*]
set title "memory (KiB): runtime peak RSS, container cgroup charge"
plot for [c=2:4] dir."/plot_memory.dat" using c:xtic(1) title columnheader(c) lc rgb colour(c)

set yrange [0:*]
set title "parallel lifecycles: throughput (containers/s, higher is better)"
plot for [c=2:4] dir."/plot_parallel.dat" using c:xtic(1) title columnheader(c) lc rgb colour(c)

set title "CPU time per command (ms, user+sys of the runtime; robust to machine load)"
set logscale y
set yrange [*:*]
plot for [c=2:4] dir."/plot_cpu.dat" using c:xtic(1) title columnheader(c) lc rgb colour(c)
unset logscale y

unset multiplot
