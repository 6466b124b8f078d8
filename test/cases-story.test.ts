// Issue 15, done-when: the whole story on real fixtures. A case with three recordings and what
// they prove; a copy requested, refused, requested again, approved, made as a BagIt bag, checked
// offline on a copy of the bag with no home, a flipped byte caught; every step an audit entry
// with who did it, and `log verify` of an export shows them. Refusals exit 1 or 2, write nothing.
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldOriginals, readyHome, runCli, tempDir } from './helpers/evidock.js';

function entries(home: string, prefix = ''): any[] {
  const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  try {
    return (db.prepare(`SELECT entry FROM audit_entries WHERE type LIKE ? ORDER BY seq`).all(`${prefix}%`) as { entry: string }[]).map((r) => JSON.parse(r.entry));
  } finally {
    db.close();
  }
}

describe('issue 15: case, copy (Art. 13), offline verification', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  const cli = (...args: string[]) => runCli(['--home', home, ...args]);
  const bag = path.join(tmp.dir, 'copy-for-lawyer');
  let held: { evidence_number: string; sha256: string; size: number }[];

  beforeAll(() => {
    readyHome(home, ['1234567']);
    held = heldOriginals(home).slice(0, 3);
    for (const [n, name] of [['010203', '张三'], ['900001', '李局长'], ['900002', '王副局长']]) expect(cli('officers', 'add', n, '--name', name).code).toBe(0);
    expect(cli('approvers', 'add', '900001', '--title', '局长').code).toBe(0);
    expect(cli('approvers', 'add', '900002', '--title', '副局长').code).toBe(0);
    expect(cli('case', 'open', 'XZ-2026-031', '--action-ended', '2026-03-15', '--officer', '010203').code).toBe(0);
    const proves = ['当事人拒绝检查', '现场物品情况', '告知当事人正在录像'];
    held.forEach((h, i) => expect(cli('case', 'add', 'XZ-2026-031', h.evidence_number, '--proves', proves[i]).code).toBe(0));
  });
  afterAll(() => tmp.cleanup());

  it('the case statement: JSON and HTML with every field, an A4 PDF in Chinese that pdftotext and pdftoppm read', () => {
    const json = path.join(tmp.dir, 'statement.json');
    const r = cli('case', 'statement', 'XZ-2026-031', '--format', 'json', '--out', json);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    expect(s.case).toMatchObject({ ref: 'XZ-2026-031', actionEnded: '2026-03-15', due: '2026-04-04', officers: [{ number: '010203', name: '张三' }] });
    expect(s.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(s.recordings.map((x: any) => [x.evidenceNumber, x.sha256, x.proves])).toEqual(held.map((h, i) => [h.evidence_number, h.sha256, ['当事人拒绝检查', '现场物品情况', '告知当事人正在录像'][i]]));
    const first = s.recordings[0];
    expect(first.storage.location).toContain(first.storage.objectPath);
    expect(first.recorder.serial).toBe('1234567');
    expect(first.officer.number).toBe('010203');
    expect(first.recorded.start).toMatch(/^2026-03-15T08:30/);
    expect(first.proof.treeSize).toBe(s.checkpoint.treeSize);
    expect(first.proof.path.length).toBeGreaterThan(0);

    const html = path.join(tmp.dir, 'statement.html');
    expect(cli('case', 'statement', 'XZ-2026-031', '--format', 'html', '--out', html).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    for (const label of ['证据编号', '存储位置', '制作方法', '制作时间', '制作人', '证明对象', held[2].evidence_number, held[2].sha256]) expect(page).toContain(label);

    const pdf = path.join(tmp.dir, 'statement.pdf');
    const made = cli('case', 'statement', 'XZ-2026-031', '--format', 'pdf', '--out', pdf);
    expect(made.code, made.stderr).toBe(0);
    const info = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info.stdout).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    const text = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).stdout;
    for (const h of held) expect(text).toContain(h.evidence_number);
    for (const label of ['音像记录证据说明', '证据编号', '存储位置', '制作方法', '制作时间', '制作人', '证明对象', '当事人拒绝检查', '张三']) expect(text).toContain(label);
    const png = spawnSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', pdf, path.join(tmp.dir, 'page')], { encoding: 'utf8' });
    expect(png.status, png.stderr).toBe(0);
    const image = readFileSync(path.join(tmp.dir, readdirSync(tmp.dir).find((n) => n.startsWith('page') && n.endsWith('.png'))!));
    expect(image.subarray(1, 4).toString()).toBe('PNG');
    expect(image.readUInt32BE(16) / image.readUInt32BE(20)).toBeCloseTo(210 / 297, 2); // A4, portrait
    // The first page has ink on it (CJK glyphs drawn, not empty boxes of a missing font): a grey map.
    const grey = spawnSync('pdftoppm', ['-gray', '-r', '50', '-f', '1', '-l', '1', '-singlefile', pdf, path.join(tmp.dir, 'grey')], { encoding: 'utf8' });
    expect(grey.status, grey.stderr).toBe(0);
    const pgm = readFileSync(path.join(tmp.dir, 'grey.pgm'));
    const pixels = pgm.subarray(pgm.length - image.readUInt32BE(16) * image.readUInt32BE(20));
    const dark = pixels.filter((v) => v < 128).length;
    expect(dark / pixels.length).toBeGreaterThan(0.01);

    const again = cli('case', 'statement', 'XZ-2026-031', '--format', 'pdf', '--out', pdf);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const unknown = cli('case', 'statement', 'NO-SUCH-CASE', '--format', 'pdf', '--out', path.join(tmp.dir, 'none.pdf'));
    expect(unknown.code).toBe(2);
    expect(existsSync(path.join(tmp.dir, 'none.pdf'))).toBe(false);
    expect(entries(home, 'case.statement-written').map((e) => e.data.format)).toEqual(['json', 'html', 'pdf']);
  });

  it('a copy is made only once approved: unapproved and refused requests give exit 1 and write nothing', () => {
    const req = cli('copy', 'request', 'XZ-2026-031', '--requester', '王律师', '--reason', '行政复议需要', '--json');
    expect(req.code, req.stderr).toBe(0);
    expect(JSON.parse(req.stdout)).toMatchObject({ id: 1, state: 'pending', recordings: held.map((h) => h.evidence_number) });
    const before = entries(home).length;
    const unapproved = cli('copy', 'make', '1', '--out', bag);
    expect(unapproved.code).toBe(1);
    expect(unapproved.stderr).toContain('is not approved');
    expect(existsSync(bag)).toBe(false);
    expect(readdirSync(tmp.dir).filter((n) => n.includes('partial'))).toEqual([]);
    expect(entries(home).length).toBe(before);

    const notApprover = cli('copy', 'approve', '1', '--by', '010203');
    expect(notApprover.code).toBe(2);
    expect(notApprover.stderr).toContain('not a registered approver');
    expect(cli('copy', 'approve', '1').code).toBe(2); // --by is required
    const refused = cli('copy', 'refuse', '1', '--by', '900001', '--reason', '申请材料不全');
    expect(refused.code, refused.stderr).toBe(0);
    const afterRefusal = cli('copy', 'make', '1', '--out', bag);
    expect(afterRefusal.code).toBe(1);
    expect(afterRefusal.stderr).toContain('was refused');
    expect(cli('copy', 'approve', '1', '--by', '900002').stderr).toContain('already refused');
    expect(existsSync(bag)).toBe(false);
  });

  it('no one approves their own request', () => {
    expect(cli('copy', 'request', held[0].evidence_number, '--requester', '900002', '--reason', '内部复核').code).toBe(0);
    const before = entries(home).length;
    const self = cli('copy', 'approve', '2', '--by', '900002');
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('cannot decide');
    expect(entries(home).length).toBe(before);
    expect(JSON.parse(cli('copy', 'list', '--json').stdout)[1].state).toBe('pending');
  });

  it('requested again, approved, made: a BagIt 1.0 bag with the recordings as held, proofs and the key', () => {
    expect(cli('copy', 'request', 'XZ-2026-031', '--requester', '王律师', '--reason', '补充材料后再次申请').code).toBe(0);
    const ok = cli('copy', 'approve', '3', '--by', '900001');
    expect(ok.code, ok.stderr).toBe(0);
    const made = cli('copy', 'make', '3', '--out', bag, '--json');
    expect(made.code, made.stderr).toBe(0);
    expect(readdirSync(tmp.dir).filter((n) => n.includes('partial'))).toEqual([]);
    expect(readFileSync(path.join(bag, 'bagit.txt'), 'utf8')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    const manifest = readFileSync(path.join(bag, 'manifest-sha256.txt'), 'utf8');
    for (const h of held) expect(manifest).toMatch(new RegExp(`^${h.sha256}  data/${h.evidence_number}\\.mp4$`, 'm'));
    const info = readFileSync(path.join(bag, 'bag-info.txt'), 'utf8');
    expect(info).toContain('Evidock-Copy-Request: 3\n');
    expect(info).toContain('Evidock-Requester: 王律师\n');
    expect(info).toContain('Evidock-Approved-By: 900001\n');
    expect(info).toMatch(/^Evidock-Station: \S+$/m);
    expect(info).toContain(`Payload-Oxum: ${held.reduce((n, h) => n + h.size, 0)}.3\n`);
    const tags = readFileSync(path.join(bag, 'tagmanifest-sha256.txt'), 'utf8');
    for (const t of ['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt', 'evidock/station.pub', 'evidock/checkpoint.txt', `evidock/proofs/${held[0].evidence_number}.proof.json`]) {
      expect(tags).toMatch(new RegExp(`^[0-9a-f]{64}  ${t.replace('.', '\\.')}$`, 'm'));
    }
    // The manifests are in sha256sum's format: the real tool agrees with them.
    for (const m of ['manifest-sha256.txt', 'tagmanifest-sha256.txt']) {
      const r = spawnSync('sha256sum', ['--strict', '-c', m], { cwd: bag, encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
    // Each proof is one `evidock log verify-proof` accepts as well.
    const proof = path.join(bag, 'evidock', 'proofs', `${held[1].evidence_number}.proof.json`);
    expect(cli('log', 'verify-proof', proof).code).toBe(0);
    expect(cli('verify').code).toBe(0); // nothing here touched an original
  });

  it('a copy of the bag verifies offline with no home; a flipped byte or a changed proof is caught (exit 1)', () => {
    const elsewhere = tempDir('evidock-recipient-');
    try {
      const copyOfBag = path.join(elsewhere.dir, 'received');
      cpSync(bag, copyOfBag, { recursive: true });
      const noHome = { cwd: elsewhere.dir, env: { EVIDOCK_HOME: path.join(elsewhere.dir, 'no-such-home') } };
      const good = runCli(['copy', 'verify', copyOfBag, '--json'], noHome);
      expect(good.code, good.stdout + good.stderr).toBe(0);
      expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, problems: [] });
      expect(JSON.parse(good.stdout).recordings.map((r: any) => r.evidenceNumber)).toEqual(held.map((h) => h.evidence_number));
      expect(existsSync(path.join(elsewhere.dir, 'no-such-home'))).toBe(false);
      const key = path.join(elsewhere.dir, 'station.pub');
      writeFileSync(key, cli('key', 'show').stdout);
      expect(runCli(['copy', 'verify', copyOfBag, '--key', key], noHome).code).toBe(0);

      const file = path.join(copyOfBag, 'data', `${held[2].evidence_number}.mp4`);
      chmodSync(file, 0o644);
      const bytes = readFileSync(file);
      bytes[1000] ^= 0x01;
      writeFileSync(file, bytes);
      const flipped = runCli(['copy', 'verify', copyOfBag], noHome);
      expect(flipped.code).toBe(1);
      expect(flipped.stdout).toContain(`data/${held[2].evidence_number}.mp4: SHA-256 is`);
      expect(flipped.stdout).toContain('copy NOT verified');
      bytes[1000] ^= 0x01;
      writeFileSync(file, bytes);
      expect(runCli(['copy', 'verify', copyOfBag], noHome).code).toBe(0);

      // A proof rewritten to another sequence number (and the tag manifest "fixed" to match) still fails.
      const proofFile = path.join(copyOfBag, 'evidock', 'proofs', `${held[0].evidence_number}.proof.json`);
      const proof = JSON.parse(readFileSync(proofFile, 'utf8'));
      proof.seq += 1;
      chmodSync(proofFile, 0o644);
      writeFileSync(proofFile, JSON.stringify(proof));
      const tagFile = path.join(copyOfBag, 'tagmanifest-sha256.txt');
      chmodSync(tagFile, 0o644);
      const sums = spawnSync('sha256sum', [path.relative(copyOfBag, proofFile)], { cwd: copyOfBag, encoding: 'utf8' }).stdout.trim();
      writeFileSync(tagFile, readFileSync(tagFile, 'utf8').replace(new RegExp(`^[0-9a-f]{64}  ${path.relative(copyOfBag, proofFile).replace(/\./g, '\\.')}$`, 'm'), sums));
      const forged = runCli(['copy', 'verify', copyOfBag], noHome);
      expect(forged.code).toBe(1);
      expect(forged.stdout).toContain('inclusion proof fails');
    } finally {
      elsewhere.cleanup();
    }
  });

  it('a hold (Art. 14) is added on the case, shown per recording, and released only by an approver', () => {
    const before = entries(home).length;
    expect(cli('hold', 'add', 'XZ-2026-031', '--reason', 'quarrel', '--text', 'x').code).toBe(2);
    expect(cli('hold', 'add', 'NO-SUCH-CASE', '--reason', 'dispute', '--text', 'x').code).toBe(2);
    expect(entries(home).length).toBe(before);
    const added = cli('hold', 'add', 'XZ-2026-031', '--reason', 'dispute', '--text', '当事人对现场执法有异议', '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 1, reason: 'dispute', recordings: held.map((h) => ({ evidenceNumber: h.evidence_number, backend: 'catalog-only' })) });
    const shown = JSON.parse(cli('show', held[1].evidence_number, '--json').stdout);
    expect(shown.holds).toEqual([expect.objectContaining({ id: 1, reason: 'dispute', active: true })]);
    expect(shown.cases).toEqual([expect.objectContaining({ ref: 'XZ-2026-031', proves: '现场物品情况' })]);
    expect(cli('show', held[1].evidence_number).stdout).toMatch(/^hold\s+#1 dispute: 当事人对现场执法有异议/m);

    const beforeRelease = entries(home).length;
    const noApprover = cli('hold', 'release', '1', '--text', '复议结束');
    expect(noApprover.code).toBe(2);
    expect(noApprover.stderr).toContain('needs --by <approver>');
    expect(cli('hold', 'release', '1', '--by', '010203', '--text', '复议结束').code).toBe(2);
    expect(cli('hold', 'release', '9', '--by', '900001', '--text', '复议结束').code).toBe(2);
    expect(entries(home).length).toBe(beforeRelease);
    expect(JSON.parse(cli('hold', 'list', '--active', '--json').stdout).map((h: any) => h.id)).toEqual([1]);
    const released = cli('hold', 'release', '1', '--by', '900001', '--text', '复议结束，维持原决定');
    expect(released.code, released.stderr).toBe(0);
    expect(JSON.parse(cli('hold', 'list', '--active', '--json').stdout)).toEqual([]);
    expect(JSON.parse(cli('show', held[1].evidence_number, '--json').stdout).holds).toEqual([expect.objectContaining({ id: 1, active: false, releasedBy: '900001' })]);
    expect(cli('hold', 'release', '1', '--by', '900001', '--text', 'again').code).toBe(1);
  });

  it('every action is in the audit log with who did it, and a verified export shows them', () => {
    const user = entries(home, 'case.opened')[0].actor.user;
    const copyEntries = entries(home, 'copy.');
    expect(copyEntries.map((e) => e.type)).toEqual(['copy.requested', 'copy.refused', 'copy.requested', 'copy.requested', 'copy.approved', 'copy.made']);
    expect(copyEntries[1].data).toMatchObject({ request: 1, approver: '900001', reason: '申请材料不全', decidedBy: user });
    const made = copyEntries[5];
    expect(made.actor.user).toBe(user);
    expect(made.data).toMatchObject({ request: 3, requester: '王律师', approver: '900001', out: bag, madeBy: user });
    expect(made.data.recordings).toEqual(held.map((h) => ({ evidenceNumber: h.evidence_number, sha256: h.sha256, size: h.size })));
    expect(entries(home, 'registry.approver.added').map((e) => e.data.officer)).toEqual(['900001', '900002']);
    const holds = entries(home, 'hold.');
    expect(holds.map((e) => [e.type, e.data.hold, e.actor.user])).toEqual([
      ['hold.added', 1, user],
      ['hold.released', 1, user],
    ]);
    expect(holds[0].data).toMatchObject({ reason: 'dispute', addedBy: user, recordings: held.map((h) => ({ evidenceNumber: h.evidence_number, backend: 'catalog-only' })) });
    expect(holds[1].data).toMatchObject({ approver: '900001', text: '复议结束，维持原决定', releasedBy: user });

    const out = path.join(tmp.dir, 'export');
    expect(cli('log', 'export', '--out', out).code).toBe(0);
    const verified = runCli(['log', 'verify', out]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const exported = readFileSync(path.join(out, 'entries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const types = exported.map((e) => e.type ?? JSON.parse(e.entry ?? '{}').type);
    for (const t of ['case.opened', 'case.recording-added', 'registry.approver.added', 'copy.requested', 'copy.refused', 'copy.approved', 'copy.made', 'hold.added', 'hold.released']) expect(types).toContain(t);
  });

  it('catalog rebuild restores the case files, approvers, copy requests, copies and holds from the journal', () => {
    const into = path.join(tmp.dir, 'rebuilt.sqlite');
    const r = cli('catalog', 'rebuild', '--into', into, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).cases).toMatchObject({ cases: 1, caseRecordings: 3, approvers: 2, copyRequests: 3, copyDecisions: 2, copiesMade: 1, holds: 1, holdReleases: 1 });
    const live = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const copy = new Database(into, { readonly: true });
    try {
      for (const table of ['cases', 'case_recordings', 'case_closures', 'approvers', 'copy_requests', 'copy_request_items', 'copy_decisions', 'copies_made', 'holds', 'hold_items', 'hold_releases']) {
        const q = `SELECT * FROM ${table} ORDER BY 1, 2`;
        expect(copy.prepare(q).all(), table).toEqual(live.prepare(q).all());
      }
    } finally {
      live.close();
      copy.close();
    }
  });
});
