#!/bin/bash
# A throwaway one-node Ceph (mon + one memstore OSD) and radosgw on 127.0.0.1 for the s3 system tests,
# adapted from the ceph-rgw recipe. Usage: D=<empty dir> MON_PORT=.. RGW_PORT=.. [MEMSTORE_BYTES=..] ceph-up.sh
# Every daemon writes its pid to $D/run/<name>.pid; ceph-down.sh stops exactly those.
set -euo pipefail
: "${D:?D must name an empty directory}" "${MON_PORT:?}" "${RGW_PORT:?}"
mkdir -p "$D"/{mon,osd,run,log}
FSID=$(cat /proc/sys/kernel/random/uuid)
cat > "$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $D/keyring
run dir = $D/run
pid file = $D/run/\$name.pid
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
# Logging off, in memory too (the second number is the level kept in memory for a crash dump):
# standard tuning for a cluster that is not being debugged; the defaults (debug osd/rgw 1/5)
# build log entries on every request. Integrity checks (ms crc, cephx signatures) stay on.
debug rgw = 0/0
debug rgw sync = 0/0
debug osd = 0/0
debug ms = 0/0
debug memstore = 0/0
debug objecter = 0/0
debug rados = 0/0
debug auth = 0/0
debug monc = 0/0
debug objclass = 0/0
debug throttle = 0/0
debug finisher = 0/0
debug asok = 0/0
[mon]
mon data = $D/mon
[osd]
osd data = $D/osd
keyring = $D/osd/keyring
osd objectstore = memstore
memstore device bytes = ${MEMSTORE_BYTES:-3221225472}
osd memory target = 1073741824
osd max object name len = 256
osd max object namespace len = 64
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw dns name = localhost
rgw thread pool size = 64
CONF
export CEPH_CONF="$D/ceph.conf"
ceph-authtool --create-keyring "$D/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool --create-keyring "$D/keyring" --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool "$D/keyring" --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
ceph-authtool "$D/mon.keyring" --import-keyring "$D/keyring" >/dev/null
monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$D/monmap" --keyring "$D/mon.keyring"
ceph-mon -i a
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_KEY=$(ceph-authtool --gen-print-key)
echo "{\"cephx_secret\": \"$OSD_KEY\"}" | ceph osd new "$OSD_UUID" -i - >/dev/null
ceph-authtool --create-keyring "$D/osd/keyring" -n osd.0 --add-key "$OSD_KEY" >/dev/null
ceph-osd -i 0 --mkfs --osd-uuid "$OSD_UUID" 2>"$D/log/osd-mkfs.err" || { tail -5 "$D/log/osd-mkfs.err" >&2; exit 1; }
ceph-osd -i 0
for i in $(seq 1 120); do ceph osd stat 2>/dev/null | grep -q '1 up' && break; sleep 0.5; done
