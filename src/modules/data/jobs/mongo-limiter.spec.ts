import { MongoLimiter } from './mongo-limiter';

describe(MongoLimiter.name, () => {
  it('should never run more than MaxJobs operations at once', async () => {
    const limiter = new MongoLimiter({ maxJobs: 3 } as never);
    let running = 0;
    let peak = 0;
    const op = () =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      });
    await Promise.all(Array.from({ length: 20 }, op));
    expect(peak).toBe(3);
    expect(limiter.inUse).toBe(0);
  });

  it('should release the slot when an operation fails', async () => {
    const limiter = new MongoLimiter({ maxJobs: 1 } as never);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve(42))).resolves.toBe(42);
  });
});
