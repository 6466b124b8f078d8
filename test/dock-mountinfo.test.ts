import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffMounts, isUnder, parseMountinfo, parseMountinfoLine, recorderMounts, unescapeMountField } from '../src/dock/mountinfo.js';
import { MountWatcher } from '../src/dock/mount-watcher.js';

const BASE = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw',
  '24 22 0:22 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,mode=755',
  '30 24 0:40 / /run/evidock/media rw,nosuid,nodev shared:20 - tmpfs media rw',
];
const A3 = '41 30 8:1 / /run/evidock/media/A3 ro,nosuid,nodev,noexec,relatime shared:30 - vfat /dev/sda1 ro,fmask=0022,dmask=0022,codepage=437,iocharset=ascii,shortname=mixed,errors=remount-ro';
const SPACE = '42 30 8:17 / /run/evidock/media/Dock\\040B\\0111\\134x ro,nosuid,nodev,noexec shared:31 - exfat /dev/sdb1 ro';
const text = (...lines: string[]): string => lines.join('\n') + '\n';

describe('mountinfo parsing', () => {
  it('reads every field of a line', () => {
    const e = parseMountinfoLine(A3)!;
    expect(e).toMatchObject({
      mountId: 41, parentId: 30, major: 8, minor: 1, root: '/', mountPoint: '/run/evidock/media/A3',
      fsType: 'vfat', source: '/dev/sda1', readOnly: true, optionalFields: ['shared:30'],
    });
    expect(e.options).toEqual(['ro', 'nosuid', 'nodev', 'noexec', 'relatime']);
    expect(e.superOptions).toContain('errors=remount-ro');
  });

  it('decodes escaped octal in mount points: space, tab, backslash', () => {
    const e = parseMountinfoLine(SPACE)!;
    expect(e.mountPoint).toBe('/run/evidock/media/Dock B\t1\\x');
    expect(unescapeMountField('a\\040b\\012c')).toBe('a b\nc');
    expect(unescapeMountField('no-escape')).toBe('no-escape');
    expect(unescapeMountField('trailing\\04')).toBe('trailing\\04'); // incomplete escape left as is
  });

  it('keeps non-ASCII (UTF-8) mount points and escaped bytes of a UTF-8 name', () => {
    expect(parseMountinfoLine('50 30 8:33 / /run/evidock/media/执法仪 ro - vfat /dev/sdc1 ro')!.mountPoint).toBe('/run/evidock/media/执法仪');
    // "执" is e6 89 a7; the kernel may hand bytes through as octal
    expect(unescapeMountField('/m/\\346\\211\\247')).toBe('/m/执');
  });

  it('reads several optional fields and none', () => {
    expect(parseMountinfoLine('60 30 8:1 / /x rw master:1 shared:2 propagate_from:3 - vfat /dev/sda1 rw')!.optionalFields).toEqual(['master:1', 'shared:2', 'propagate_from:3']);
    expect(parseMountinfoLine('61 30 8:1 / /y rw - vfat /dev/sda1 rw')!.optionalFields).toEqual([]);
  });

  it('skips garbage lines', () => {
    expect(parseMountinfoLine('not a mountinfo line')).toBeNull();
    expect(parseMountinfo(text('', 'garbage', ...BASE))).toHaveLength(4);
  });
});

describe('mountinfo diffing', () => {
  it('sees a mount appear and go', () => {
    const before = parseMountinfo(text(...BASE));
    const after = parseMountinfo(text(...BASE, A3));
    expect(diffMounts(before, after).added.map((e) => e.mountPoint)).toEqual(['/run/evidock/media/A3']);
    expect(diffMounts(before, after).removed).toEqual([]);
    expect(diffMounts(after, before).removed.map((e) => e.mountPoint)).toEqual(['/run/evidock/media/A3']);
    expect(diffMounts(after, after)).toEqual({ added: [], removed: [], changed: [] });
  });

  it('reports a remount ro -> rw as changed, not as unmount + mount', () => {
    const ro = parseMountinfo(text(...BASE, A3));
    const rw = parseMountinfo(text(...BASE, A3.replace(' ro,nosuid', ' rw,nosuid')));
    const d = diffMounts(ro, rw);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0].after.readOnly).toBe(false);
  });

  it('treats a re-mount at the same place (new mount id) as unmount + mount', () => {
    const d = diffMounts(parseMountinfo(text(...BASE, A3)), parseMountinfo(text(...BASE, A3.replace(/^41 /, '77 '))));
    expect(d.added.map((e) => e.mountId)).toEqual([77]);
    expect(d.removed.map((e) => e.mountId)).toEqual([41]);
  });
});

