#!/usr/bin/env bash
# Throughput of `hindsight print` and `hindsight replay` against `sysdig -r` on the same large
# trace with the same filter.  Prints a table of wall times and the sysdig/hindsight ratios.
#
# Usage: benches/sysdig_compare.sh [ROUNDS] [FILTER]
#   ROUNDS  how many times the source capture's events are repeated in the big trace
#           (default 500: about 28 MB and 1.9 million events)
#   FILTER  the filter given to both tools (default: opens of files below /etc)
#
# The big trace is one section: the header blocks of a real capture (machine, processes, fds,
# users) once, then its event blocks repeated ROUNDS times, each round shifted later in time.
# (Concatenating whole files also gives a valid trace, but sysdig 0.29 slows down more and more
# at each section restart, which would flatter hindsight.)  Set HINDSIGHT_SHARED to the shared
# data directory if it is not ../shared beside the checkout, HINDSIGHT to use a prebuilt binary,
# KEEP_TRACE=path to keep the generated trace.
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=${1:-500}
FILTER=${2:-"evt.type in (open, openat) and evt.dir=< and fd.name startswith /etc"}
SHARED=${HINDSIGHT_SHARED:-../shared}
CAPS=("$SHARED/captures/falco/psp_run_as_user_0_container.scap")
RULES_DIR="$SHARED/rules/upstream"

command -v sysdig >/dev/null || { echo "sysdig is not installed (apt-get install sysdig)" >&2; exit 1; }
for c in "${CAPS[@]}"; do
  [ -r "$c" ] || { echo "missing capture $c (set HINDSIGHT_SHARED)" >&2; exit 1; }
done

if [ -z "${HINDSIGHT:-}" ]; then
  cargo build --release --quiet --bin hindsight
  HINDSIGHT="${CARGO_TARGET_DIR:-target}/release/hindsight"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BIG="$WORK/big.scap"
python3 - "${CAPS[0]}" "$BIG" "$ROUNDS" <<'PY'
# Repeat the event blocks of a plain scap file (block framing: SCAP_FORMAT.md section 2).
import gzip, struct, sys
src, dst, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, "rb").read()
if data[:2] == b"\x1f\x8b":
    data = gzip.decompress(data)
EVENT_BLOCKS = {0x204, 0x216, 0x221, 0x208, 0x217, 0x222}
header, events, off = [], [], 0
while off + 8 <= len(data):
    btype, blen = struct.unpack_from("<II", data, off)
    if blen < 12 or off + blen > len(data):
        sys.exit(f"{src}: bad block length {blen} at byte {off}")
    (events if btype in EVENT_BLOCKS else header).append(data[off:off + blen])
    off += blen
first = last = None
for b in events:
    ts = struct.unpack_from("<Q", b, 10 if struct.unpack_from("<I", b)[0] in (0x204, 0x216, 0x221) else 14)[0]
    first = ts if first is None else min(first, ts)
    last = ts if last is None else max(last, ts)
span = last - first + 1_000_000
with open(dst, "wb") as out:
    out.write(b"".join(header))
    for r in range(rounds):
        shift = r * span
        for b in events:
            b = bytearray(b)
            at = 10 if struct.unpack_from("<I", b)[0] in (0x204, 0x216, 0x221) else 14
            struct.pack_into("<Q", b, at, struct.unpack_from("<Q", b, at)[0] + shift)
            out.write(b)
PY
if [ -n "${KEEP_TRACE:-}" ]; then cp "$BIG" "$KEEP_TRACE"; fi
EVENTS=$(sysdig -r "$BIG" -p '%evt.num' 2>/dev/null | wc -l)

# Wall time of a command in seconds (best of 3), its output discarded.
wall() {
  local best="" t
  for _ in 1 2 3; do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    t=$(awk -v a="$end" -v b="$start" 'BEGIN { print a - b }')
    if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
  done
  awk -v b="$best" 'BEGIN { printf "%.3f", b }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
per_sec() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }

echo "trace: $(du -h "$BIG" | cut -f1), $EVENTS events ($ROUNDS rounds of the events of $(basename "${CAPS[0]}"))"
echo "filter: $FILTER"
echo "cores: $(nproc)"
echo

# Both tools print the same fields so that formatting costs the same.
FMT='%evt.num %evt.time %proc.name %evt.type %fd.name'
T_SYSDIG=$(wall sysdig -r "$BIG" -p "$FMT" "$FILTER")
T_PRINT=$(wall "$HINDSIGHT" print "$BIG" "$FILTER" -p "$FMT")
T_REPLAY_DEF=$(wall "$HINDSIGHT" replay "$BIG")
T_REPLAY_UP=$(wall "$HINDSIGHT" replay "$BIG" -r "$RULES_DIR/falco_rules.yaml")
# The same trace converted once (not timed) to hindsight's native format, whose checkpointed
# chunks replay in parallel on every core.
"$HINDSIGHT" convert "$BIG" "$WORK/big.scap.zst" >/dev/null 2>&1
T_REPLAY_NATIVE=$(wall "$HINDSIGHT" replay "$WORK/big.scap.zst" -r "$RULES_DIR/falco_rules.yaml")

printf '%-55s %9s %12s\n' "command" "wall (s)" "vs sysdig"
printf '%-55s %9s %12s\n' "sysdig -r BIG -p FMT FILTER" "$T_SYSDIG" "1.00"
printf '%-55s %9s %12s\n' "hindsight print BIG FILTER -p FMT" "$T_PRINT" "$(ratio "$T_SYSDIG" "$T_PRINT")x"
printf '%-55s %9s %12s\n' "hindsight replay BIG (default rules)" "$T_REPLAY_DEF" "$(ratio "$T_SYSDIG" "$T_REPLAY_DEF")x"
printf '%-55s %9s %12s\n' "hindsight replay BIG -r falco_rules.yaml" "$T_REPLAY_UP" "$(ratio "$T_SYSDIG" "$T_REPLAY_UP")x"
printf '%-55s %9s %12s\n' "hindsight replay BIG.scap.zst -r falco_rules.yaml" "$T_REPLAY_NATIVE" "$(ratio "$T_SYSDIG" "$T_REPLAY_NATIVE")x"
echo
echo "events/s: sysdig $(per_sec "$EVENTS" "$T_SYSDIG"), hindsight print $(per_sec "$EVENTS" "$T_PRINT")," \
  "hindsight replay (falco_rules) $(per_sec "$EVENTS" "$T_REPLAY_UP")"
echo "(a ratio above 1 means hindsight is faster than sysdig)"
