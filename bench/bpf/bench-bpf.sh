#!/usr/bin/env bash
# ninja bench-bpf: the sync timer at 1 ms against the floor, on this kernel.
# Two runs of sync_timer_collect (one subscriber, 10 s): idle, then under
# `stress-ng --cpu 2`. In each, the floor runs at the same time: the bare
# reference timer of bench/bpf/floor.bpf.c (one absolute CPU-pinned
# bpf_timer per CPU, recording its own delay after the boundary), started
# together with the collector for the same duration, so both see the same
# noise from the (virtual) machine. Both timers expire at the same instant
# on each CPU; whichever runs second carries the other's callback (< 1 us).
# The floor's tracing programs, in the same window, separate the machine's
# loss from ours: a bare subscriber (tracepoint/timer/hrtimer_expire_exit
# counting only the floor's expiries) gives the delivery any tracing program
# gets, and hrtimer_expire_entry -> hrtimer_expire_exit times each expiry as
# the kernel runs it, credited to the floor's hrtimer or to the sync timer's
# (cost_vs_floor = sync timer ns/tick / floor ns/tick). The collector runs
# without --cost, so the timer callback does not time itself. The
# subscriber's cost comes from kernel.bpf_stats_enabled (run_time_ns /
# run_cnt); the sysctl is restored on every exit.
# Each run's per-boundary CSV and its plot (gnuplot; skipped with a note when
# it is not installed) go to $BENCH_BPF_OUT (default build/bench/):
# bpf-idle.csv, bpf-idle.png, bpf-stress.csv, bpf-stress.png.
# Last line (idle run; delivery is the worst CPU's, delay is measured in the
# subscriber, the floor and the bare subscriber are the idle run's, skew is
# the collector's p99 across CPUs):
#   sync timer: delivery=P% bare_sub_delivery=Q% delay_p99_us=D floor_p99_us=F cost_vs_floor=R skew_p99_us=S
set -euo pipefail

bin=${1:-build/bpf}
secs=${BENCH_BPF_SECONDS:-10}
out=${BENCH_BPF_OUT:-build/bench}
stats=/proc/sys/kernel/bpf_stats_enabled

if [ "$(id -u)" -ne 0 ]; then
  echo "bench-bpf: BPF needs root; run as root" >&2
  exit 1
fi
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing

