// One at a time per key within this process: a task given for a key starts once every task given
// earlier for that key has settled (e.g. the holds into one store, which await their flushes).

const tails = new Map<string, Promise<unknown>>();

/** Runs `task` after the earlier tasks of `key` settled; resolves or rejects as `task` does. */
export function oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
  const before = tails.get(key) ?? Promise.resolve();
  const run = before.then(task, task);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
