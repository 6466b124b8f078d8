// The catalog connection prepares each statement once (src/store/statement-cache.ts): the same
// SQL gives the same statement again, an earlier caller's pluck or raw does not leak into the
// next one, and a statement busy in an open iterate() is never handed out twice.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../src/store/catalog.js';
import { tempDir } from './helpers/evidock.js';

describe('prepared statements of a catalog connection', () => {
  const t = tempDir('evidock-stmt-');
  afterAll(() => t.cleanup());
  const db = openCatalog(path.join(t.dir, 'catalog.sqlite'));
  afterAll(() => db.close());
  db.exec('CREATE TABLE t (n INTEGER)');
  for (let n = 1; n <= 3; n++) db.prepare('INSERT INTO t (n) VALUES (?)').run(n);

  it('the same SQL is prepared once and handed out again', () => {
    expect(db.prepare('SELECT n FROM t WHERE n = ?')).toBe(db.prepare('SELECT n FROM t WHERE n = ?'));
    expect(db.prepare('INSERT INTO t (n) VALUES (?)')).toBe(db.prepare('INSERT INTO t (n) VALUES (?)'));
  });

  it("an earlier caller's pluck or raw is not left on the statement the next caller gets", () => {
    expect(db.prepare('SELECT n FROM t WHERE n = ?').pluck().get(2)).toBe(2);
    expect(db.prepare('SELECT n FROM t WHERE n = ?').get(2)).toEqual({ n: 2 });
    expect(db.prepare('SELECT n FROM t WHERE n = ?').raw().get(3)).toEqual([3]);
    expect(db.prepare('SELECT n FROM t WHERE n = ?').get(3)).toEqual({ n: 3 });
  });

  it('a statement still iterating is not handed out: the same SQL inside the loop gets its own', () => {
    const seen: number[] = [];
    for (const row of db.prepare('SELECT n FROM t ORDER BY n').iterate() as Iterable<{ n: number }>)
      seen.push(row.n, (db.prepare('SELECT n FROM t ORDER BY n').all() as { n: number }[]).length);
    expect(seen).toEqual([1, 3, 2, 3, 3, 3]);
  });
});
