// The card I/O watchdog: every read, listing or open on a recorder runs against a stall timer and
// the session's AbortSignal, so a card that stops answering fails within the stall time and a
// stop is never held up by it. An operation given up on cannot be cancelled (it sits in one of
// libuv's threads until the card answers, if ever): it is counted as orphaned, and the buffer it
// reads into must not be reused (CopyBuffers.renew). The process ends with what it can while
// orphans remain (see endDespiteOrphans).
import { CopyError } from './copy-errors.js';

/** The words that mark a stalled card in every reason and slot message. */
export const CARD_STALLED = 'the card stopped answering';

/** No byte, listing or open from the card within the stall time. */
export class CardStalledError extends CopyError {
  override name = 'CardStalledError';
  override readonly code = 'ETIMEDOUT';
}

export interface StallGuard {
  /** Give up on the operation (the session stops). */
  signal?: AbortSignal;
  /** Fail the operation after this many ms without an answer; 0 or absent: never. */
  stallMs?: number;
}

let orphaned = 0;

/** Card operations given up on (stall or stop) that have not returned yet. */
export function orphanedCardOperations(): number {
  return orphaned;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('card operation abandoned');
}

/** One file's or one walk's card operations: whether any was given up on (its handle and buffers are then not reusable). */
export class CardOps {
  abandoned = false;
  constructor(readonly guard: StallGuard) {}
  run<T>(op: Promise<T>, what: () => string): Promise<T> {
    return withinStall(op, this.guard, what, () => (this.abandoned = true));
  }
}

/**
 * `op`'s result, unless the guard's signal aborts first (rejects with its reason) or the card
 * gives no answer within stallMs (rejects with CardStalledError saying `what()` and how long).
 * Either way `op` is left running and counted as orphaned until it settles.
 */
export function withinStall<T>(op: Promise<T>, guard: StallGuard, what: () => string, onGiveUp?: () => void): Promise<T> {
  const { signal, stallMs } = guard;
  if (!signal && !stallMs) return op;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const giveUp = (err: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      orphaned++;
      onGiveUp?.();
      op.then(
        () => orphaned--,
        () => orphaned--,
      );
      reject(err);
    };
    const onAbort = () => giveUp(abortReason(signal!));
    const timer = stallMs
      ? setTimeout(() => giveUp(new CardStalledError(`${CARD_STALLED}: no answer for ${Math.round(stallMs / 1000)} s ${what()}; nothing of it held. Check the card or its reader, then dock it again`)), stallMs)
      : undefined;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    op.then(
      (v) => {
        if (settled) return;
        settled = true;
        cleanup();
        resolve(v);
      },
      (e) => {
        if (settled) return;
        settled = true;
        cleanup();
        reject(e);
      },
    );
  });
}
