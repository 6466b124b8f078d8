// When a card's read error is worth another try: an EIO reading the card (a marginal card, a loose
// contact) is copied again from the start after a growing pause, a few times, before the file fails.
import { CardReadError } from '../hash/copy-errors.js';

/** The pauses before each new try of a file whose card read failed with EIO (1 s, 2 s, 4 s: 7 s in all). */
export const CARD_READ_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000];

/** The pause before try number `attempt + 1` of a copy that failed with `err`, or undefined: fail it now. */
export function cardReadRetryDelay(err: unknown, attempt: number): number | undefined {
  if (!(err instanceof CardReadError) || err.code !== 'EIO') return undefined;
  return CARD_READ_RETRY_DELAYS_MS[attempt];
}

/** What the failure reason adds when the file was tried more than once: "; tried 4 times over 7 s". */
export function triesText(attempts: number): string {
  if (attempts <= 1) return '';
  const waited = CARD_READ_RETRY_DELAYS_MS.slice(0, attempts - 1).reduce((s, d) => s + d, 0);
  return `; tried ${attempts} times over ${waited / 1000} s`;
}
