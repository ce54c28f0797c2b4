import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { type Queue, QueueEvents } from 'bullmq';
import { RECORD_QUERY_QUEUE, type RecordJobData } from './record.queue';

/** Wakes waiters when a query's job ends; callers still re-read the query, this only saves them polling. */
export interface QueryEndSignal {
  /** Resolves when the job of `queryId` completes or fails (in any process), or after `ms`, whichever is first. */
  wait(queryId: string, ms: number): Promise<void>;
}

/**
 * The signal over BullMQ's queue events (a Redis stream), so an API process hears of jobs finished by a worker.
 * The listening connection opens at the first wait; an event missed (e.g. Redis down) only costs the caller's poll.
 */
@Injectable()
export class RecordQueryEvents implements QueryEndSignal, OnModuleDestroy {
  private readonly logger = new Logger(RecordQueryEvents.name);
  private events?: QueueEvents;
  private listening?: Promise<void>;
  private closed = false;
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(@InjectQueue(RECORD_QUERY_QUEUE) private readonly queue: Queue<RecordJobData>) {}

  wait(queryId: string, ms: number): Promise<void> {
    // Not awaited: the queue's client waits for Redis, and the wait must end after `ms` even when Redis is down.
    this.listening ??= this.listen().catch((err: unknown) => {
      this.listening = undefined;
      this.logger.warn({ err: (err as Error).message }, 'could not listen to record query events');
    });
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.remove(queryId, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      let set = this.waiters.get(queryId);
      if (!set) {
        set = new Set();
        this.waiters.set(queryId, set);
      }
      set.add(done);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const set of this.waiters.values()) {
      set.forEach((done) => done());
    }
    await this.events?.close();
  }

  private async listen(): Promise<void> {
    const connection = await this.queue.client;
    if (this.closed) {
      return;
    }
    // QueueEvents duplicates the connection it is given: the queue's stays free.
    this.events = new QueueEvents(RECORD_QUERY_QUEUE, { connection, prefix: this.queue.opts.prefix });
    const wake = ({ jobId }: { jobId: string }) => this.waiters.get(jobId)?.forEach((done) => done());
    this.events.on('completed', wake);
    this.events.on('failed', wake);
    this.events.on('error', (err) => this.logger.warn({ err: err.message }, 'record query events unavailable'));
  }

  private remove(queryId: string, done: () => void): void {
    const set = this.waiters.get(queryId);
    set?.delete(done);
    if (set?.size === 0) {
      this.waiters.delete(queryId);
    }
  }
}
