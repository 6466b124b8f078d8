import { describe, expect, it } from 'vitest';
import { assignmentsAt, attribute, type Assignment } from '../src/meta/attribution.js';

const codes = (a: { flags: { code: string }[] }) => a.flags.map((f) => f.code).sort();

describe('attribution precedence', () => {
  it('identity > file name > metadata > dock > assignment, each with its source', () => {
    const a = attribute({
      identity: [{ source: 'identity-file', where: 'ZFY_INFO.TXT', deviceId: '7654321', officerId: '020304' }],
      fileName: { deviceId: '7654321', officer: '020304' },
      metadata: { serial: '7654321' },
      dock: { recorderId: '7654321', officerId: '020304' },
      recordedAt: '2026-03-15T01:15:00Z',
      assignments: [{ id: 1, recorder: '7654321', officer: '020304', from: '2026-03-01T00:00:00Z', to: null, supersedes: null }],
    });
    expect(a.recorder).toMatchObject({ value: '7654321', source: 'identity-file', conflict: false });
    expect(a.recorder.claims.map((c) => c.source)).toEqual(['identity-file', 'file-name', 'metadata', 'dock']);
    expect(a.officer).toMatchObject({ value: '020304', source: 'identity-file', conflict: false });
    expect(a.officer.claims.map((c) => c.source)).toEqual(['identity-file', 'file-name', 'dock', 'assignment']);
    expect(a.flags).toEqual([]);
  });

  it('each lower source is used when the higher ones are silent', () => {
    expect(attribute({ metadata: { serial: 'A9K3F20' }, dock: { recorderId: 'slot-3' }, recordedAt: null }).recorder).toMatchObject({ value: 'A9K3F20', source: 'metadata', conflict: true });
    expect(attribute({ dock: { recorderId: 'A9K3F20' }, recordedAt: null }).recorder).toMatchObject({ value: 'A9K3F20', source: 'dock' });
    const viaAssignment = attribute({
      metadata: { serial: 'A9K3F20' },
      recordedAt: '2026-03-16T06:00:00Z',
      assignments: [{ id: 7, recorder: 'a9k3f20', officer: '030405', from: '2026-03-16T00:00:00Z', to: '2026-03-17T00:00:00Z', supersedes: null }],
    });
    expect(viaAssignment.officer).toMatchObject({ value: '030405', source: 'assignment', conflict: false });
    expect(viaAssignment.officer.claims[0].where).toBe('assignment #7 of a9k3f20');
  });

  it('identity and file name disagree: both kept, flagged, the identity shown', () => {
    const a = attribute({
      identity: [{ source: 'usb-serial', deviceId: '7654321' }],
      fileName: { deviceId: '1111111', officer: '020304', where: 'DSJ_1111111_020304_20260315_091500_0001.MP4' },
      recordedAt: '2026-03-15T01:15:00Z',
    });
    expect(a.recorder.value).toBe('7654321');
    expect(a.recorder.conflict).toBe(true);
    expect(a.recorder.claims.map((c) => [c.source, c.value])).toEqual([['usb-serial', '7654321'], ['file-name', '1111111']]);
    expect(codes(a)).toEqual(['recorder-conflict']);
    expect(a.flags[0].message).toMatch(/usb-serial says 7654321, file-name \(DSJ_1111111.*\) says 1111111/);
  });

  it('officer from the file name disagrees with the assignment: flagged', () => {
    const a = attribute({
      fileName: { deviceId: '1234567', officer: '010203' },
      recordedAt: '2026-03-15T00:30:00Z',
      assignments: [{ id: 1, recorder: '1234567', officer: '999999', from: '2026-03-01T00:00:00Z', to: null, supersedes: null }],
    });
    expect(a.officer).toMatchObject({ value: '010203', source: 'file-name', conflict: true });
    expect(codes(a)).toEqual(['officer-conflict']);
  });

  it('ids compare case- and space-insensitively; aliases map a USB serial to the recorder', () => {
    const a = attribute({
      identity: [{ source: 'usb-serial', deviceId: 'USB0042ABCD' }],
      fileName: { deviceId: 'a9k3f20 ', officer: null },
      metadata: { serial: 'A9K3F20' },
      recorderAliases: new Map([['USB0042ABCD', 'A9K3F20']]),
      recordedAt: null,
    });
    expect(a.recorder).toMatchObject({ value: 'A9K3F20', source: 'usb-serial', conflict: false });
  });

  it('unknown recorder and officer are flags, not failures', () => {
    const a = attribute({ recordedAt: null });
    expect(a.recorder.value).toBeNull();
    expect(a.officer.value).toBeNull();
    expect(codes(a)).toEqual(['officer-unknown', 'recorder-unknown', 'recording-time-unknown']);
  });

  it('registry membership is checked when given', () => {
    const a = attribute({
      fileName: { deviceId: '1234567', officer: '010203' },
      recordedAt: '2026-03-15T00:30:00Z',
      registeredRecorders: new Set(['7654321']),
      registeredOfficers: new Set(['010203']),
    });
    expect(codes(a)).toEqual(['recorder-unregistered']);
  });
});

