// The driver registry: every file in this folder that exports `driver` is a driver. Adding a
// vendor driver = adding a file here (compiled next to this one); nothing else changes.
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { RecorderContext, RecorderDriver, RecorderIdentity } from './driver.js';
import { driver as massStorage } from './mass-storage.js';

export type { RecorderContext, RecorderDriver, RecorderIdentity } from './driver.js';

function isDriver(x: unknown): x is RecorderDriver {
  const d = x as RecorderDriver;
  return !!d && typeof d.name === 'string' && typeof d.identify === 'function' && typeof d.matches === 'function';
}

/** Loads the drivers of `dir` (default: this folder), highest priority first; the generic one is always there. */
export async function loadDrivers(dir = path.dirname(fileURLToPath(import.meta.url))): Promise<RecorderDriver[]> {
  const found = new Map<string, RecorderDriver>([[massStorage.name, massStorage]]);
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    /* only the built-in generic driver */
  }
  const ext = path.extname(fileURLToPath(import.meta.url)); // .js in dist, .ts under vitest
  for (const n of names.sort()) {
    // mass-storage is built in (imported above, with its imports from lib/): never loaded again.
    if (path.extname(n) !== ext || n.endsWith(`.d${ext}`) || ['index', 'driver', 'mass-storage'].includes(path.basename(n, ext))) continue;
    const mod: { driver?: unknown } = await import(pathToFileURL(path.join(dir, n)).href);
    if (isDriver(mod.driver) && !found.has(mod.driver.name)) found.set(mod.driver.name, mod.driver);
  }
  return [...found.values()].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
}

/** The first driver that knows the recorder. */
export async function driverFor(drivers: readonly RecorderDriver[], ctx: RecorderContext): Promise<RecorderDriver> {
  for (const d of drivers) if (await d.matches(ctx)) return d;
  return massStorage;
}

export async function identifyRecorder(drivers: readonly RecorderDriver[], ctx: RecorderContext): Promise<RecorderIdentity> {
  return (await driverFor(drivers, ctx)).identify(ctx);
}
