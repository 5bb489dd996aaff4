#!/bin/bash
# Recording overhead: a syscall-heavy workload (dd with 1-byte blocks: one read and one write
# per byte) timed alone and under `hindsight record -- ...`. Prints the time ratio, the event
# rate sustained, drops and bytes per event. Needs root. Usage: benches/record_overhead.sh [COUNT]
set -euo pipefail
COUNT=${1:-200000}
HS=${HINDSIGHT:-$(dirname "$0")/../target/release/hindsight}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
work() { dd if=/dev/zero of=/dev/null bs=1 count="$COUNT" status=none; }
now() { date +%s.%N; }
t0=$(now); work; t1=$(now)
"$HS" record -o "$OUT/b.scap.zst" -- dd if=/dev/zero of=/dev/null bs=1 count="$COUNT" status=none 2> "$OUT/summary"
t2=$(now)
base=$(echo "$t1 - $t0" | bc -l); rec=$(echo "$t2 - $t1" | bc -l)
cat "$OUT/summary"
events=$(sed -n 's/.*recorded \([0-9]*\) events.*/\1/p' "$OUT/summary")
raw=$(sed -n 's/.*: \([0-9]*\) bytes of events.*/\1/p' "$OUT/summary")
disk=$(sed -n 's/.*, \([0-9]*\) bytes on disk.*/\1/p' "$OUT/summary")
printf 'workload: %s syscalls (dd bs=1 count=%s)\n' "$((COUNT * 2))" "$COUNT"
printf 'time alone %.3fs, recorded %.3fs, ratio %.2fx\n' "$base" "$rec" "$(echo "$rec / $base" | bc -l)"
printf 'events %s, rate %.0f ev/s, %.1f raw bytes/event, %.2f bytes/event on disk\n' \
  "$events" "$(echo "$events / $rec" | bc -l)" "$(echo "$raw / $events" | bc -l)" "$(echo "$disk / $events" | bc -l)"
