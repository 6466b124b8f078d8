// Tables for people line up with Chinese names (two terminal columns per character).
import { describe, expect, it } from 'vitest';
import { displayWidth, table } from '../src/cli/context.js';

describe('table', () => {
  it('counts CJK characters as two columns', () => {
    expect(displayWidth('张三')).toBe(4);
    expect(displayWidth('玄武分局 A3')).toBe(11);
    expect(displayWidth('DSJ_0001.MP4')).toBe(12);
  });

  it('aligns columns after Chinese cells', () => {
    const out = table(['number', 'name', 'unit'], [
      ['010203', '张三', '玄武分局'],
      ['020304', 'Li Si', 'HQ'],
    ]);
    const lines = out.trimEnd().split('\n');
    // The "unit" column starts at the same terminal column on every line.
    const unitColumn = (line: string, unit: string) => displayWidth(line.slice(0, line.indexOf(unit)));
    expect(unitColumn(lines[0], 'unit')).toBe(unitColumn(lines[1], '玄武分局'));
    expect(unitColumn(lines[1], '玄武分局')).toBe(unitColumn(lines[2], 'HQ'));
  });
});
