#!/bin/bash
# make-recorder-image.sh OUT.img SERIAL fat32|exfat [BIG_MiB]
# An MBR-partitioned body-worn-recorder card image (partition 1 at 1 MiB) with recordings in the
# usual card layout, an identity file, a name with a space and one in Chinese, and a big clip of
# BIG_MiB (default 8) so a copy can be interrupted. Writes OUT.img.manifest: "sha256  size  path"
# lines sorted by path (C locale), the truth the system tests compare against.
# FAT32 needs dosfstools + mtools + fdisk (sfdisk), no root. exFAT needs exfatprogs + exfat-fuse +
# root (a loop device: exfat-fuse as root insists on a block device) and /dev/fuse.
set -euo pipefail
IMG=$(realpath -m "$1"); SERIAL=$2; FS=${3:-fat32}; BIG=${4:-8}
SRC=$(mktemp -d); trap 'rm -rf "$SRC"' EXIT
mkdir -p "$SRC/DCIM/100BWC" "$SRC/RECORD/20260315" "$SRC/LOG"
# deterministic per serial, incompressible content
gen() { { openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:$SERIAL$1" -in /dev/zero 2>/dev/null || true; } | head -c "$2" > "$3"; }
gen big $((BIG * 1024 * 1024)) "$SRC/DCIM/100BWC/VID_0001.MP4"
gen v2 1500000 "$SRC/DCIM/100BWC/VID_0002.MP4"
gen p1 200000 "$SRC/DCIM/100BWC/IMG_0003.JPG"
gen a1 300000 "$SRC/RECORD/20260315/AUD 0004.WAV"
gen a2 50000 "$SRC/RECORD/20260315/执法_0005.WAV"
: > "$SRC/RECORD/EMPTY.DAT"
printf '{"serial":"%s","officer":"4711","make":"Test","model":"BWC-QEMU"}\n' "$SERIAL" > "$SRC/RECORDER.JSON"
echo "boot ok $SERIAL" > "$SRC/LOG/SYSTEM.LOG"
SIZE=$(( BIG + 48 ))
rm -f "$IMG"; truncate -s ${SIZE}M "$IMG"
if [[ $FS == fat32 ]]; then
  echo 'start=2048, type=c' | sfdisk -q "$IMG"
  mkfs.vfat -F 32 -n BODYCAM --offset 2048 "$IMG" $(( (SIZE - 1) * 1024 )) >/dev/null
  ( cd "$SRC" && LC_ALL=C.UTF-8 MTOOLS_SKIP_CHECK=1 mcopy -s -i "$IMG@@1M" DCIM RECORD LOG RECORDER.JSON ::/ )
elif [[ $FS == exfat ]]; then
  [[ $(id -u) == 0 ]] || { echo "make-recorder-image: exFAT images need root (loop device + exfat-fuse)" >&2; exit 3; }
  PART=$(mktemp); truncate -s $(( SIZE - 1 ))M "$PART"
  mkfs.exfat -L BODYCAM "$PART" >/dev/null
  MNT=$(mktemp -d); LOOP=$(losetup -f --show "$PART")
  mount.exfat-fuse "$LOOP" "$MNT" >/dev/null
  cp -r "$SRC/." "$MNT/"; sync; umount "$MNT"; losetup -d "$LOOP"; rmdir "$MNT"
  echo 'start=2048, type=7' | sfdisk -q "$IMG"
  dd if="$PART" of="$IMG" bs=1M seek=1 conv=notrunc status=none; rm -f "$PART"
else
  echo "make-recorder-image: unknown filesystem $FS (fat32|exfat)" >&2; exit 2
fi
( cd "$SRC" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | while IFS= read -r f; do
    echo "$(sha256sum < "$f" | cut -d' ' -f1)  $(stat -c %s "$f")  $f"; done ) > "$IMG.manifest"
