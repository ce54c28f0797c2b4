/**
 * Writes items in batches as they come: the first goes out at once, the ones added while a write is in flight go
 * together in the next one (one round trip per batch instead of per item; FerretDB makes each write costly).
 * After a failed write nothing more is written, and `add` and `flush` reject, so the caller can retry the whole job.
 */
export class BatchWriter<T> {
  private queue: T[] = [];
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private failed = false;
  private error: Error;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxBatch = 200,
  ) {}

  /** Queues an item; resolves at once (rejects when an earlier write failed). */
  add(item: T): Promise<void> {
    if (this.failed) {
      return Promise.reject(this.error);
    }
    this.queue.push(item);
    if (!this.running) {
      this.running = true;
      this.idle = this.drain();
    }
    return Promise.resolve();
  }

  /** Resolves once every item added so far is written; rejects when a write failed. */
  async flush(): Promise<void> {
    await this.idle;
    if (this.failed) {
      throw this.error;
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.failed) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.write(batch);
      } catch (err) {
        this.failed = true;
        this.error = err instanceof Error ? err : new Error(String(err));
        this.queue = [];
      }
    }
    // Cleared in the same synchronous step as the last check, so an item added later starts a new drain.
    this.running = false;
  }
}
