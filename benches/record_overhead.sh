#!/bin/bash
# Recording overhead, side by side: three loops (syscall-heavy, file-heavy, process-heavy),
# each timed alone, under `hindsight record` of the whole host, and under Falco's modern eBPF
# probe, as the median of RUNS runs, with the ratios recorded/alone and hindsight's event rate
# and drops. Needs root. See benches/README.md.
#
# Usage: benches/record_overhead.sh [RUNS]
#   HINDSIGHT=path   hindsight binary (default: target/release/hindsight)
#   FALCO_DIR=path   Falco bundle with bin/falco-modern-bpf (default: ../shared/reference/falco
#                    beside the checkout, or $HINDSIGHT_SHARED/reference/falco); NO_FALCO=1 skips
#   FALCO_NOOP_PROGS=names  Falco probe programs loaded as no-ops by scripts/falco_noop_prog.c
#                    (default signal_deliver, which the 6.18 verifier refuses; empty: none)
#   DD_COUNT=N       bytes copied by the syscall-heavy loop (default 1000000: 2 syscalls each)
#   EXECS=N          execs of /bin/true in the process-heavy loop (default 2000)
#   RECORD_ARGS=...  extra arguments of `hindsight record` (e.g. "--buffer-size 64M")
set -euo pipefail
RUNS=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
HS=${HINDSIGHT:-$here/../target/release/hindsight}
SHARED=${HINDSIGHT_SHARED:-$here/../../shared}
FALCO_DIR=${FALCO_DIR:-$SHARED/reference/falco}
DD_COUNT=${DD_COUNT:-1000000}
EXECS=${EXECS:-2000}
OUT=$(mktemp -d)
BG=
cleanup() {
  if [ -n "$BG" ]; then kill -INT "$BG" 2> /dev/null || true; wait "$BG" 2> /dev/null || true; fi
  rm -rf "$OUT"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "record_overhead.sh: needs root (the probes load eBPF programs)" >&2; exit 2; }
[ -x "$HS" ] || { echo "record_overhead.sh: no hindsight binary at $HS (cargo build --release, or set HINDSIGHT)" >&2; exit 2; }

loop_syscall() { dd if=/dev/zero of=/dev/null bs=1 count="$DD_COUNT" status=none; }
loop_file() { find /usr -xdev -type f -print0 | xargs -0 stat -c %s > /dev/null; }
loop_process() { local i; for ((i = 0; i < EXECS; i++)); do /bin/true; done; }
LOOPS=(syscall file process)
describe() {
  case $1 in
    syscall) echo "dd bs=1 count=$DD_COUNT" ;;
    file) echo "find /usr -xdev + stat" ;;
    process) echo "$EXECS x /bin/true" ;;
  esac
}