describe('assignment history', () => {
  const history: Assignment[] = [
    { id: 1, recorder: 'R1', officer: 'A', from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z', supersedes: null },
    { id: 2, recorder: 'R1', officer: 'B', from: '2026-03-10T00:00:00Z', to: null, supersedes: null },
    { id: 3, recorder: 'R2', officer: 'C', from: '2026-03-01T00:00:00Z', to: null, supersedes: null },
  ];
  const officerAt = (rows: Assignment[], at: string) => assignmentsAt(rows, 'R1', at).map((a) => a.officer);

  it('inside, outside, on the boundaries (from inclusive, to exclusive)', () => {
    expect(officerAt(history, '2026-03-05T12:00:00Z')).toEqual(['A']);
    expect(officerAt(history, '2026-02-28T23:59:59Z')).toEqual([]);
    expect(officerAt(history, '2026-03-01T00:00:00Z')).toEqual(['A']);
    expect(officerAt(history, '2026-03-09T23:59:59.999Z')).toEqual(['A']);
    expect(officerAt(history, '2026-03-10T00:00:00Z')).toEqual(['B']);
    expect(officerAt(history, '2030-01-01T00:00:00Z')).toEqual(['B']);
    expect(officerAt(history, 'not a time')).toEqual([]);
  });

  it('a superseding correction replaces the row it corrects; the old row stays in history', () => {
    const corrected = [...history, { id: 4, recorder: 'R1', officer: 'D', from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z', supersedes: 1 }];
    expect(officerAt(corrected, '2026-03-05T12:00:00Z')).toEqual(['D']);
    expect(officerAt(corrected, '2026-03-09T00:00:00Z')).toEqual([]); // row 1 no longer counts
    expect(officerAt(corrected, '2026-03-10T00:00:00Z')).toEqual(['B']);
    expect(corrected.find((a) => a.id === 1)).toBeDefined();
    // a correction of a correction
    const again = [...corrected, { id: 5, recorder: 'R1', officer: 'E', from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z', supersedes: 4 }];
    expect(officerAt(again, '2026-03-09T00:00:00Z')).toEqual(['E']);
  });

  it('overlapping assignments are ambiguous: every officer is a claim and the flag says so', () => {
    const overlap = [...history, { id: 6, recorder: 'R1', officer: 'F', from: '2026-03-04T00:00:00Z', to: '2026-03-06T00:00:00Z', supersedes: null }];
    const a = attribute({ dock: { recorderId: 'R1' }, recordedAt: '2026-03-05T00:00:00Z', assignments: overlap });
    expect(a.officer.conflict).toBe(true);
    expect(a.officer.claims.map((c) => c.value).sort()).toEqual(['A', 'F']);
    expect(codes(a)).toEqual(['assignment-ambiguous', 'officer-conflict']);
  });
});

describe('identity facts from what the dock reports', () => {
  it('reads the mount dock shape: usb descriptor, driver claims, conflicts', async () => {
    const { identityFacts } = await import('../src/ingest/provenance.js');
    const facts = identityFacts({
      usb: { vendorId: 1, productId: 2, serial: 'USB0042', portPath: '1-1.2' },
      driver: 'mass-storage',
      claims: [
        { source: 'usb-serial', where: 'USB descriptor', deviceId: 'USB0042' },
        { source: 'identity-file', where: 'ZFY_INFO.TXT', deviceId: '7654321', officerId: '020304', officerName: '张三' },
      ],
      conflicts: ['usb-serial says USB0042, ZFY_INFO.TXT says 7654321'],
    });
    expect(facts).toEqual([
      { source: 'usb-serial', where: 'USB descriptor', deviceId: 'USB0042' },
      { source: 'identity-file', where: 'ZFY_INFO.TXT', deviceId: '7654321', officerId: '020304' },
    ]);
    // registered with --usb-serial, the two agree
    const a = attribute({ identity: facts, recordedAt: null, recorderAliases: new Map([['USB0042', '7654321']]) });
    expect(a.recorder).toMatchObject({ value: '7654321', conflict: false });
    // unregistered USB serial: kept, flagged
    expect(attribute({ identity: facts, recordedAt: null }).recorder.conflict).toBe(true);
    expect(identityFacts(undefined)).toEqual([]);
  });
});
