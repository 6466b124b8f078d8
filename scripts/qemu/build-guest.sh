#!/bin/bash
# Build (and cache) the tiny QEMU guest evidock's system tests boot: Debian's kernel (as a bare
# vmlinux: xz self-decompression is slow under TCG) + an initramfs with busybox, systemd-udevd
# (from the udev .deb), the HOST's node binary and the libs it and the native addons need, and
# only the kernel modules for xhci / usb-storage / vfat / exfat / 9p.
#
# The project itself is NOT in the image: the guest mounts the repository read-only over 9p as
# /app (so dist/ and node_modules/ must be built on the host first) and a writable 9p share /out.
# The kernel command line picks what runs: GUEST_CMD="node /app/... args" (default: a shell).
#
# Host packages (Debian 12): qemu-system-x86 busybox-static cpio kmod zstd xz-utils udev
#   (apt-get download needs a working apt source; root is not needed except for apt).
# Cache: ${EVIDOCK_QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evidock-qemu}/guest-<key>, outside
# the repository; the key covers kernel, node, udev versions and this script, so a change rebuilds.
# Prints the guest directory (vmlinux or vmlinuz + initrd.img) on the last line of stdout.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${EVIDOCK_QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evidock-qemu}
mkdir -p "$CACHE"
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[[ -n $KPKG ]] || { echo "build-guest: cannot resolve linux-image-amd64 (run apt-get update)" >&2; exit 3; }
KVER=${KPKG#linux-image-}
NODE=$(readlink -f "$(command -v node)")
UDEVVER=$(apt-cache policy udev | awk '/Candidate:/{print $2}')
SCRIPTSUM=$(sha256sum "$0" | cut -c1-12)
KEY="$KVER-node$("$NODE" --version)-udev$UDEVVER-$SCRIPTSUM"
OUT=$CACHE/guest-$KEY
if [[ -f $OUT/initrd.img && ( -f $OUT/vmlinux || -f $OUT/vmlinuz ) ]]; then echo "build-guest: cache hit" >&2; echo "$OUT"; exit 0; fi

T0=$(date +%s.%N)
BUILD=$(mktemp -d "$CACHE/build.XXXX"); trap 'rm -rf "$BUILD"' EXIT
cd "$BUILD"
# 1. packages (apt-get download into a root-owned dir prints a harmless "_apt" warning)
apt-get download "$KPKG" udev 2>&1 | grep -v -e 'unsandboxed' -e '^Get:' -e '^Fetched' >&2 || true
ls linux-image-*.deb udev_*.deb >/dev/null
dpkg-deb -x linux-image-*.deb kpkg
dpkg-deb -x udev_*.deb udevpkg
R=$BUILD/root
mkdir -p $R/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,etc,proc,sys,dev,run,tmp,mnt,app,out,root}
ln -s usr/bin $R/bin; ln -s usr/sbin $R/sbin; ln -s usr/lib $R/lib; ln -s usr/lib64 $R/lib64

# 2. busybox + applet symlinks (never shadow real binaries)
cp /bin/busybox $R/usr/bin/busybox
for a in $(/bin/busybox --list-full); do
  d=$R/$(dirname "$a"); n=$(basename "$a")
  [[ -e $d/$n || -L $d/$n ]] || ln -s /usr/bin/busybox "$d/$n"
done

