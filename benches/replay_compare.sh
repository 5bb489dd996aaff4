#!/usr/bin/env bash
# hindsight beside its peers on a real recording: `hindsight print` against sysdig 0.29 with
# one filter, `hindsight replay` against Falco 0.44 with the upstream rules; plain and native
# input, 1 and 2 threads (plain input runs in parallel byte segments, native input from its
# chunk checkpoints); median wall time of RUNS runs and peak RSS of each; the outputs are
# checked equal (sysdig's lines, Falco's alerts), not assumed.
#
# Usage: sudo benches/replay_compare.sh [SECONDS] [RUNS]
#   SECONDS  how long benches/workload.sh runs under `hindsight record` (default 60; this
#            2-CPU machine records about 15 M events a minute of it)
#   RUNS     timed runs per row, the median is shown (default 3)
# Environment:
#   TRACE=path.scap.zst  replay an existing native recording instead of recording (no root)
#   KEEP=dir             keep the recording and its plain conversion in dir
#   HINDSIGHT=path       a prebuilt binary (default: cargo build --release)
#   HINDSIGHT_SHARED     the shared data directory (default ../shared beside the checkout)
set -euo pipefail

cd "$(dirname "$0")/.."
SECS=${1:-60}
RUNS=${2:-3}
SHARED=${HINDSIGHT_SHARED:-../shared}
FALCO=$(realpath "$SHARED/reference/falco44")
RULES=$(realpath "$SHARED/rules/upstream/falco_rules.yaml")
FILTER="evt.type in (open, openat) and evt.dir=< and fd.name startswith /etc"
FMT='%evt.num %evt.time %proc.name %evt.type %fd.name'

command -v sysdig >/dev/null || { echo "sysdig is not installed (apt-get install sysdig)" >&2; exit 1; }
[ -x "$FALCO/bin/falco-replay" ] || { echo "no Falco 0.44 bundle at $FALCO (set HINDSIGHT_SHARED)" >&2; exit 1; }
if [ -z "${HINDSIGHT:-}" ]; then
  cargo build --release --quiet --bin hindsight
  HINDSIGHT="${CARGO_TARGET_DIR:-target}/release/hindsight"
fi
HINDSIGHT=$(realpath "$HINDSIGHT")

WORK=${KEEP:-$(mktemp -d)}
mkdir -p "$WORK"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
RECORDED="$WORK/recorded.scap.zst"
PLAIN="$WORK/big.scap"
NATIVE="$WORK/big.scap.zst"

# 1. The recording: the project's recorder over the scripted workload, converted to plain
#    scap for the peers (sysdig and Falco read plain scap, not native), and back to native
#    with state checkpoints (`convert` writes them; the recorder does not yet), so its chunks
#    replay in parallel.
if [ -n "${TRACE:-}" ]; then
  cp "$TRACE" "$RECORDED"
elif [ ! -s "$RECORDED" ]; then
  [ "$(id -u)" = 0 ] || { echo "recording needs root (or set TRACE=existing.scap.zst)" >&2; exit 1; }
  echo "recording benches/workload.sh for ${SECS}s ..." >&2
  "$HINDSIGHT" record -o "$RECORDED" -- bash benches/workload.sh "$SECS" >&2
