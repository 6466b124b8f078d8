// catalog check's comparison: the live catalog's schema (tables, indexes, triggers) against the
// one the migrations make, and its tables against a catalog rebuilt from the journal and the
// store, reported by table, row and column.
import type { Db } from './catalog.js';

export interface TableDifference {
  table: string;
  /** The row's key (primary key columns joined by '/'), or the schema object's type and name. */
  row: string;
  column?: string;
  problem: string;
  catalog?: string;
  rebuilt?: string;
}

function shown(v: unknown): string {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `base64:${Buffer.from(v).toString('base64')}`;
  return v === null || v === undefined ? 'null' : String(v);
}

/** Every table, index and trigger of the live catalog against what the migrations create (`expected`). */
export function compareSchema(live: Db, expected: Db): TableDifference[] {
  const read = (db: Db) =>
    new Map(
      (db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as { type: string; name: string; sql: string | null }[]).map((r) => [
        `${r.type} ${r.name}`,
        r.sql ?? '',
      ]),
    );
  const l = read(live);
  const e = read(expected);
  const diffs: TableDifference[] = [];
  for (const [key, sql] of e) {
    if (!l.has(key)) diffs.push({ table: 'schema', row: key, problem: `${key.split(' ')[0]} missing (dropped?)`, rebuilt: sql });
    else if (l.get(key) !== sql) diffs.push({ table: 'schema', row: key, problem: 'definition differs from the one the migrations create', catalog: l.get(key), rebuilt: sql });
  }
  for (const [key, sql] of l) if (!e.has(key)) diffs.push({ table: 'schema', row: key, problem: `${key.split(' ')[0]} the migrations do not create (added by hand?)`, catalog: sql });
  return diffs;
}

/**
 * One table, row by row and column by column, live against rebuilt. Rows are matched by `key`
 * (default: the primary key); only `columns` are compared (default: all).
 */
export function compareTable(live: Db, rebuilt: Db, table: string, opts: { key?: string[]; columns?: string[]; limit?: number } = {}): TableDifference[] {
  const info = rebuilt.prepare(`SELECT name, pk FROM pragma_table_info(?)`).all(table) as { name: string; pk: number }[];
  const key = opts.key ?? info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  const columns = opts.columns ?? info.map((c) => c.name);
  const limit = opts.limit ?? 200;
  const rowsOf = (db: Db) => {
    const m = new Map<string, Record<string, unknown>>();
    for (const r of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) m.set(key.map((k) => shown(r[k])).join('/'), r);
    return m;
  };
  const l = rowsOf(live);
  const r = rowsOf(rebuilt);
  const diffs: TableDifference[] = [];
  for (const [k, lr] of l) {
    if (diffs.length >= limit) break;
    const rr = r.get(k);
    if (!rr) {
      diffs.push({ table, row: k, problem: 'in the catalog but not in the log or the store' });
      continue;
    }
    for (const c of columns) {
      if (shown(lr[c]) !== shown(rr[c])) diffs.push({ table, row: k, column: c, problem: 'differs from the log or the store', catalog: shown(lr[c]), rebuilt: shown(rr[c]) });
    }
  }
  for (const k of r.keys()) {
    if (diffs.length >= limit) break;
    if (!l.has(k)) diffs.push({ table, row: k, problem: 'in the log or the store but not in the catalog' });
  }
  return diffs;
}