# Wall time of one loop in seconds.
# Wall time and CPU time (user + system, the loop's processes) of one loop in seconds, as
# "WALL,CPU". The CPU time counts what the probe costs in the loop's own syscalls and moves less
# than the wall time when other work shares the CPUs.
timed() {
  local TIMEFORMAT='%R %U %S' r u s
  read -r r u s < <({ time "loop_$1"; } 2>&1)
  echo "$r,$(echo "$u + $s" | bc -l)"
}
# The wall (field 1) or CPU (field 2) times of "WALL,CPU" items.
field() {
  local f=$1 x
  shift
  for x in "$@"; do echo "${x//,/ }" | cut -d' ' -f"$f"; done
}
# Syscall tracers attached now (any recorder's sys_exit program, which an exit-only recording
# has without a sys_enter one, or Falco's sys_enter program; ours included): on a shared machine
# another one, e.g. a test recording, slows every syscall of the loop too.
tracers() { bpftool prog show 2> /dev/null | grep -cE 'name (hs_sys_exit|sys_enter) ' || true; }
# Waits (at most 5 minutes) until no syscall tracer is attached.
quiet() {
  local i
  for ((i = 0; i < 300; i++)); do
    [ "$(tracers)" = 0 ] && return 0
    [ "$i" = 0 ] && echo "record_overhead.sh: waiting for another syscall tracer to go away" >&2
    sleep 1
  done
  echo "record_overhead.sh: another syscall tracer stays attached; timing anyway" >&2
}
# Times loop $1 with $2 tracers of ours attached, again while another tracer joined during it.
timed_clean() {
  local t n
  for ((n = 0; n < 5; n++)); do
    t=$(timed "$1")
    [ "$(tracers)" -le "$2" ] && break
    echo "record_overhead.sh: another syscall tracer ran during the $1 loop; timing it again" >&2
  done
  echo "$t"
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Starts a tracer in the background ($BG) and waits until it is ready.
start_hindsight() {
  quiet
  # shellcheck disable=SC2086
  "$HS" record -o "$OUT/h.scap.zst" ${RECORD_ARGS:-} 2> "$OUT/summary" &
  BG=$!
  sleep 3 # probe load, /proc snapshot
}
stop_hindsight() {
  kill -INT "$BG"; wait "$BG" || true; BG=
}
# Falco 0.40 loads its whole probe at once: one program refused by this kernel's verifier
# stops it. The shim loads the programs named in FALCO_NOOP_PROGS as no-ops instead.
FALCO_NOOP_PROGS=${FALCO_NOOP_PROGS-signal_deliver}
FALCO_PRELOAD=
if [ -n "$FALCO_NOOP_PROGS" ]; then
  if cc -shared -fPIC -O2 -o "$OUT/falco_noop_prog.so" "$here/../scripts/falco_noop_prog.c" -ldl 2> "$OUT/cc.log"; then
    FALCO_PRELOAD=$OUT/falco_noop_prog.so
  else
    echo "record_overhead.sh: could not build scripts/falco_noop_prog.c ($(head -1 "$OUT/cc.log")); Falco's probe runs unchanged" >&2
  fi
fi
# With -A, Falco 0.40 captures the syscalls its rules name plus its state set
# (configure_interesting_sets.cpp: rules + sinsp_state_sc_set), not read or write: on the dd
# loop it records nothing. The "falco all" columns add every syscall event it knows
# (--list-events) as base_syscalls.custom_set, which is what hindsight records.
falco_all_syscalls() {
  "$FALCO_DIR/bin/falco" -c "$FALCO_DIR/falco.yaml" -o engine.replay.capture_file=none --list-events 2> /dev/null |
    sed -n '/^## Syscall events/,/^## [A-Z]/p' | sed -n 's/^< \([a-z0-9_]*\)(.*/\1/p' | sort -u | paste -sd, -
}
# Starts Falco's modern probe; $1 = all: capturing every syscall.
start_falco() {
  local extra=()
  [ "${1:-}" = all ] && extra=(-o "base_syscalls={custom_set: [$FALCO_ALL], repair: false}")
  quiet
  LD_PRELOAD=$FALCO_PRELOAD HINDSIGHT_FALCO_NOOP_PROGS=$FALCO_NOOP_PROGS "$FALCO_DIR/bin/falco-modern-bpf" -c "$FALCO_DIR/falco.yaml" -r "$FALCO_DIR/rules/falco_rules.yaml" \
    -o engine.kind=modern_ebpf -A -o libs_logger.enabled=true -o libs_logger.severity=warning "${extra[@]}" \
    > "$OUT/falco.out" 2> "$OUT/falco.log" &
  BG=$!
  local i
  for ((i = 0; i < 100; i++)); do
    grep -q "Opening 'syscall' source" "$OUT/falco.log" 2> /dev/null && break
    sleep 0.1
  done
  sleep 4 # loading and attaching the programs, initial /proc scan
  if ! kill -0 "$BG" 2> /dev/null; then
    wait "$BG" || true; BG=
    return 1
  fi
}
stop_falco() {
  kill -INT "$BG"; wait "$BG" || true; BG=
}

falco=yes
if [ -n "${NO_FALCO:-}" ]; then
  falco="skipped (NO_FALCO)"
elif [ ! -x "$FALCO_DIR/bin/falco-modern-bpf" ]; then
  falco="not found at $FALCO_DIR/bin/falco-modern-bpf"
elif ! start_falco; then
  why=$({ grep -m1 "prog '.*': failed to load" "$OUT/falco.log"; grep -m1 "libpman: failed" "$OUT/falco.log"; } |
    sed 's/^.*\[libs\]: //' | paste -sd ';')
  [ -n "$why" ] || why=$(grep -m1 -i error "$OUT/falco.log" || true)
  falco="its probe did not start: $why"
else
  stop_falco
  FALCO_ALL=$(falco_all_syscalls)
fi

echo "hindsight: $HS"
echo "falco: $([ "$falco" = yes ] && echo "$FALCO_DIR/bin/falco-modern-bpf -o engine.kind=modern_ebpf -A, bundled rules${FALCO_PRELOAD:+, programs loaded as no-ops: $FALCO_NOOP_PROGS}" || echo "$falco")"
[ "$falco" = yes ] && echo "falco all: the same plus -o base_syscalls={custom_set: [the $(echo "$FALCO_ALL" | tr , '\n' | wc -l) syscall events of --list-events]}"
echo "median of $RUNS runs; wall times in seconds; machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ratios: traced / alone, of the wall time and (after the slash) of the loop's CPU time"
printf '%-8s %-26s %8s %8s %11s %11s %11s %10s %8s\n' loop workload "alone s" "cpu s" hindsight falco "falco all" "hs ev/s" "hs drops"
for loop in "${LOOPS[@]}"; do
  alone=() hs=() fa=() faa=() rates=() drops=()
  for ((r = 0; r < RUNS; r++)); do
    quiet
    alone+=("$(timed_clean "$loop" 0)")
    start_hindsight
    hs+=("$(timed_clean "$loop" 1)")
    stop_hindsight
    rates+=("$(sed -n 's/.*(\([0-9]*\) ev\/s).*/\1/p' "$OUT/summary")")
    drops+=("$(sed -n 's/.* ev\/s), \([0-9]*\) dropped.*/\1/p' "$OUT/summary")")
    if [ "$falco" = yes ]; then
      if start_falco; then
        fa+=("$(timed_clean "$loop" 1)")
        stop_falco
      fi
      if start_falco all; then
        faa+=("$(timed_clean "$loop" 1)")
        stop_falco
      fi
    fi
  done
  # shellcheck disable=SC2046
  a=$(median $(field 1 "${alone[@]}"))
  # shellcheck disable=SC2046
  ac=$(median $(field 2 "${alone[@]}"))
  # "WALL/CPU" ratios of a column's runs to the loop alone, or n/a without runs.
  col() {
    [ $# -gt 0 ] || { echo n/a; return; }
    # shellcheck disable=SC2046
    printf '%.2f/%.2f' "$(echo "$(median $(field 1 "$@")) / $a" | bc -l)" \
      "$(echo "$(median $(field 2 "$@")) / $ac" | bc -l)"
  }
  printf '%-8s %-26s %8.3f %8.3f %11s %11s %11s %10s %8s\n' "$loop" "$(describe "$loop")" "$a" "$ac" \
    "$(col "${hs[@]}")" "$(col "${fa[@]}")" "$(col "${faa[@]}")" "$(median "${rates[@]}")" "$(median "${drops[@]}")"
done
echo "hs ev/s: events recorded over the whole recording (host-wide, from start to SIGINT) per second;"
echo "hs drops: events the probe lost (median over runs). Last summary:"
cat "$OUT/summary"
