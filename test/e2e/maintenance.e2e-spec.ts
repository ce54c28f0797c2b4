import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { createTestApp } from './setup/app';
import { stack } from './setup/stack';

const DB = 'cv3_e2e_maintenance';

/** The shared secret as the stack provisioned it, read with the root token. */
async function sharedSecret(): Promise<string> {
  const res = await fetch(`${stack.vaultAddr}/v1/kv/data/cv3/shared-secret`, {
    headers: { 'X-Vault-Token': stack.vaultRootToken },
  });
  if (res.status !== 200) {
    throw new Error(`cannot read the shared secret: ${res.status}`);
  }
  const body = (await res.json()) as { data: { data: { secret: string } } };
  return body.data.data.secret;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Maintenance mode (POST /config/maintenance)', () => {
  let app: INestApplication;
  let connection: Connection;
  let secret: string;
  /** Each accepted request needs a newer timestamp: count up from inside the window. */
  let next = nowSeconds() - 50;
  const ts = () => ++next;

  const http = () => request(app.getHttpServer());
  const stored = () => connection.collection('instance.maintenance').findOne({ _id: 'maintenance' as any });

  function toggle(
    body: object,
    opts: { timestamp?: number | string | null; auth?: string | null; base?: string; server?: INestApplication } = {},
  ) {
    const req = request((opts.server ?? app).getHttpServer()).post(`${opts.base ?? '/api'}/config/maintenance`);
    if (opts.auth !== null) {
      req.set('Authorization', opts.auth ?? `Bearer ${secret}`);
    }
    if (opts.timestamp !== null) {
      req.set('X-Timestamp', String(opts.timestamp ?? ts()));
    }
    return req.send(body);
  }

  beforeAll(async () => {
    secret = await sharedSecret();
    app = await createTestApp({ database: DB });
    connection = app.get<Connection>(getConnectionToken());
    await connection.collection('instance.maintenance').deleteMany({});
  });

  afterAll(async () => {
    // Never leave the database in maintenance for the next run.
    await connection?.dropDatabase();
    await app?.close();
  });

  describe('authentication', () => {
    it('should refuse a wrong shared secret with 401 and change nothing', async () => {
      const res = await toggle({ maintenance: true }, { auth: 'Bearer not-the-secret' }).expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'SHARED_SECRET_INVALID' });
      expect(await stored()).toBeNull();
    });

    it('should refuse a Keycloak-style or missing Authorization header with 401', async () => {
      const res = await toggle({ maintenance: true }, { auth: null }).expect(401);
      expect(res.body.code).toBe('SHARED_SECRET_MISSING');
      await toggle({ maintenance: true }, { auth: `Basic ${secret}` }).expect(401);
    });

    it.each([
      ['more than 60 s old', () => nowSeconds() - 120],
      ['more than 60 s ahead', () => nowSeconds() + 120],
    ])('should refuse a timestamp %s with 403 MAINTENANCE_TIMESTAMP_STALE', async (_label, timestamp) => {
      const res = await toggle({ maintenance: true }, { timestamp: timestamp() }).expect(403);
      expect(res.body.code).toBe('MAINTENANCE_TIMESTAMP_STALE');
      expect(await stored()).toBeNull();
    });

    it('should refuse a missing or malformed X-Timestamp with 400', async () => {
      const missing = await toggle({ maintenance: true }, { timestamp: null }).expect(400);
      expect(missing.body.code).toBe('MAINTENANCE_TIMESTAMP_INVALID');
      await toggle({ maintenance: true }, { timestamp: `${nowSeconds()}000.5` }).expect(400);
    });

    it.each([
      ['an oversize message', { maintenance: true, message: 'x'.repeat(501) }, 'message'],
      ['a missing flag', { message: 'hi' }, 'maintenance'],
      ['a string flag', { maintenance: 'true' }, 'maintenance must be a boolean'],
      ['an unknown key', { maintenance: true, until: 'tomorrow' }, 'property until'],
    ])('should refuse %s with 400 naming the field without using up the timestamp', async (_l, body, field) => {
      const timestamp = ts();
      const res = await toggle(body, { timestamp }).expect(400);
      expect(res.body.message).toContain(field);
      expect(await stored()).toBeNull();
    });
  });

  describe('on and off', () => {
    const MESSAGE = 'Upgrading to 3.1, back at 14:00';

    afterAll(async () => {
      await toggle({ maintenance: false });
    });

    it('should turn maintenance on and store it', async () => {
      const timestamp = ts();
      const res = await toggle({ maintenance: true, message: MESSAGE }, { timestamp }).expect(200);
      expect(res.body).toEqual({ status: 'Success' });
      expect(await stored()).toMatchObject({ maintenance: true, message: MESSAGE, lastTimestamp: timestamp });
    });

    it.each([
      ['GET', '/api/'],
      ['GET', '/api/config/global'],
      ['POST', '/query/config/user'],
      ['GET', '/query/config/keycloak'],
      ['GET', '/health/ready'],
      ['GET', '/no/such/route'],
      ['GET', '/api/config/maintenance'],
    ])('should answer %s %s with 503 and the message, before authentication', async (method, path) => {
      const res = await (method === 'GET' ? http().get(path) : http().post(path).send({}))
        .set('x-request-id', 'maint-e2e-1')
        .expect(503);
      expect(res.body).toEqual({ statusCode: 503, code: 'MAINTENANCE', message: MESSAGE, requestId: 'maint-e2e-1' });
    });

    it('should keep liveness answering', async () => {
      await http().get('/health/live').expect(200);
    });

    it('should refuse a replayed timestamp and an older one with 403', async () => {
      const last = ((await stored()) as any).lastTimestamp as number;
      const replay = await toggle({ maintenance: false }, { timestamp: last }).expect(403);
      expect(replay.body.code).toBe('MAINTENANCE_TIMESTAMP_REPLAYED');
      await toggle({ maintenance: false }, { timestamp: last - 1 }).expect(403);
      expect(await stored()).toMatchObject({ maintenance: true, lastTimestamp: last });
    });

    it('should still check the secret while on', async () => {
      await toggle({ maintenance: false }, { auth: 'Bearer wrong' }).expect(401);
      await http().get('/api/').expect(503);
    });

    it('should turn maintenance off through /query and serve every route again', async () => {
      await toggle({ maintenance: false }, { base: '/query' }).expect(200);
      expect(await stored()).toMatchObject({ maintenance: false, message: '' });
      await http().get('/api/').expect(200);
      await http().get('/query/config/keycloak').expect(200);
      await http().get('/api/config/global').expect(401);
    });
  });

  describe('across processes', () => {
    let other: INestApplication;

    beforeAll(async () => {
      // A second backend process on the same database.
      other = await createTestApp({ database: DB });
    });

    afterAll(async () => {
      await other?.close();
    });

    it('should apply a change made by one process in the other within the cache time', async () => {
      await request(other.getHttpServer()).get('/api/').expect(200);
      await toggle({ maintenance: true, message: 'elsewhere' }).expect(200);
      const deadline = Date.now() + 3000;
      let status = 200;
      while (status !== 503 && Date.now() < deadline) {
        status = (await request(other.getHttpServer()).get('/api/')).status;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(503);
      await toggle({ maintenance: false }, { server: other }).expect(200);
    });

    it('should accept one timestamp once when two processes receive it at the same time', async () => {
      const timestamp = ts();
      const results = await Promise.all([
        toggle({ maintenance: false }, { timestamp }),
        toggle({ maintenance: false }, { timestamp, server: other }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 403]);
    });
  });
});

describe('Maintenance mode with Vault down', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp({
      database: 'cv3_e2e_maintenance_novault',
      patch: (cfg) => {
        // Nothing listens there.
        cfg.Vault.Host = 'http://127.0.0.1:9';
      },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('should answer 503 instead of deciding without the secret', async () => {
    const res = await request(app.getHttpServer())
      .post('/api/config/maintenance')
      .set('Authorization', 'Bearer anything')
      .set('X-Timestamp', String(nowSeconds()))
      .send({ maintenance: true })
      .expect(503);
    expect(res.body.statusCode).toBe(503);
    await request(app.getHttpServer()).get('/api/').expect(200);
  });
});