describe('recorder mounts under the watched root', () => {
  const roots = ['/run/evidock/media'];
  it('keeps only mounts strictly inside the roots', () => {
    const got = recorderMounts(parseMountinfo(text(...BASE, A3, SPACE)), roots);
    expect(got.map((e) => e.mountPoint)).toEqual(['/run/evidock/media/A3', '/run/evidock/media/Dock B\t1\\x']);
    expect(isUnder('/run/evidock/media', '/run/evidock/media')).toBe(false);
    expect(isUnder('/run/evidock/media2/x', '/run/evidock/media')).toBe(false);
  });

  it('a bind mount of a subdirectory is not a recorder; a bind of the whole device counts once', () => {
    const subBind = '43 30 8:1 /DCIM /run/evidock/media/dcim ro,nosuid shared:30 - vfat /dev/sda1 ro';
    const wholeBind = '44 30 8:1 / /run/evidock/media/again ro,nosuid shared:30 - vfat /dev/sda1 ro';
    const got = recorderMounts(parseMountinfo(text(...BASE, A3, subBind, wholeBind)), roots);
    expect(got.map((e) => e.mountPoint)).toEqual(['/run/evidock/media/A3']);
    // the bind mount is still a diff entry; recorderMounts is what decides it is no new recorder
    const d = diffMounts(parseMountinfo(text(...BASE, A3)), parseMountinfo(text(...BASE, A3, subBind)));
    expect(d.added[0].root).toBe('/DCIM');
  });

  it('a bind mount of a recorder from elsewhere into the root is seen', () => {
    const elsewhere = '45 22 8:49 / /mnt/card ro - vfat /dev/sdd1 ro';
    const bound = '46 30 8:49 / /run/evidock/media/B1 ro - vfat /dev/sdd1 ro';
    expect(recorderMounts(parseMountinfo(text(...BASE, elsewhere, bound)), roots).map((e) => e.mountPoint)).toEqual(['/run/evidock/media/B1']);
  });

  it('FUSE mounts (major 0) are each their own recorder; a mount stacked on a mount point counts as the top one', () => {
    const f1 = '47 30 0:50 / /run/evidock/media/F1 ro,nosuid,nodev - fuse.fusefat /dev/loop0 ro';
    const f2 = '48 30 0:51 / /run/evidock/media/F2 ro,nosuid,nodev - fuse.fusefat /dev/loop1 ro';
    const stacked = '49 47 0:52 / /run/evidock/media/F1 ro - fuse.faultyfs faultyfs ro';
    const got = recorderMounts(parseMountinfo(text(...BASE, f1, f2, stacked)), roots);
    expect(got.map((e) => e.mountId)).toEqual([48, 49]);
  });
});

describe('MountWatcher (polls a mountinfo file)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('reports mounted, remounted and unmounted, in that order of the file changing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'evidock-mi-'));
    dirs.push(dir);
    const file = path.join(dir, 'mountinfo');
    writeFileSync(file, text(...BASE, A3));
    const w = new MountWatcher({ roots: ['/run/evidock/media'], mountinfoPath: file, intervalMs: 10 });
    expect(w.intervalMs).toBe(250); // clamped to 250 ms - 1 s
    const events: string[] = [];
    w.on('mounted', (e) => events.push(`mounted ${e.mountPoint}`));
    w.on('unmounted', (e) => events.push(`unmounted ${e.mountPoint}`));
    w.on('remounted', (c) => events.push(`remounted ${c.after.mountPoint} ${c.after.readOnly ? 'ro' : 'rw'}`));
    await w.start();
    writeFileSync(file, text(...BASE, A3, SPACE));
    await w.poll();
    writeFileSync(file, text(...BASE, A3.replace(' ro,nosuid', ' rw,nosuid'), SPACE));
    await w.poll();
    writeFileSync(file, text(...BASE));
    await w.poll();
    w.stop();
    expect(events).toEqual([
      'mounted /run/evidock/media/A3',
      'mounted /run/evidock/media/Dock B\t1\\x',
      'remounted /run/evidock/media/A3 rw',
      'unmounted /run/evidock/media/A3',
      'unmounted /run/evidock/media/Dock B\t1\\x',
    ]);
  });

  it('an unreadable mountinfo is an error event, once, not a crash', async () => {
    const w = new MountWatcher({ roots: ['/x'], mountinfoPath: '/nonexistent/mountinfo' });
    const errors: string[] = [];
    w.on('error', (e) => errors.push(e.message));
    await w.start();
    await w.poll();
    w.stop();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('/nonexistent/mountinfo');
  });

  it('reads the real /proc/self/mountinfo', async () => {
    const w = new MountWatcher({ roots: ['/'] });
    await w.start();
    w.stop();
    expect(w.mounts.length).toBeGreaterThan(0);
  });
});
