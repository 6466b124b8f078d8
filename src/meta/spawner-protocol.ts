// Messages between evidock and its helper spawner (spawner.ts, spawner-child.ts), over Node's IPC
// channel with its "advanced" serialisation (bytes travel as bytes).

export type ToSpawner =
  | { op: 'spawn'; id: number; file: string; args: string[]; env: NodeJS.ProcessEnv }
  | { op: 'stdin'; id: number; data: Uint8Array }
  | { op: 'stdin-end'; id: number };

export type FromSpawner =
  | { op: 'spawned'; id: number; pid: number }
  | { op: 'error' | 'stdin-error'; id: number; message: string; code?: string }
  | { op: 'stdout' | 'stderr'; id: number; data: Uint8Array }
  | { op: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null };
