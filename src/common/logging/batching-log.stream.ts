import { levels } from 'pino';

/** One collector (Loki, Splunk HEC): ships a batch of pino JSON lines or throws a `ShipError`. */
export interface LogSink {
  readonly name: string;
  send(lines: readonly string[], signal: AbortSignal): Promise<void>;
}

/** A failed shipment. Retryable failures (collector down, slow, 5xx, 429) keep the batch for the next flush. */
export class ShipError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ShipError';
  }
}

export interface BatchingOptions {
  /** Lines kept in memory at most; past that the oldest are dropped and counted. */
  maxBuffer: number;
  /** Lines per HTTP request at most; a full batch is shipped without waiting for the interval. */
  batchSize: number;
  flushIntervalMs: number;
  /** Each HTTP call, body included, is aborted after this. */
  requestTimeoutMs: number;
}

export const DEFAULT_BATCHING: BatchingOptions = {
  maxBuffer: 10_000,
  batchSize: 500,
  flushIntervalMs: 1_000,
  requestTimeoutMs: 5_000,
};

/**
 * Reports shipping failures on stderr at most once per interval. Never through pino: a log line about
 * failing to ship log lines would be queued for the same failing collector.
 */
export class ErrorReporter {
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs = 60_000,
    private readonly out: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  /** `force` bypasses the rate limit, for the one summary written at shutdown. */
  report(message: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < this.intervalMs) {
      return;
    }
    this.last = now;
    this.out(`${new Date(now).toISOString()} log shipping: ${message}\n`);
  }
}

/** POSTs and drains the response (so the connection is reused), throwing a `ShipError` on anything but 2xx. */
export async function post(url: string, init: RequestInit, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, method: 'POST', signal });
  } catch (err) {
    throw new ShipError(`POST ${url} failed: ${describe(err)}`, true);
  }
  let body = '';
  try {
    body = await res.text();
  } catch (err) {
    if (res.ok) {
      throw new ShipError(`POST ${url} failed reading the response: ${describe(err)}`, true);
    }
  }
  if (!res.ok) {
    // 4xx other than 408/429 means this batch or our credentials are wrong: sending it again cannot help.
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
    throw new ShipError(`POST ${url} answered ${res.status}: ${body.slice(0, 200)}`, retryable);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.name}: ${err.message}${cause}`;
  }
  return String(err);
}

export interface ParsedLine {
  /** Epoch milliseconds. */
  time: number;
  /** pino's level label: trace … fatal. */
  level: string;
  /** The line without its newline. */
  line: string;
  /** The parsed object, when the line is JSON. */
  obj?: Record<string, unknown>;
}

/** Lines are parsed when shipped, not when written, so a log call only pays for an array push. */
export function parseLine(raw: string): ParsedLine {
  const line = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
  try {
    const obj = JSON.parse(line) as unknown;
    if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) {
      const rec = obj as Record<string, unknown>;
      const time = typeof rec.time === 'number' ? rec.time : Date.now();
      const level = typeof rec.level === 'number' ? (levels.labels[rec.level] ?? String(rec.level)) : 'info';
      return { time, level, line, obj: rec };
    }
  } catch {
    // Not JSON (e.g. a pretty-printed line): shipped as plain text.
  }
  return { time: Date.now(), level: 'info', line };
}

/**
 * A pino destination that buffers lines in memory and ships them to one collector in batches, off the log
 * call's path. A collector that is down, slow or failing never blocks or throws into the app: the buffer is
 * bounded (oldest dropped and counted), each request has a timeout, at most one request is in flight, and
 * errors are only reported on stderr, at most once a minute.
 */
export class BatchingLogStream {
  private buffer: string[] = [];
  private inFlight?: Promise<void>;
  private closed = false;
  private readonly closing = new AbortController();
  private readonly timer: NodeJS.Timeout;
  /** Lines dropped: buffer full, rejected by the collector, or left when closing. */
  dropped = 0;
  /** Lines the collector accepted. */
  shipped = 0;

  constructor(
    readonly sink: LogSink,
    private readonly opts: BatchingOptions = DEFAULT_BATCHING,
    private readonly reporter = new ErrorReporter(),
  ) {
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs);
    this.timer.unref();
  }

  /** Lines waiting to be shipped. */
  get pending(): number {
    return this.buffer.length;
  }

  write(line: string): void {
    if (this.closed) {
      this.dropped++;
      return;
    }
    this.buffer.push(line);
    if (this.buffer.length > this.opts.maxBuffer) {
      this.drop(this.buffer.length - this.opts.maxBuffer, 'buffer full');
    }
    if (this.buffer.length >= this.opts.batchSize && !this.inFlight) {
      void this.flush();
    }
  }

  /** Ships what is buffered; resolves (never rejects) when the buffer is empty or a request failed. */
  flush(): Promise<void> {
    this.inFlight ??= this.drain().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Stops the timer and ships what is left, giving up (and aborting the request) after `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    clearInterval(this.timer);
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      deadline = setTimeout(() => {
        this.closing.abort();
        resolve();
      }, timeoutMs);
    });
    // The race also bounds a sink that ignores its abort signal.
    await Promise.race([this.drainAll(), timedOut]);
    clearTimeout(deadline);
    if (this.buffer.length > 0) {
      this.drop(this.buffer.length, 'shutdown timeout');
    }
    if (this.dropped > 0) {
      this.reporter.report(`${this.sink.name}: closed, ${this.dropped} lines were never shipped`, true);
    }
  }

  private async drainAll(): Promise<void> {
    // A request already in flight may have started before the last lines arrived: drain until empty.
    while (this.buffer.length > 0 || this.inFlight) {
      await this.flush();
    }
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.opts.batchSize);
      try {
        await this.sink.send(
          batch,
          AbortSignal.any([AbortSignal.timeout(this.opts.requestTimeoutMs), this.closing.signal]),
        );
        this.shipped += batch.length;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (this.closed) {
          // Shutting down: no later flush will come, so everything still buffered is lost.
          this.buffer.unshift(...batch);
          this.drop(this.buffer.length, message);
        } else if (err instanceof ShipError && err.retryable) {
          this.buffer.unshift(...batch);
          if (this.buffer.length > this.opts.maxBuffer) {
            this.dropped += this.buffer.length - this.opts.maxBuffer;
            this.buffer.splice(0, this.buffer.length - this.opts.maxBuffer);
          }
          this.report(message);
        } else {
          this.dropped += batch.length;
          this.report(message);
        }
        return;
      }
    }
  }

  private drop(count: number, why: string): void {
    this.buffer.splice(0, count);
    this.dropped += count;
    this.report(why);
  }

  private report(why: string): void {
    this.reporter.report(`${this.sink.name}: ${why} (${this.dropped} lines dropped so far)`);
  }
}
