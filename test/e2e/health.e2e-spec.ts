import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestApp } from './setup/app';

describe('Health', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp({ database: 'cv3_e2e_health' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('should answer liveness without checking dependencies', async () => {
    const res = await request(app.getHttpServer()).get('/health/live').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('should report every service of the stack up when ready', async () => {
    const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body.info).toEqual({
      mongodb: { status: 'up' },
      redis: { status: 'up' },
      vault: { status: 'up' },
      keycloak: { status: 'up' },
    });
  });

  it('should echo the caller request id', async () => {
    const res = await request(app.getHttpServer()).get('/health/live').set('x-request-id', 'probe-42').expect(200);
    expect(res.headers['x-request-id']).toBe('probe-42');
  });
});
