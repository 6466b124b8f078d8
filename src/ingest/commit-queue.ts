// The copies of one session that are staged but not held yet: committed in order, while the next
// files are copied, in batches of the first copy waiting and those right after it that are
// ready (described) too; at most `maxStaged` at once (the copy waits for room), so a stop has
// little to finish. After a failed commit every copy still waiting is discarded (told the failure,
// and whether its own commit was tried) and the failure is given to whoever adds or waits next.

export interface CommitQueueOptions {
  /** Staged copies not yet held (waiting + being committed), at most. */
  maxStaged: number;
  /** Copies committed together, at most. */
  maxBatch: number;
  /** How long a ready copy waits for others to join its batch while copying goes on (ms). */
  maxDelayMs: number;
}

interface Waiting<T> {
  item: T;
  ready: Promise<unknown>;
  isReady: boolean;
}

export class CommitQueue<T> {
  private readonly waiting: Waiting<T>[] = [];
  private committing = 0;
  private running: Promise<void> | undefined;
  private failure: { err: unknown } | undefined;
  private readonly roomWaiters: (() => void)[] = [];
  /** Wakes a batch being gathered: a copy became ready, the copying waits or has ended, a stop. */
  private nudge: (() => void) | undefined;
  private draining = false;

  constructor(
    private readonly commit: (batch: T[]) => Promise<void>,
    /** A copy let go: `failure` when a commit failed (`tried`: this copy's own batch), none at a stop. */
    private readonly discard: (item: T, failure?: { err: unknown; tried: boolean }) => void,
    private readonly opts: CommitQueueOptions,
  ) {}

  /** Staged copies not held yet: waiting and being committed. */
  get pending(): number {
    return this.waiting.length + this.committing;
  }

  /** Resolves once another copy may be staged; rejects with an earlier commit's failure. */
  async room(): Promise<void> {
    while (!this.failure && this.pending >= this.opts.maxStaged) {
      const room = new Promise<void>((go) => this.roomWaiters.push(go));
      this.nudge?.();
      await room;
    }
    if (this.failure) throw this.failure.err;
  }

  /**
   * Queues a staged copy for its commit once `ready` settles (its description); discarded at once
   * after a failure, which is thrown.
   */
  add(item: T, ready: Promise<unknown>): void {
    if (this.failure) {
      this.discard(item, { err: this.failure.err, tried: false });
      throw this.failure.err;
    }
    const w: Waiting<T> = { item, ready, isReady: false };
    const isReady = (): void => {
      w.isReady = true;
      this.nudge?.();
    };
    void ready.then(isReady, isReady);
    this.waiting.push(w);
    this.running ??= this.run();
  }

  /** Discards the copies not yet being committed (a stop: the card still has them). */
  abandonWaiting(): number {
    const dropped = this.waiting.splice(0);
    for (const w of dropped) this.discard(w.item);
    this.wake();
    this.nudge?.();
    return dropped.length;
  }

  /** Waits until every copy added is committed; rejects with the first failure. */
  async drain(): Promise<void> {
    this.draining = true;
    this.nudge?.();
    while (this.running) await this.running;
    if (this.failure) throw this.failure.err;
  }

  /** The first commit failure, without waiting (to stop copying promptly). */
  failed(): unknown {
    return this.failure?.err;
  }

  private async run(): Promise<void> {
    while (this.waiting.length && !this.failure) {
      // The first copy waiting is being committed from now on (a stop finishes it).
      const batch = [this.waiting.shift()!];
      this.committing = 1;
      try {
        await batch[0].ready.catch(() => undefined);
        await this.gather();
        while (batch.length < this.opts.maxBatch && this.waiting[0]?.isReady) batch.push(this.waiting.shift()!);
        this.committing = batch.length;
        await this.commit(batch.map((w) => w.item));
      } catch (err) {
        this.failure = { err };
        for (const w of batch) this.discard(w.item, { err, tried: true });
        for (const w of this.waiting.splice(0)) this.discard(w.item, { err, tried: false });
      } finally {
        this.committing = 0;
        this.wake();
      }
    }
    this.running = undefined;
  }

  /**
   * Lets a batch fill before it is committed (one flush for many): until a full batch is ready,
   * the copying waits for room or has ended, or maxDelayMs pass (a large file being copied).
   */
  private async gather(): Promise<void> {
    const until = Date.now() + this.opts.maxDelayMs;
    for (;;) {
      let ready = 1;
      while (ready < this.opts.maxBatch && this.waiting[ready - 1]?.isReady) ready++;
      if (ready >= this.opts.maxBatch || this.draining || this.roomWaiters.length > 0) return;
      const left = until - Date.now();
      if (left <= 0) return;
      await new Promise<void>((go) => {
        const timer = setTimeout(go, left);
        this.nudge = () => {
          clearTimeout(timer);
          go();
        };
      });
      this.nudge = undefined;
    }
  }

  private wake(): void {
    for (const go of this.roomWaiters.splice(0)) go();
  }
}
