#!/bin/bash
# Starts the harness's radosgw (client.rgw.a of the cluster ceph-up.sh made in $D) with tcmalloc,
# the allocator upstream Ceph builds its daemons with (and /etc/default/ceph tunes). Debian's
# radosgw is built on glibc malloc, which hands the 4 MiB buffers of every object's passage back
# to the kernel and faults them in again on the next: about 9 of the gateway's 10 CPU seconds per
# GiB read. libtcmalloc comes with the radosgw package (libgoogle-perftools4); without it the
# gateway starts on glibc malloc. Usage: D=<cluster dir> CEPH_CONF=$D/ceph.conf rgw-up.sh
set -euo pipefail
: "${D:?D must name the cluster directory}" "${CEPH_CONF:?}"
TCMALLOC=$(ls /usr/lib/*/libtcmalloc.so.4 2>/dev/null | head -1 || true)
if [ -n "$TCMALLOC" ]; then
  exec env LD_PRELOAD="$TCMALLOC" TCMALLOC_MAX_TOTAL_THREAD_CACHE_BYTES=134217728 radosgw -n client.rgw.a
fi
echo "rgw-up.sh: libtcmalloc.so.4 not found (Debian: libgoogle-perftools4): radosgw runs on glibc malloc, slower" >&2
exec radosgw -n client.rgw.a