fi
[ -s "$PLAIN" ] || "$HINDSIGHT" convert "$RECORDED" "$PLAIN" >&2
[ -s "$NATIVE" ] || "$HINDSIGHT" convert "$PLAIN" "$NATIVE" >&2
EVENTS=$("$HINDSIGHT" info --json "$NATIVE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
echo "trace: $EVENTS events; plain $(du -h "$PLAIN" | cut -f1), native $(du -h "$NATIVE" | cut -f1)" >&2

# 2. Timing: median wall time and peak RSS of RUNS runs, stdout kept from the last run.
# measure NAME OUTFILE CMD...: prints "NAME median_s max_rss_mb" to $WORK/rows.
: >"$WORK/rows"
measure() {
  local name=$1 out=$2; shift 2
  local times=() rss=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >"$out" 2>/dev/null || true
    read -r t m <"$WORK/time"
    times+=("$t")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  echo "$name $med $((rss / 1024))" >>"$WORK/rows"
  echo "  $name: ${med}s, ${rss} KB peak" >&2
}

echo "print with one filter ..." >&2
measure sysdig "$WORK/sysdig.txt" sysdig -r "$PLAIN" -p "$FMT" "$FILTER"
for input in plain native; do
  trace=$PLAIN; [ $input = native ] && trace=$NATIVE
  for t in 1 2; do
    measure "print-$input-${t}t" "$WORK/print-$input-${t}t.txt" "$HINDSIGHT" print -j "$t" "$trace" -p "$FMT" "$FILTER"
  done
done

echo "replay of falco_rules.yaml ..." >&2
measure falco "$WORK/falco.json" "$FALCO/bin/falco-replay" "$PLAIN" "$RULES"
for input in plain native; do
  trace=$PLAIN; [ $input = native ] && trace=$NATIVE
  for t in 1 2; do
    measure "replay-$input-${t}t" "$WORK/replay-$input-${t}t.json" \
      "$HINDSIGHT" replay -q -j "$t" -r "$RULES" --format json "$trace"
  done
done

# 3. Checks: the same lines as sysdig, the same alerts as Falco (rule and time of each).
python3 - "$WORK" <<'PY'
import collections, json, sys
w = sys.argv[1]
def lines(name):
    return open(f"{w}/{name}", errors="replace").read().splitlines()
sysdig = lines("sysdig.txt")
for name in ("print-plain-1t.txt", "print-plain-2t.txt", "print-native-1t.txt", "print-native-2t.txt"):
    mine = lines(name)
    same = mine == sysdig
    print(f"check {name}: {len(mine)} lines, sysdig {len(sysdig)}: {'identical' if same else 'DIFFERENT'}")
    if not same:
        for a, b in zip(sysdig, mine):
            if a != b:
                print(f"  first difference: sysdig {a!r}\n                    hindsight {b!r}")
                break
def alerts(name):
    out = collections.Counter()
    for l in lines(name):
        if l.startswith("{"):
            a = json.loads(l)
            out[(a["rule"], a["time"])] += 1
    return out
falco = alerts("falco.json")
for name in ("replay-plain-1t.json", "replay-plain-2t.json", "replay-native-1t.json", "replay-native-2t.json"):
    mine = alerts(name)
    same = mine == falco
    print(f"check {name}: {sum(mine.values())} alerts, Falco {sum(falco.values())}: {'identical' if same else 'DIFFERENT'}")
    if not same:
        print(f"  only Falco: {list((falco - mine).items())[:3]}\n  only hindsight: {list((mine - falco).items())[:3]}")
PY

# 4. The table: each hindsight row beside its peer, ratio = peer time / hindsight time.
python3 - "$WORK/rows" "$EVENTS" <<'PY'
import sys
rows = {n: (float(t), int(m)) for n, t, m in (l.split() for l in open(sys.argv[1]))}
events = int(sys.argv[2])
print(f"\n| work | input | threads | time | peak RSS | events/s | peer | ratio |")
print("|---|---|---|---|---|---|---|---|")
def row(work, name, inp, threads, peer):
    t, m = rows[name]
    pt = rows[peer][0]
    print(f"| {work} | {inp} | {threads} | {t:.2f} s | {m} MB | {events / t / 1e6:.1f} M | {peer} {pt:.2f} s, {rows[peer][1]} MB | {pt / t:.2f}x |")
for inp in ("plain", "native"):
    for t in (1, 2):
        row("print, one filter", f"print-{inp}-{t}t", inp, t, "sysdig")
for inp in ("plain", "native"):
    for t in (1, 2):
        row("replay falco_rules.yaml", f"replay-{inp}-{t}t", inp, t, "falco")
PY
