// Why a copy failed, said for people: what went wrong, on which file, at which byte
// ("read error at byte 12582912 of DCIM/x.MP4: EIO (i/o error)"), keeping the errno code for callers.
import { getSystemErrorMap } from 'node:util';

/** `EIO (i/o error)`: an errno code with libuv's text for it (never the code twice). */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (!e?.code) return String((e as Error)?.message ?? err);
  const text = typeof e.errno === 'number' ? getSystemErrorMap().get(e.errno)?.[1] : undefined;
  return text ? `${e.code} (${text})` : e.code;
}

/** An error whose message already says what, where and at which byte: print it as it is. */
export class CopyError extends Error {
  override name = 'CopyError';
  readonly code?: string;
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    if (code) this.code = code;
  }
}

/** A read of the source (the card) failed: `read error at byte N of F: ...` (not the staged copy's read-back). */
export class CardReadError extends CopyError {
  override name = 'CardReadError';
}

/** A system error named with the operation, the file and the offset: `read error at byte N of F: EIO (i/o error)`, `cannot open F: ...`. */
export function ioError(what: string, where: string, offset: number | undefined, cause: unknown): CopyError {
  if (cause instanceof CopyError) return cause;
  const place = offset === undefined ? where : `at byte ${offset} of ${where}`;
  const message = `${what} ${place}: ${errnoText(cause)}`;
  return what === 'read error' ? new CardReadError(message, cause) : new CopyError(message, cause);
}

/** The source changed (size, mtime or ctime) while it was copied, or was replaced before. */
export class SourceChangedError extends CopyError {
  override name = 'SourceChangedError';
}

/** The source ended before the size it had when opened, without an error. */
export class ShortReadError extends CopyError {
  override name = 'ShortReadError';
}

/** The copy on disk is not what was written: a failing disk, memory or filesystem. */
export class ReadBackError extends CopyError {
  override name = 'ReadBackError';
}
