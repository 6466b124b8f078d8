// Issue 12, point 7: the README stands alone in a clone: every file it (and docs/) links or
// names exists in the repository, nothing points outside it, and the quick start calls the CLI
// through its bin (not npx, which took 2-13 s to start).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/evidock.js';

const pages = ['README.md', ...readdirSync(path.join(repoRoot, 'docs')).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`)];

describe('the README stands alone', () => {
  it.each(pages)('%s links and names only files in the repository', (page) => {
    const text = readFileSync(path.join(repoRoot, page), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
    const named = [...text.matchAll(/`((?:\.\.?\/)?[\w.-]+(?:\/[\w.-]+)+\.(?:md|txt|toml|json))`/g)].map((m) => m[1]!).filter((t) => !t.startsWith('var/')); // var/ is the default home, made at run time
    for (const t of [...targets, ...named]) {
      const resolved = path.resolve(repoRoot, path.dirname(page), t);
      const fromRoot = path.resolve(repoRoot, t);
      expect(resolved.startsWith(repoRoot + path.sep) || fromRoot.startsWith(repoRoot + path.sep), `${page} points outside the repository: ${t}`).toBe(true);
      expect(existsSync(resolved) || existsSync(fromRoot), `${page} names ${t}, which the repository does not have`).toBe(true);
    }
    expect(text).not.toMatch(/\.\.\/shared/);
  });

  it('docs/ carries the regulation (with the original wording of Art. 10) and the design', () => {
    const regulation = readFileSync(path.join(repoRoot, 'docs', 'regulation.md'), 'utf8');
    expect(regulation).toContain('2个工作日内');
    for (const art of ['2-4', '8', '9', '10', '11', '15']) expect(regulation).toMatch(new RegExp(`^\\| ${art} \\|`, 'm'));
    expect(readFileSync(path.join(repoRoot, 'docs', 'design.md'), 'utf8')).toMatch(/One docking/);
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain('(docs/regulation.md)');
    expect(readme).toContain('(docs/design.md)');
  });

  it('the quick start calls the CLI through bin/evidock.js, never npx', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/npx evidock/);
    expect(readme).toContain('alias evidock="$PWD/bin/evidock.js"');
    expect(readme).toMatch(/evidock init --station/);
  });
});
