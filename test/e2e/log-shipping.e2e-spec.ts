import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestApp } from './setup/app';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One fake collector for both: Loki's push path and Splunk's event path on the same 127.0.0.1 port. */
class Collector {
  readonly requests: Received[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.requests.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(req.url?.startsWith('/loki') ? 204 : 200).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every shipped pino line, with the Loki labels or the Splunk envelope it came with. */
  lokiLines(): { labels: Record<string, string>; line: any; headers: IncomingHttpHeaders }[] {
    return this.requests
      .filter((r) => r.url === '/loki/api/v1/push')
      .flatMap((r) =>
        (JSON.parse(r.body).streams as { stream: Record<string, string>; values: [string, string][] }[]).flatMap((s) =>
          s.values.map(([, line]) => ({ labels: s.stream, line: JSON.parse(line), headers: r.headers })),
        ),
      );
  }

  splunkEvents(): { envelope: any; headers: IncomingHttpHeaders }[] {
    return this.requests
      .filter((r) => r.url === '/services/collector/event')
      .flatMap((r) => r.body.split('\n').map((l) => ({ envelope: JSON.parse(l), headers: r.headers })));
  }
}

async function waitFor(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) {
      throw new Error('condition not met in time');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/*
 * The real app with Loki and Splunk HEC enabled, pointed at a collector on 127.0.0.1: the request log lines arrive
 * with the configured labels and credentials, redacted, on the flush interval and on shutdown.
 */
describe('Log shipping (Loki, Splunk HEC)', () => {
  const collector = new Collector();
  let app: INestApplication | undefined;
  const level = process.env.CV3_LOG_LEVEL;

  beforeAll(async () => {
    const base = await collector.start();
    // Request lines are logged at info; e2e runs default to warn.
    process.env.CV3_LOG_LEVEL = 'info';
    app = await createTestApp({
      database: 'cv3_e2e_log_shipping',
      patch: (cfg) => {
        cfg.Logging.Name = 'cv3-e2e';
        cfg.Logging.Loki = {
          Enabled: true,
          Endpoint: base,
          Tags: { env: 'e2e', deployment: 'ci' },
          Auth: { Enabled: true, Username: 'loki-e2e', Password: 'loki-e2e-pass' },
        };
        cfg.Logging.SplunkHEC = { Enabled: true, HecEndpoint: base, Token: 'hec-e2e-token' };
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    await collector.stop();
    if (level === undefined) {
      delete process.env.CV3_LOG_LEVEL;
    } else {
      process.env.CV3_LOG_LEVEL = level;
    }
  });

  it('should ship the 401 request line to Loki with the tags as labels and basic auth', async () => {
    await request(app!.getHttpServer())
      .get('/api/auth/user-info')
      .set('x-request-id', 'e2e-ship-1')
      .set('authorization', 'Bearer not-a-real-e2e-token')
      .expect(401);

    const mine = () => collector.lokiLines().filter((l) => l.line.req?.id === 'e2e-ship-1' && l.line.res);
    await waitFor(() => mine().length > 0);
    const [{ labels, line, headers }] = mine();
    expect(labels).toEqual({ app: 'cv3-e2e', env: 'e2e', deployment: 'ci', level: 'info' });
    expect(headers.authorization).toBe(`Basic ${Buffer.from('loki-e2e:loki-e2e-pass').toString('base64')}`);
    expect(line).toMatchObject({
      name: 'cv3-e2e',
      req: { id: 'e2e-ship-1', method: 'GET', url: '/api/auth/user-info' },
      res: { statusCode: 401 },
    });
    expect(collector.requests.map((r) => r.body).join('\n')).not.toContain('not-a-real-e2e-token');
  });

  it('should ship the same request line to Splunk HEC with its token', async () => {
    const mine = () => collector.splunkEvents().filter((e) => e.envelope.event?.req?.id === 'e2e-ship-1');
    await waitFor(() => mine().length > 0);
    const [{ envelope, headers }] = mine();
    expect(headers.authorization).toBe('Splunk hec-e2e-token');
    expect(envelope).toMatchObject({
      source: 'cv3-e2e',
      sourcetype: '_json',
      host: expect.any(String),
      time: expect.any(Number),
      event: { req: { url: '/api/auth/user-info' }, res: { statusCode: 401 } },
    });
  });

  it('should flush the last lines when the app shuts down', async () => {
    await request(app!.getHttpServer()).get('/api/auth/user-info').set('x-request-id', 'e2e-ship-last').expect(401);
    await app!.close();
    app = undefined;
    // No waiting: close() itself flushed.
    expect(collector.lokiLines().some((l) => l.line.req?.id === 'e2e-ship-last')).toBe(true);
    expect(collector.splunkEvents().some((e) => e.envelope.event?.req?.id === 'e2e-ship-last')).toBe(true);
  });
});
