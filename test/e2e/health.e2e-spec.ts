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

describe('Health in Neo4j mode', () => {
  const neo4jApp = (uri?: string) =>
    createTestApp({
      database: 'cv3_e2e_health_neo4j',
      patch: (cfg) => {
        cfg.Neo4j = { ...cfg.Neo4j, Enabled: true, ...(uri ? { URI: uri } : {}) };
      },
    });

  it('should check Neo4j as well, and only then', async () => {
    const app = await neo4jApp();
    try {
      const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(res.body.info.neo4j).toEqual({ status: 'up' });
    } finally {
      await app.close();
    }
  });

  it('should answer 503 naming neo4j when it does not answer', async () => {
    // A port nothing listens on.
    const app = await neo4jApp('bolt://127.0.0.1:9');
    try {
      const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(res.body.code).toBe('NOT_READY');
      expect(res.body.message).toBe('Not ready: neo4j down');
      expect(res.body.details.neo4j.status).toBe('down');
    } finally {
      await app.close();
    }
  });
});