# 3. a binary and all its shared libs, as resolved on this host
copy_libs() { # $1 elf
  ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
    real=$(readlink -f "$lib"); dest=$R/usr${lib#/usr}
    [[ -e $dest ]] || install -D -m755 "$real" "$dest"
  done
}
copy_with_libs() { install -D -m755 "$1" "$R$2"; copy_libs "$1"; }
copy_with_libs "$NODE" /usr/bin/node
copy_with_libs udevpkg/bin/udevadm /usr/bin/udevadm
mkdir -p $R/usr/lib/systemd $R/usr/lib/udev $R/etc/udev
ln -sf /usr/bin/udevadm $R/usr/lib/systemd/systemd-udevd
cp -a udevpkg/lib/udev/. $R/usr/lib/udev/
for h in udevpkg/lib/udev/*_id; do [[ -f $h ]] && copy_with_libs "$h" "/usr/lib/udev/$(basename "$h")"; done
# libs native addons need but node does not link: libudev (node-usb 2 / libusb), librt & co.
for l in libudev.so.1 librt.so.1 libresolv.so.2 libutil.so.1; do
  install -D -m644 "$(readlink -f /lib/x86_64-linux-gnu/$l)" "$R/usr/lib/x86_64-linux-gnu/$l"; done
# and whatever the project's native addons link (better-sqlite3 is built on this host)
for n in "$HERE"/../../node_modules/better-sqlite3/build/Release/better_sqlite3.node \
         "$HERE"/../../node_modules/usb/prebuilds/linux-x64/node.napi.glibc.node; do
  [[ -f $n ]] && copy_libs "$n"
done
printf 'root:x:0:0:root:/root:/bin/sh\nevidock:x:990:990:evidock:/tmp:/bin/false\n' > $R/etc/passwd
printf 'root:x:0:\ndisk:x:6:\nplugdev:x:46:\nevidock:x:990:\ninput:x:101:\nkvm:x:102:\nrender:x:103:\nsgx:x:104:\ntty:x:5:\nkmem:x:15:\ndialout:x:20:\ncdrom:x:24:\naudio:x:29:\nvideo:x:44:\n' > $R/etc/group
printf '127.0.0.1 localhost\n' > $R/etc/hosts

# 4. kernel + only the needed modules (+deps), depmod'ed for the subset
depmod -b kpkg "$KVER"
MODS="virtio_pci 9pnet_virtio 9p xhci_pci usb_storage uas sd_mod vfat exfat nls_cp437 nls_iso8859_1 nls_utf8 nls_ascii"
for m in $MODS; do modprobe -d kpkg -S "$KVER" --show-depends "$m"; done |
  awk '/^insmod/{print $2}' | sort -u | while read -r ko; do
    rel=${ko#*kpkg/}; install -D -m644 "$ko" "$R/usr/$rel"
  done
cp kpkg/lib/modules/$KVER/modules.{order,builtin,builtin.modinfo} $R/usr/lib/modules/$KVER/
depmod -b $R "$KVER"
mkdir -p "$OUT.tmp"; cp kpkg/boot/vmlinuz-$KVER "$OUT.tmp/vmlinuz"
# CONFIG_PVH=y: QEMU boots the bare ELF directly, skipping ~4 s of xz under TCG.
off=$(grep -abo $'\xfd7zXZ\x00' kpkg/boot/vmlinuz-$KVER | head -1 | cut -d: -f1)
tail -c +$((off + 1)) kpkg/boot/vmlinuz-$KVER | xz -dc --single-stream > "$OUT.tmp/vmlinux" 2>/dev/null || true
[[ $(head -c4 "$OUT.tmp/vmlinux" | tail -c3) == ELF ]] || rm -f "$OUT.tmp/vmlinux"

# 5. /init — lines starting with @@ on ttyS0 are for the host harness
cat > $R/init <<'INIT'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin HOME=/root
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm; mount -t tmpfs run /run; mount -t tmpfs tmp /tmp
echo "@@BOOT {\"uptime\":\"$(cut -d' ' -f1 /proc/uptime)\",\"kernel\":\"$(uname -r)\"}"
for m in virtio_pci 9pnet_virtio 9p xhci_pci usb_storage sd_mod vfat exfat nls_cp437 nls_utf8 nls_iso8859_1; do modprobe $m; done
/usr/lib/systemd/systemd-udevd --daemon --resolve-names=never 2>/dev/null
udevadm trigger --type=subsystems --action=add; udevadm trigger --type=devices --action=add
udevadm settle --timeout=10
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 app /app || echo "@@ERROR {\"msg\":\"9p app mount failed\"}"
mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=262144 out /out 2>/dev/null || true
echo "@@UDEV {\"uptime\":\"$(cut -d' ' -f1 /proc/uptime)\"}"
cd /app
# GUEST_CMD comes from the kernel command line (unknown k=v become init's environment)
if [ -n "$GUEST_CMD" ]; then sh -c "$GUEST_CMD"; echo "@@GUEST_EXIT {\"rc\":$?}"; else sh; fi
poweroff -f
INIT
chmod 755 $R/init

# 6. pack
( cd $R && find . -print0 | cpio --null -o -H newc --quiet ) > "$BUILD/initrd.cpio"
zstd -q -T0 -3 --rm "$BUILD/initrd.cpio" -o "$OUT.tmp/initrd.img"
rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
echo "build-guest: built in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $T0}") s; initrd $(du -h $OUT/initrd.img | cut -f1), $OUT" >&2
echo "$OUT"
