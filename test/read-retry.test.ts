// Which copy failures are tried again after a pause: only a card read that failed with EIO (an EIO
// that may pass), never the staged copy's read-back, a write error, or any other card error.
import { describe, expect, it } from 'vitest';
import { ioError, ReadBackError } from '../src/hash/copy-errors.js';
import { CARD_READ_RETRY_DELAYS_MS, cardReadRetryDelay, triesText } from '../src/ingest/read-retry.js';

const eio = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5 });
const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', errno: -2 });

describe('card read retries', () => {
  it('a card read EIO is tried again after 1 s, 2 s, 4 s, then fails', () => {
    const err = ioError('read error', 'DCIM/B.MP4', 12582912, eio);
    expect(err.message).toBe('read error at byte 12582912 of DCIM/B.MP4: EIO (i/o error)');
    expect([0, 1, 2, 3].map((a) => cardReadRetryDelay(err, a))).toEqual([1000, 2000, 4000, undefined]);
    expect(CARD_READ_RETRY_DELAYS_MS).toEqual([1000, 2000, 4000]);
  });

  it('the staged copy failing, or a card error other than EIO, fails at once', () => {
    expect(cardReadRetryDelay(ioError('read-back error', 'the staged copy', 0, eio), 0)).toBeUndefined();
    expect(cardReadRetryDelay(ioError('write error', 'the staged copy', 0, eio), 0)).toBeUndefined();
    expect(cardReadRetryDelay(new ReadBackError('the copy differs'), 0)).toBeUndefined();
    expect(cardReadRetryDelay(ioError('read error', 'DCIM/B.MP4', 0, enoent), 0)).toBeUndefined();
    expect(cardReadRetryDelay(eio, 0)).toBeUndefined();
  });

  it('the reason says how often and how long the file was tried', () => {
    expect(triesText(1)).toBe('');
    expect(triesText(4)).toBe('; tried 4 times over 7 s');
  });
});
