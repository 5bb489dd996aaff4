#!/usr/bin/env bash
# A scripted mixed workload for recordings that look like a busy host: file walks, archive
# reads, short execs, loopback HTTP, and a few things the upstream Falco rules watch for
# (sensitive reads, a shell spawning children). Runs for SECONDS (default 20) and exits.
#
# Usage: benches/workload.sh [SECONDS]
# `benches/replay_compare.sh` records it with `hindsight record -- benches/workload.sh N`.
set -u
SECS=${1:-20}
END=$((SECONDS + SECS))
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT

# Loopback HTTP: a server and a client loop (python3 is on every machine that builds us).
PORT=$((20000 + RANDOM % 20000))
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory /usr/share >/dev/null 2>&1 &
sleep 0.5

# File walks and stats over /usr.
( while [ $SECONDS -lt $END ]; do find /usr/share -xdev -type f 2>/dev/null | head -3000 | xargs -r stat >/dev/null 2>&1; done ) &
# Archive reads: tar of a documentation tree to nowhere.
( while [ $SECONDS -lt $END ]; do tar -cf - /usr/share/doc 2>/dev/null | cat >/dev/null; done ) &
# Short execs.
( while [ $SECONDS -lt $END ]; do for _ in $(seq 50); do /bin/true; done; done ) &
# HTTP clients.
( while [ $SECONDS -lt $END ]; do
    python3 - "$PORT" <<'PY' >/dev/null 2>&1
import sys, urllib.request
for _ in range(40):
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=2).read()
PY
  done ) &
# What the upstream rules alert on: sensitive files read, files written below /tmp.
( while [ $SECONDS -lt $END ]; do
    cat /etc/shadow >/dev/null
    sh -c 'echo x > '"$TMP"'/f; cat '"$TMP"'/f >/dev/null; rm '"$TMP"'/f'
    sleep 1
  done ) &

wait $(jobs -p | tail -n +2)
