import type { DefaultJobOptions, WorkerOptions } from 'bullmq';

type ProcessorOptions = Partial<Omit<WorkerOptions, 'connection' | 'autorun'>>;

/**
 * Processors run in the API process by default (single-server set-up) and always in `worker.ts`.
 * `CV3_PROCESSORS=off` makes an API process a pure producer, so workers can be scaled apart.
 */
export function processorsEnabled(): boolean {
  return (process.env.CV3_PROCESSORS ?? 'on').toLowerCase() !== 'off';
}

/**
 * How long a worker's lock on a job lasts without renewal (it renews at half that while alive). A worker that
 * dies mid-job is noticed after about this long and the job is handed to another worker.
 * `CV3_JOB_LOCK_MS` (default 60 s) shortens it, e.g. for tests.
 */
function lockMs(): number {
  const ms = Number(process.env.CV3_JOB_LOCK_MS ?? 60_000);
  return Number.isFinite(ms) && ms >= 1000 ? ms : 60_000;
}

export function processorOptions(opts: ProcessorOptions = {}): ProcessorOptions & { autorun: boolean } {
  return { lockDuration: lockMs(), stalledInterval: lockMs(), ...opts, autorun: processorsEnabled() };
}

/** Job defaults of every queue: bounded retries with backoff; completed jobs go, failed ones stay for inspection. */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * The queues' key prefix: one namespace per installation (its database), so that installations, test apps and
 * benchmarks sharing a Redis never take each other's jobs; a hash tag, so every key of a queue lands in one slot
 * in Redis Cluster mode.
 */
export function queuePrefix(database: string): string {
  return `{cv3:${database.replace(/[{}]/g, '_')}}`;
}
