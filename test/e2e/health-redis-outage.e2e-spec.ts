import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestApp } from './setup/app';

const STACK = join(__dirname, '../../bin/cv3-stack');

function stack(...args: string[]): void {
  execFileSync(STACK, args, { stdio: 'pipe', timeout: 60_000 });
}

/** Stops the stack's real Redis in the middle of the test, then starts it again. */
describe('Readiness during a Redis outage', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp({ database: 'cv3_e2e_outage' });
  });

  afterAll(async () => {
    stack('up', '--only', 'redis');
    await app?.close();
  });

  it('should answer 503 naming redis while it is down, keep serving, and recover when it is back', async () => {
    await request(app.getHttpServer()).get('/health/ready').expect(200);

    stack('stop', 'redis');
    const down = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(down.body).toMatchObject({ statusCode: 503, code: 'NOT_READY', message: 'Not ready: redis down' });
    expect(down.body.details).toMatchObject({
      redis: { status: 'down' },
      mongodb: { status: 'up' },
      vault: { status: 'up' },
      keycloak: { status: 'up' },
    });

    // Other requests are still served meanwhile, promptly.
    await request(app.getHttpServer()).get('/health/live').expect(200);
    await request(app.getHttpServer()).get('/api/').expect(200);

    stack('up', '--only', 'redis');
    // The health client reconnects within its retry interval (1 s).
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await request(app.getHttpServer()).get('/health/ready')).status;
    }
    expect(status).toBe(200);
  });
});
