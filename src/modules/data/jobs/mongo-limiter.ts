import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { mongoConfig } from '@/config/configs';

/**
 * One limit per process on concurrent heavy MongoDB operations (bulk writes, large reads, index builds):
 * `MongoDB.MaxJobs`, as CV3's shared semaphore. Light CRUD does not go through it.
 */
@Injectable()
export class MongoLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(@Inject(mongoConfig.KEY) private readonly cfg: ConfigType<typeof mongoConfig>) {}

  get limit(): number {
    return this.cfg.maxJobs;
  }

  get inUse(): number {
    return this.active;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.cfg.maxJobs) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      // The slot passes straight to the next waiter.
      next();
    } else {
      this.active--;
    }
  }
}
