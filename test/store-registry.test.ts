// store/registry: registering an officer, a recorder or an assignment is one function that
// writes the row and runs the caller's audit entry in one transaction: both or neither.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendAuditEntry, currentActor } from '../src/audit/log.js';
import { openCatalog } from '../src/store/catalog.js';
import { findOfficer, findRecorder, listAssignments, registerAssignment, registerOfficer, registerRecorder, RegistryError } from '../src/store/registry.js';
import { tempDir } from './helpers/evidock.js';

describe('registrations with their audit entry', () => {
  const t = tempDir();
  const db = openCatalog(path.join(t.dir, 'catalog.sqlite'));
  afterAll(() => {
    db.close();
    t.cleanup();
  });
  const actor = currentActor('cli');
  const entries = (type: string) => (db.prepare('SELECT COUNT(*) AS n FROM audit_entries WHERE type = ?').get(type) as { n: number }).n;
  const officer = { number: '060708', name: '张三', unit: null, registered_at: '2026-03-01T00:00:00.000Z', registered_by: 'admin' };
  const recorder = { serial: '1234567', make: null, model: null, unit: null, usb_serial: 'USB-1', registered_at: '2026-03-01T00:00:00.000Z', registered_by: 'admin' };

  it('an audit entry that fails leaves no registration behind', () => {
    expect(() =>
      registerOfficer(db, officer, () => {
        throw new Error('journal full');
      }),
    ).toThrow('journal full');
    expect(findOfficer(db, officer.number)).toBeUndefined();
  });

  it('the row and its entry are written together; the callback sees the saved row', () => {
    const seen: unknown[] = [];
    const saved = registerOfficer(db, officer, (row) => {
      seen.push(row);
      appendAuditEntry(db, { type: 'registry.officer.added', data: { ...row }, actor });
    });
    expect(saved).toEqual(officer);
    expect(seen).toEqual([officer]);
    expect(entries('registry.officer.added')).toBe(1);
    expect(() => registerOfficer(db, officer, () => appendAuditEntry(db, { type: 'registry.officer.added', data: { ...officer }, actor }))).toThrow(RegistryError);
    expect(entries('registry.officer.added')).toBe(1);

    expect(registerRecorder(db, recorder, (row) => appendAuditEntry(db, { type: 'registry.recorder.added', data: { ...row }, actor }))).toEqual(recorder);
    expect(findRecorder(db, 'USB-1')?.serial).toBe('1234567');
    expect(entries('registry.recorder.added')).toBe(1);
  });

  it('an assignment gets its id inside the transaction; a failed entry leaves none', () => {
    const row = { recorder_serial: '1234567', officer_number: '060708', from_ms: Date.parse('2026-03-02T00:00:00Z'), to_ms: null, supersedes: null, reason: null, created_at: '2026-03-02T00:00:00.000Z', created_by: 'admin' };
    expect(() =>
      registerAssignment(db, row, () => {
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(listAssignments(db)).toEqual([]);
    let idInCommit = 0;
    const saved = registerAssignment(db, row, (s) => {
      idInCommit = s.id;
      appendAuditEntry(db, { type: 'registry.assignment.added', data: { id: s.id, recorder: s.recorder_serial, officer: s.officer_number }, actor });
    });
    expect(saved.id).toBe(idInCommit);
    expect(listAssignments(db)).toEqual([saved]);
    expect(() => registerAssignment(db, { ...row, officer_number: 'NOBODY' }, () => undefined)).toThrow(/officer NOBODY is not registered/);
  });
});
