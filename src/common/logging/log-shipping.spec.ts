import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigType } from '@nestjs/config';
import pino, { type Logger } from 'pino';
import type { loggingConfig } from '@/config/configs';
import { BatchingLogStream, type BatchingOptions, ErrorReporter } from './batching-log.stream';
import { createShippingStreams, teeDestination } from './log-shipping.service';
import { REDACT } from './logging.module';
import { lokiLabelName, lokiPushUrl } from './loki.client';
import { splunkHecUrl } from './splunk-hec.client';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP collector on 127.0.0.1 that records each request and answers with `reply` (undefined: never). */
class Receiver {
  readonly requests: Received[] = [];
  reply: number | undefined = 204;
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        if (this.reply !== undefined) {
          res.writeHead(this.reply, { 'content-type': 'application/json' }).end(this.reply < 300 ? '' : '{"e":1}');
        }
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A URL where nothing listens: a port that was just bound and released. */
async function closedPortUrl(): Promise<string> {
  const r = new Receiver();
  const url = await r.start();
  await r.stop();
  return url;
}

type LoggingCfg = ConfigType<typeof loggingConfig>;

function config(over: {
  loki?: Partial<LoggingCfg['loki']>;
  splunkHec?: Partial<LoggingCfg['splunkHec']>;
}): LoggingCfg {
  return {
    name: 'cv3-test',
    level: 'INFO',
    loki: { enabled: false, endpoint: '', tags: {}, auth: undefined, ...over.loki },
    splunkHec: { enabled: false, endpoint: '', token: '', ...over.splunkHec },
  };
}

const FAST: BatchingOptions = { maxBuffer: 100, batchSize: 50, flushIntervalMs: 60_000, requestTimeoutMs: 300 };

describe('log shipping', () => {
  let receiver: Receiver;
  let url: string;
  let streams: BatchingLogStream[] = [];
  let consoleLines: string[];
  let reports: string[];

  /** A pino logger as the app builds it (level, redaction) writing to a fake console plus the collectors. */
  function logger(cfg: LoggingCfg, batching: BatchingOptions = FAST, level = 'info'): Logger {
    streams = createShippingStreams(cfg, batching, () => new ErrorReporter(60_000, (t) => reports.push(t)));
    const out = { write: (line: string) => void consoleLines.push(line) };
    return pino({ name: cfg.name, level, redact: REDACT }, teeDestination(out, streams));
  }

  beforeEach(async () => {
    receiver = new Receiver();
    url = await receiver.start();
    consoleLines = [];
    reports = [];
  });

  afterEach(async () => {
    await Promise.all(streams.map((s) => s.close(100)));
    streams = [];
    await receiver.stop();
  });

  describe(lokiPushUrl.name, () => {
    it.each([
      ['http://loki:3100', 'http://loki:3100/loki/api/v1/push'],
      ['http://loki:3100/', 'http://loki:3100/loki/api/v1/push'],
      ['https://gw.example/tenant-a/', 'https://gw.example/tenant-a/loki/api/v1/push'],
      ['https://logs.example/loki/api/v1/push', 'https://logs.example/loki/api/v1/push'],
      ['https://logs.example/loki/api/v1/push/', 'https://logs.example/loki/api/v1/push'],
      ['http://loki:3100?x=1', 'http://loki:3100/loki/api/v1/push?x=1'],
    ])('should map %s to %s', (endpoint, expected) => {
      expect(lokiPushUrl(endpoint)).toBe(expected);
    });

    it.each([
      ['env', 'env'],
      ['k8s-namespace', 'k8s_namespace'],
      ['1st', '_1st'],
    ])('should make the label name %s valid as %s', (name, expected) => {
      expect(lokiLabelName(name)).toBe(expected);
    });
  });

  describe(splunkHecUrl.name, () => {
    it.each([
      ['https://splunk:8088', 'https://splunk:8088/services/collector/event'],
      ['https://splunk:8088/', 'https://splunk:8088/services/collector/event'],
      ['https://splunk:8088/services/collector', 'https://splunk:8088/services/collector'],
      ['https://splunk:8088/services/collector/event', 'https://splunk:8088/services/collector/event'],
    ])('should map %s to %s', (endpoint, expected) => {
      expect(splunkHecUrl(endpoint)).toBe(expected);
    });
  });

  it('should create no stream when neither collector is enabled', () => {
    expect(createShippingStreams(config({}))).toEqual([]);
  });

  it('should push redacted lines to Loki with the tags, app and level as labels and basic auth', async () => {
    const log = logger(
      config({
        loki: {
          enabled: true,
          endpoint: url,
          tags: { env: 'test', 'k8s-ns': 'cv3' },
          auth: { username: 'loki-user', password: 'loki-pass' },
        },
      }),
    );
    log.info({ req: { headers: { authorization: 'Bearer sekrit-token' } }, user: { password: 'hunter2' } }, 'hello');
    log.warn({ password: 'top-level-pw' }, 'careful');
    log.debug('below the level');
    await streams[0].flush();

    expect(receiver.requests).toHaveLength(1);
    const [req] = receiver.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/loki/api/v1/push');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('loki-user:loki-pass').toString('base64')}`);
    expect(req.body).not.toMatch(/sekrit|hunter2|top-level-pw|below the level/);

    const body = JSON.parse(req.body) as { streams: { stream: Record<string, string>; values: [string, string][] }[] };
    const byLevel = Object.fromEntries(body.streams.map((s) => [s.stream.level, s]));
    expect(Object.keys(byLevel).sort()).toEqual(['info', 'warn']);
    expect(byLevel.info.stream).toEqual({ app: 'cv3-test', env: 'test', k8s_ns: 'cv3', level: 'info' });
    const [[ts, line]] = byLevel.info.values;
    const parsed = JSON.parse(line);
    expect(ts).toMatch(/^\d{19}$/);
    expect(ts).toBe(`${parsed.time}000000`);
    expect(parsed).toMatchObject({
      msg: 'hello',
      req: { headers: { authorization: '[redacted]' } },
      user: { password: '[redacted]' },
    });
    expect(JSON.parse(byLevel.warn.values[0][1])).toMatchObject({ msg: 'careful', password: '[redacted]' });
    // The shipped lines are the console's lines.
    expect([line, byLevel.warn.values[0][1]]).toEqual(consoleLines.map((l) => l.trimEnd()));
  });

  it('should send no authorization header to Loki when its auth is off', async () => {
    const log = logger(config({ loki: { enabled: true, endpoint: `${url}/loki/api/v1/push` } }));
    log.info('no auth');
    await streams[0].flush();
    expect(receiver.requests[0].url).toBe('/loki/api/v1/push');
    expect(receiver.requests[0].headers.authorization).toBeUndefined();
  });

  it('should post redacted newline-separated events to Splunk HEC with the token header', async () => {
    const log = logger(config({ splunkHec: { enabled: true, endpoint: url, token: 'hec-token-1' } }));
    log.info({ req: { headers: { authorization: 'Bearer sekrit-token' } }, password: 'hunter2' }, 'first');
    log.error({ err: new Error('boom') }, 'second');
    await streams[0].flush();

    expect(receiver.requests).toHaveLength(1);
    const [req] = receiver.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/services/collector/event');
    expect(req.headers.authorization).toBe('Splunk hec-token-1');
    expect(req.body).not.toMatch(/sekrit|hunter2/);
    const events = req.body.split('\n').map((l): any => JSON.parse(l));
    expect(events).toHaveLength(2);
    const console0 = JSON.parse(consoleLines[0]);
    expect(events[0]).toEqual({
      time: console0.time / 1000,
      host: console0.hostname,
      source: 'cv3-test',
      sourcetype: '_json',
      event: console0,
    });
    expect(events[0].event).toMatchObject({
      msg: 'first',
      password: '[redacted]',
      req: { headers: { authorization: '[redacted]' } },
    });
    expect(events[1].event).toMatchObject({ msg: 'second', level: 50, err: { message: 'boom' } });
  });

  it('should ship to both collectors independently when one of them is down', async () => {
    const down = await closedPortUrl();
    const log = logger(
      config({
        loki: { enabled: true, endpoint: down },
        splunkHec: { enabled: true, endpoint: url, token: 't' },
      }),
    );
    log.info('both');
    await Promise.all(streams.map((s) => s.flush()));
    expect(receiver.requests.map((r) => r.url)).toEqual(['/services/collector/event']);
    expect(streams[0].pending).toBe(1);
    expect(streams[1].shipped).toBe(1);
  });

  it('should ship a full batch without waiting for the interval', async () => {
    const log = logger(config({ loki: { enabled: true, endpoint: url } }), { ...FAST, batchSize: 3 });
    for (let i = 0; i < 3; i++) {
      log.info(`line ${i}`);
    }
    await waitFor(() => receiver.requests.length === 1);
    expect(JSON.parse(receiver.requests[0].body).streams[0].values).toHaveLength(3);
  });

  it('should flush on the interval', async () => {
    const log = logger(config({ loki: { enabled: true, endpoint: url } }), { ...FAST, flushIntervalMs: 50 });
    log.info('tick');
    await waitFor(() => streams[0].shipped === 1);
    expect(receiver.requests).toHaveLength(1);
  });

  it('should keep the newest lines and count the dropped ones when the buffer is full', async () => {
    const log = logger(config({ loki: { enabled: true, endpoint: await closedPortUrl() } }), {
      ...FAST,
      maxBuffer: 5,
      batchSize: 100,
    });
    for (let i = 0; i < 8; i++) {
      log.info(`line ${i}`);
    }
    expect(streams[0].pending).toBe(5);
    expect(streams[0].dropped).toBe(3);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/loki: buffer full \(1 lines dropped so far\)/);
  });

  it('should not block a log call nor fail a flush when the collector is down, and report once a minute', async () => {
    const log = logger(config({ loki: { enabled: true, endpoint: await closedPortUrl() } }));
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      log.info(`down ${i}`);
    }
    expect(performance.now() - started).toBeLessThan(50);
    await expect(streams[0].flush()).resolves.toBeUndefined();
    await streams[0].flush();
    await streams[0].flush();
    // Connection refused is retryable: the lines wait for the collector.
    expect(streams[0].pending).toBe(20);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/log shipping: loki: POST http:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/push failed/);
  });

  it('should report the lines never shipped when closing while the collector is down', async () => {
    const log = logger(config({ loki: { enabled: true, endpoint: await closedPortUrl() } }));
    log.info('lost');
    await streams[0].flush();
    await streams[0].close(500);
    expect(streams[0].dropped).toBe(1);
    expect(reports).toHaveLength(2);
    expect(reports[1]).toMatch(/loki: closed, 1 lines were never shipped/);
  });

  it('should not block a log call when the collector hangs, and time the request out', async () => {
    receiver.reply = undefined;
    const log = logger(config({ splunkHec: { enabled: true, endpoint: url, token: 't' } }));
    const started = performance.now();
    log.info('into the void');
    expect(performance.now() - started).toBeLessThan(50);
    const flushStarted = performance.now();
    await streams[0].flush();
    const took = performance.now() - flushStarted;
    expect(took).toBeGreaterThanOrEqual(FAST.requestTimeoutMs - 20);
    expect(took).toBeLessThan(FAST.requestTimeoutMs + 500);
    expect(receiver.requests).toHaveLength(1);
    expect(streams[0].pending).toBe(1);
    expect(reports[0]).toMatch(/splunk-hec: .*TimeoutError/);
  });

  it('should finish closing within its timeout when the collector hangs, dropping what is left', async () => {
    receiver.reply = undefined;
    const log = logger(config({ loki: { enabled: true, endpoint: url } }), { ...FAST, requestTimeoutMs: 10_000 });
    log.info('stuck');
    const started = performance.now();
    await streams[0].close(200);
    expect(performance.now() - started).toBeLessThan(700);
    expect(streams[0].pending).toBe(0);
    // The aborted request settles right after the deadline.
    await waitFor(() => streams[0].dropped === 1);
    log.info('after close');
    expect(streams[0].pending).toBe(0);
    expect(streams[0].dropped).toBe(2);
  });

  it('should ship what is buffered when closing', async () => {
    const log = logger(config({ loki: { enabled: true, endpoint: url } }), { ...FAST, batchSize: 2 });
    for (let i = 0; i < 5; i++) {
      log.info(`bye ${i}`);
    }
    await streams[0].close(2_000);
    const shipped = receiver.requests.flatMap((r): unknown[] => JSON.parse(r.body).streams[0].values);
    expect(shipped).toHaveLength(5);
    expect(streams[0].shipped).toBe(5);
  });

  it('should retry a batch the collector answered 5xx to', async () => {
    receiver.reply = 503;
    const log = logger(config({ loki: { enabled: true, endpoint: url } }));
    log.info('again');
    await streams[0].flush();
    expect(streams[0].pending).toBe(1);
    receiver.reply = 204;
    await streams[0].flush();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1].body).toBe(receiver.requests[0].body);
    expect(streams[0].shipped).toBe(1);
  });

  it('should drop a batch the collector rejected with 4xx', async () => {
    receiver.reply = 400;
    const log = logger(config({ loki: { enabled: true, endpoint: url } }), { ...FAST, batchSize: 2 });
    streams[0].write('{"msg":"bad 1"}\n');
    streams[0].write('{"msg":"bad 2"}\n');
    log.info('next batch');
    await streams[0].flush();
    // The rejected batch is gone; the line after it waits for the next flush.
    expect(streams[0].dropped).toBe(2);
    expect(streams[0].pending).toBe(1);
    expect(reports[0]).toMatch(/answered 400/);
  });
});

async function waitFor(done: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) {
      throw new Error('condition not met in time');
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
