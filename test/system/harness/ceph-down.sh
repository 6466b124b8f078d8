#!/bin/bash
# Stop exactly the daemons ceph-up.sh started (by their pid files under $D/run), then remove $D.
: "${D:?D must name the cluster directory}"
for f in "$D"/run/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
for f in "$D"/run/*.pid; do
  [ -f "$f" ] || continue; p=$(cat "$f")
  for i in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$p" 2>/dev/null
done
rm -rf "$D"
