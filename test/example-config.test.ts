// The shipped example configuration is valid and documents every setting of the schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { configSchema, parseConfig } from '../src/config.js';
import { repoRoot } from './helpers/evidock.js';

describe('config/evidock.example.toml', () => {
  const text = readFileSync(path.join(repoRoot, 'config', 'evidock.example.toml'), 'utf8');
  const raw = parse(text) as Record<string, Record<string, unknown>>;

  it('parses and equals the built-in defaults', () => {
    expect(parseConfig(raw)).toEqual(parseConfig({}));
  });

  it('shows every key of every section', () => {
    const defaults = configSchema.parse({}) as Record<string, Record<string, unknown>>;
    for (const [section, values] of Object.entries(defaults)) {
      for (const key of Object.keys(values)) expect(raw[section] ?? {}, `${section}.${key}`).toHaveProperty(key);
    }
  });
});
