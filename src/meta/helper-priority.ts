// Metadata helpers (exiftool, ffprobe) yield the CPU to ingest: they run at a lower scheduling
// priority, so on a 2-core station the copies of docked recorders go first and the tags are
// read in the time left over. They annotate; they never hold anything up.
import { setPriority } from 'node:os';

/** Nice value of the helper processes (0 = normal, 19 = lowest). */
export const HELPER_NICE = 10;

/** Lowers a helper's priority; a helper already gone, or a system that refuses, is left as it is. */
export function yieldToIngest(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, HELPER_NICE);
  } catch {
    /* gone already, or not allowed: it runs at normal priority */
  }
}
