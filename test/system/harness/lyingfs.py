#!/usr/bin/python3
"""Writable FUSE passthrough whose reads lie (python3-fusepy, Debian 12): a disk that stores what
it is given but returns one byte flipped when it is read back.
usage: lyingfs.py SRC MNT [--flip-at BYTE] [--match GLOB] [--foreground]
  --flip-at N : read() of matching files returns byte N (of the file) XOR 0xFF (default 1000)
  --match GLOB: which files lie (fnmatch on the file name, default '*')
Mounted with direct_io, so every read reaches this process instead of the page cache."""
import argparse, errno, fnmatch, os
try: from fusepy import FUSE, FuseOSError, Operations   # Debian python3-fusepy module name
except ImportError: from fuse import FUSE, FuseOSError, Operations  # pip fusepy
from faultyfs import FaultyFS  # beside this file: the read-only passthrough's listing and statfs

class LyingFS(Operations):
    def __init__(self, root, flip_at, pattern):
        self.root, self.flip_at, self.pattern = os.path.realpath(root), flip_at, pattern
    def _p(self, path): return os.path.join(self.root, path.lstrip('/'))
    def __call__(self, op, path, *args):
        try: return super().__call__(op, path, *args)
        except OSError as e: raise FuseOSError(e.errno or errno.EIO)
    def getattr(self, path, fh=None):
        st = os.lstat(self._p(path))
        return {k: getattr(st, k) for k in ('st_mode', 'st_nlink', 'st_size', 'st_uid', 'st_gid', 'st_atime', 'st_mtime', 'st_ctime', 'st_ino')}
    readdir = FaultyFS.readdir
    def access(self, path, mode):
        if not os.access(self._p(path), mode): raise FuseOSError(errno.EACCES)
    def chmod(self, path, mode): os.chmod(self._p(path), mode)
    def chown(self, path, uid, gid): os.chown(self._p(path), uid, gid)
    def mkdir(self, path, mode): os.mkdir(self._p(path), mode)
    def rmdir(self, path): os.rmdir(self._p(path))
    def unlink(self, path): os.unlink(self._p(path))
    def rename(self, old, new): os.rename(self._p(old), self._p(new))
    def utimens(self, path, times=None): os.utime(self._p(path), times)
    def truncate(self, path, length, fh=None): os.truncate(self._p(path), length)
    def open(self, path, flags): return os.open(self._p(path), flags)
    def create(self, path, mode, fi=None): return os.open(self._p(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    def read(self, path, size, offset, fh):
        data = os.pread(fh, size, offset)
        at = self.flip_at - offset
        if fnmatch.fnmatch(os.path.basename(path), self.pattern) and 0 <= at < len(data):
            data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
        return data
    def write(self, path, data, offset, fh): return os.pwrite(fh, data, offset)
    def flush(self, path, fh): return 0
    def fsync(self, path, datasync, fh):
        if datasync: os.fdatasync(fh)
        else: os.fsync(fh)
        return 0
    def fsyncdir(self, path, datasync, fh): return 0
    def release(self, path, fh): os.close(fh)
    statfs = FaultyFS.statfs

if __name__ == '__main__':
    a = argparse.ArgumentParser(); a.add_argument('src'); a.add_argument('mnt')
    a.add_argument('--flip-at', type=int, default=1000); a.add_argument('--match', default='*')
    a.add_argument('--foreground', action='store_true'); o = a.parse_args()
    FUSE(LyingFS(o.src, o.flip_at, o.match), o.mnt, foreground=o.foreground, nothreads=True, direct_io=True,
         fsname='lyingfs', default_permissions=True)
