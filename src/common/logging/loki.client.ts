import { type LogSink, parseLine, post } from './batching-log.stream';

const PUSH_PATH = '/loki/api/v1/push';

/**
 * `Logging.Loki.Endpoint` may be Loki's base URL (`http://loki:3100`, or a gateway with a path prefix such as
 * `https://gw.example/tenant-a`) or the full push URL as Grafana Cloud shows it
 * (`https://logs-….grafana.net/loki/api/v1/push`): the push path is appended unless the URL already ends with it.
 */
export function lokiPushUrl(endpoint: string): string {
  const url = new URL(endpoint);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(PUSH_PATH) ? path : `${path}${PUSH_PATH}`;
  return url.toString();
}

/** Loki rejects a whole push when one label name is not `[a-zA-Z_][a-zA-Z0-9_]*`, so config tags are made valid. */
export function lokiLabelName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(clean) ? clean : `_${clean}`;
}

export interface LokiOptions {
  endpoint: string;
  /** Value of the `app` label. */
  app: string;
  /** `Logging.Loki.Tags`: extra labels on every stream (they may override `app`, not `level`). */
  tags: Record<string, string>;
  auth?: { username: string; password: string };
}

/** Ships to Loki's push API, one stream per level so `level` can be a label. */
export class LokiClient implements LogSink {
  readonly name = 'loki';
  private readonly url: string;
  private readonly labels: Record<string, string>;
  private readonly headers: Record<string, string>;

  constructor(opts: LokiOptions) {
    this.url = lokiPushUrl(opts.endpoint);
    this.labels = { app: opts.app };
    for (const [key, value] of Object.entries(opts.tags)) {
      this.labels[lokiLabelName(key)] = String(value);
    }
    this.headers = { 'content-type': 'application/json' };
    if (opts.auth) {
      const basic = Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64');
      this.headers.authorization = `Basic ${basic}`;
    }
  }

  async send(lines: readonly string[], signal: AbortSignal): Promise<void> {
    const byLevel = new Map<string, [string, string][]>();
    for (const raw of lines) {
      const { time, level, line } = parseLine(raw);
      const values = byLevel.get(level) ?? [];
      // Nanoseconds as a string: epoch ns do not fit a JS number exactly.
      values.push([`${Math.trunc(time)}000000`, line]);
      byLevel.set(level, values);
    }
    const streams = [...byLevel].map(([level, values]) => ({ stream: { ...this.labels, level }, values }));
    await post(this.url, { headers: this.headers, body: JSON.stringify({ streams }) }, signal);
  }
}