saved=$(cat "$stats")
tmp=$(mktemp -d)
stress_pid=
floor_pid=
cleanup() {
  [ -z "$stress_pid" ] || kill "$stress_pid" 2>/dev/null || true
  [ -z "$floor_pid" ] || kill "$floor_pid" 2>/dev/null || true
  echo "$saved" > "$stats"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo 1 > "$stats"
mkdir -p "$out"
if command -v gnuplot > /dev/null; then
  plot=1
else
  plot=
  echo "bench-bpf: gnuplot is not installed: CSV only, no plots" >&2
fi

# field NAME FILE: the number after "NAME" in the collector's text report.
field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p" "$2" | head -n 1; }

# run NAME: sync_timer_collect and the floor side by side, for $secs seconds.
run() {
  "$bin/sync_timer_floor" "$secs" > "$tmp/floor-$1" &
  floor_pid=$!
  "$bin/sync_timer_collect" --duration "$secs" --subscribers 1 --csv "$out/bpf-$1.csv" \
    ${plot:+--plot "$out/bpf-$1.png"} 2>/dev/null > "$tmp/$1" || {
    wait "$floor_pid" || true
    floor_pid=
    echo "bench-bpf: sync_timer_collect failed (run it by hand to see why)" >&2
    exit 1
  }
  wait "$floor_pid"
  floor_pid=
  cat "$tmp/$1" "$tmp/floor-$1"
}

echo "== sync_timer_collect + floor: 1 ms, 1 subscriber, ${secs} s idle"
run idle

echo "== sync_timer_collect + floor: 1 ms, 1 subscriber, ${secs} s under stress-ng --cpu 2"
stress-ng --cpu 2 --timeout "$((secs + 3))s" --quiet &
stress_pid=$!
sleep 1
run stress
kill "$stress_pid" 2>/dev/null || true
wait "$stress_pid" 2>/dev/null || true
stress_pid=

# floor_p99 / floor_delivery RUN: the floor's worst CPU in that run.
floor_p99() { sed -n 's/^floor_p99_us=//p' "$tmp/floor-$1"; }
floor_delivery() { sed -n 's/^floor cpu.*boundaries (\([0-9.]*\)%).*/\1/p' "$tmp/floor-$1" | sort -n | head -n 1; }
# floor_kv KEY RUN: KEY=value from the floor's output.
floor_kv() { sed -n "s/.*\b$1=\([-0-9.]*\).*/\1/p" "$tmp/floor-$2" | head -n 1; }
skew_p99() { sed -n 's/^skew across CPUs per boundary: .* p99 \([0-9.]*\) us.*/\1/p' "$tmp/$1"; }

delivery=$(field "delivery" "$tmp/idle")
p99=$(field "delay p99" "$tmp/idle")
floor=$(floor_p99 idle)
bare=$(floor_kv bare_sub_delivery idle)
ratio=$(floor_kv cost_vs_floor idle)
skew=$(skew_p99 idle)
sub_ns=$(sed -n 's/.*subscriber [0-9.]* ns\/run, \([0-9.]*\) ns\/tick.*/\1/p' "$tmp/idle")
if [ -z "$delivery" ] || [ -z "$p99" ] || [ -z "$floor" ] || [ -z "$bare" ] || [ -z "$ratio" ] ||
   [ -z "$skew" ] || [ -z "$sub_ns" ]; then
  echo "bench-bpf: a run did not report its figures (see above)" >&2
  exit 1
fi
for r in idle stress; do
  printf '== %-6s per tick, hrtimer_expire_entry to exit: sync timer %s ns, floor %s ns (x%s); one subscriber %s ns (bpf_stats)\n' \
    "$r" "$(floor_kv sync_cost_ns "$r")" "$(floor_kv floor_cost_ns "$r")" "$(floor_kv cost_vs_floor "$r")" \
    "$(sed -n 's/.*subscriber [0-9.]* ns\/run, \([0-9.]*\) ns\/tick.*/\1/p' "$tmp/$r")"
done
for r in idle stress; do
  printf '== %-6s worst CPU: subscriber delivery %s%%, delay p99 %s us; timer itself %s%%; floor (same window) %s%%, delay p99 %s us; bare subscriber of the floor %s%%\n' \
    "$r" "$(field "delivery" "$tmp/$r")" "$(field "delay p99" "$tmp/$r")" "$(field "timer itself" "$tmp/$r")" \
    "$(floor_delivery "$r")" "$(floor_p99 "$r")" "$(floor_kv bare_sub_delivery "$r")"
  # "skew across CPUs per boundary: p50 A us, p99 B us, max C us (...)"
  printf '== %-6s skew across CPUs per boundary: %s\n' "$r" \
    "$(sed -n 's/^skew across CPUs per boundary: \([^(]*us\).*/\1/p' "$tmp/$r")"
done
echo "== per-boundary CSV: $out/bpf-idle.csv $out/bpf-stress.csv"
if [ -n "$plot" ]; then
  echo "== plots: $out/bpf-idle.png $out/bpf-stress.png"
fi
awk -v p="$delivery" -v d="$p99" -v f="$floor" 'BEGIN {
  printf "== goal: delivery >= 99.9%% (%s), delay p99 <= floor + 5 us (%.1f <= %.1f: %s)\n",
    (p >= 99.9) ? "met" : "not met", d, f + 5, (d <= f + 5) ? "met" : "not met" }'
echo "sync timer: delivery=${delivery}% bare_sub_delivery=${bare}% delay_p99_us=${p99} floor_p99_us=${floor} cost_vs_floor=${ratio} skew_p99_us=${skew}"
