#!/bin/bash
# Re-records the lab corpus (corpora/lab_*.scap.zst): the five attacks of the Falco Docker lab
# against real podman+runc containers of a slim nginx image, each recorded with
# `hindsight record --container ID` while podman serves the Docker Engine API (container name
# and image end up in the trace). Needs root, podman, runc, busybox-static.
# Usage: scripts/record-corpus.sh [HINDSIGHT_BINARY]
set -euo pipefail
HS=${1:-$(cd "$(dirname "$0")/.." && pwd)/target/release/hindsight}
CORPUS=$(cd "$(dirname "$0")/.." && pwd)/corpora
W=${W:-/tmp/hindsight-containers}; mkdir -p "$W"; cd "$W"
cat > containers.conf <<C
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$W/libpodtmp"
C
cat > storage.conf <<C
[storage]
driver = "overlay"
graphroot = "$W/storage"
runroot = "$W/runroot"
C
export CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf
if ! podman image exists localhost/nginx:latest; then
  R=$W/ngx; rm -rf "$R" debs
  mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,var/log/nginx,var/lib/nginx,var/www/html,etc/nginx/sites-enabled} debs
  cp /bin/busybox "$R/bin/" && chroot "$R" /bin/busybox --install -s
  (cd debs && apt-get download -q nginx nginx-common libc6 libpcre2-8-0 libssl3 zlib1g libcrypt1 libgcc-s1 >/dev/null)
  for d in debs/*.deb; do dpkg -x "$d" "$R"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/false\n' > "$R/etc/passwd"
  printf 'root:x:0:\nwww-data:x:33:\n' > "$R/etc/group"
  echo 'root:*:19000:0:99999:7:::' > "$R/etc/shadow"
  ln -sf /etc/nginx/sites-available/default "$R/etc/nginx/sites-enabled/default"
  echo hello > "$R/var/www/html/index.html"
  tar -C "$R" -c . | podman import -q --change 'CMD ["/usr/sbin/nginx","-g","daemon off;"]' - localhost/nginx:latest
fi
mkdir -p /run/podman
podman system service --time=0 unix:///run/podman/podman.sock & SVC=$!
trap 'kill $SVC 2>/dev/null || true' EXIT
sleep 1

# scenario NAME COMMAND-IN-CONTAINER: start a fresh container, record it while the attack runs
scenario() {
  local name=$1; shift
  podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  podman run -d --name "$name" localhost/nginx:latest >/dev/null
  sleep 1
  local id; id=$(podman inspect -f '{{.Id}}' "$name")
  "$HS" record -o "$CORPUS/lab_$name.scap.zst" --container "$id" --duration 7s &
  local rec=$!
  sleep 3.5
  "$@"
  wait $rec
  podman rm -f -t 0 "$name" >/dev/null
}
tty_exec() { script -qc "podman exec -it $1 $2" /dev/null < /dev/null > /dev/null || true; }

scenario shell tty_exec shell "sh -c 'echo hi'"
scenario process podman exec process ls /
scenario port podman exec port sh -c "sed -i 's/listen 80 default_server;/listen 85 default_server;/' /etc/nginx/sites-enabled/default; nginx -s reload" || true
scenario write podman exec write sh -c 'mkdir -p /userdata && touch /userdata/foo && touch /usr/foo'
scenario sensitive podman exec sensitive cat /etc/shadow
ls -la "$CORPUS"/lab_*.scap.zst
