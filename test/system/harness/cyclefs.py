#!/usr/bin/python3
"""Read-only FUSE card whose tree never ends (python3-fusepy, Debian 12), like a FAT card with
cross-linked directory clusters: every folder holds DCIM/CLIP_0001.MP4 and a folder `loop` that
leads back to the root, so /loop/loop/.../DCIM/CLIP_0001.MP4 exists at every depth (with
--distinct-inodes: /DCIM/CLIP_0001.MP4 and /loop/loop/... for ever).
usage: cyclefs.py SRC MNT [--distinct-inodes] [--delay-ms N] [--foreground]
  SRC               : a file whose bytes are CLIP_0001.MP4
  --distinct-inodes : each path gets its own inode number (the cycle cannot be seen by dev+ino:
                      only a depth bound ends the walk); default: `loop` has the root's inode
  --delay-ms N      : sleep in every readdir and getattr (a slow card, to stop mid-scan)"""
import argparse, errno, os, stat, time, zlib
try: from fusepy import FUSE, FuseOSError, Operations   # Debian python3-fusepy module name
except ImportError: from fuse import FUSE, FuseOSError, Operations  # pip fusepy

class CycleFS(Operations):
    def __init__(self, clip, distinct, delay):
        with open(clip, 'rb') as f: self.clip = f.read()
        self.distinct, self.delay, self.now = distinct, delay, time.time()
    def _parts(self, path):
        """The path with every `loop` folded back to the root: [] (a root), ['DCIM'] or ['DCIM', 'CLIP_0001.MP4'].
        With distinct inodes the clip is only at the top (/DCIM): below it, folders of `loop` only."""
        parts = [p for p in path.split('/') if p]
        looped = bool(parts) and parts[0] == 'loop'
        while parts and parts[0] == 'loop': parts = parts[1:]
        if self.distinct and looped and parts: raise FuseOSError(errno.ENOENT)
        if parts in ([], ['DCIM'], ['DCIM', 'CLIP_0001.MP4']): return parts
        raise FuseOSError(errno.ENOENT)
    def _ino(self, path, parts):
        if self.distinct: return zlib.crc32(path.encode()) | 0x10000
        return {0: 1, 1: 2, 2: 3}[len(parts)]
    def getattr(self, path, fh=None):
        if self.delay: time.sleep(self.delay / 1000)
        parts = self._parts(path)
        base = {'st_nlink': 2, 'st_uid': 0, 'st_gid': 0, 'st_atime': self.now, 'st_mtime': self.now, 'st_ctime': self.now, 'st_ino': self._ino(path, parts)}
        if len(parts) == 2: return {**base, 'st_mode': stat.S_IFREG | 0o444, 'st_nlink': 1, 'st_size': len(self.clip)}
        return {**base, 'st_mode': stat.S_IFDIR | 0o555, 'st_size': 0}
    def readdir(self, path, fh):
        if self.delay: time.sleep(self.delay / 1000)
        parts = self._parts(path)
        if parts == [] and self.distinct and path != '/': return ['.', '..', 'loop']
        if parts == []: return ['.', '..', 'DCIM', 'loop']
        if parts == ['DCIM']: return ['.', '..', 'CLIP_0001.MP4']
        raise FuseOSError(errno.ENOTDIR)
    def open(self, path, flags):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_TRUNC): raise FuseOSError(errno.EROFS)
        if len(self._parts(path)) != 2: raise FuseOSError(errno.EISDIR)
        return 0
    def read(self, path, size, offset, fh): return self.clip[offset:offset + size]

if __name__ == '__main__':
    a = argparse.ArgumentParser(); a.add_argument('src'); a.add_argument('mnt')
    a.add_argument('--distinct-inodes', action='store_true'); a.add_argument('--delay-ms', type=int, default=0)
    a.add_argument('--foreground', action='store_true'); o = a.parse_args()
    FUSE(CycleFS(o.src, o.distinct_inodes, o.delay_ms), o.mnt, foreground=o.foreground, ro=True, nothreads=True,
         use_ino=True, attr_timeout=0, entry_timeout=0, fsname='cyclefs', allow_other=True)
