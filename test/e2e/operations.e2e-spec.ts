import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { SettingsService } from '@/modules/settings/settings.service';
import { createTestApp } from './setup/app';

describe('Metrics, OpenAPI, CORS and instance info (enabled)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp({
      database: 'cv3_e2e_ops',
      patch: (cfg) => {
        cfg.Metrics.Prometheus = { Enabled: true, Path: '/metrics', Key: 'scrape-key-123' };
        cfg.OpenAPI.Enabled = true;
        cfg.CORS.AllowOrigin = ['https://discover.example.org'];
      },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('should refuse metrics without the bearer key', async () => {
    const res = await request(app.getHttpServer()).get('/metrics').expect(401);
    expect(res.body.code).toBe('METRICS_KEY_REQUIRED');
    expect(res.text).not.toContain('process_cpu');
  });

  it('should refuse metrics with a wrong bearer key', async () => {
    await request(app.getHttpServer()).get('/metrics').set('Authorization', 'Bearer scrape-key-124').expect(401);
  });

  it('should serve process metrics and an HTTP histogram labelled by route template', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200);
    await request(app.getHttpServer()).get('/api/auth/user-info').expect(401);
    await request(app.getHttpServer()).get('/no/such/route/42').expect(404);
    const res = await request(app.getHttpServer())
      .get('/metrics')
      .set('Authorization', 'Bearer scrape-key-123')
      .expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toContain('nodejs_heap_size_used_bytes');
    expect(res.text).toMatch(
      /cv3_http_request_duration_seconds_count\{app="cv3-backend",method="GET",route="\/health\/live",status_code="200"\} [1-9]/,
    );
    expect(res.text).toMatch(/route="\/api\/auth\/user-info",status_code="401"/);
    // Unknown paths share one label instead of creating one series per URL.
    expect(res.text).toMatch(/route="unmatched",status_code="404"/);
    expect(res.text).not.toContain('/no/such/route/42');
  });

  it('should serve the OpenAPI document and Swagger UI', async () => {
    const doc = await request(app.getHttpServer()).get('/api/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api', '/api/auth/user-info', '/health/ready']),
    );
    expect(doc.body.components.securitySchemes.userAccessToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ui = await request(app.getHttpServer()).get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('should answer a CORS preflight from an allowed origin with the configured methods and headers', async () => {
    const res = await request(app.getHttpServer())
      .options('/api/auth/user-info')
      .set('Origin', 'https://discover.example.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'Authorization, Network-Id, X-Upload-Token')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://discover.example.org');
    expect(res.headers['access-control-allow-methods']).toBe('GET,POST,PUT,PATCH,DELETE,OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type,Authorization,Network-Id,X-Upload-Token');
  });

  it('should not grant CORS to another origin', async () => {
    const res = await request(app.getHttpServer())
      .options('/api/auth/user-info')
      .set('Origin', 'https://evil.example.com')
      .set('Access-Control-Request-Method', 'GET');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('should answer instance info publicly, with the stored system settings', async () => {
    const before = await request(app.getHttpServer()).get('/api/').expect(200);
    expect(before.body).toMatchObject({ name: 'Cafe Variome V3', status: 'OK' });
    expect(before.body.uptime).toMatch(/^\d{2,}:\d{2}:\d{2}\.\d{2}$/);

    const settings = app.get(SettingsService);
    const config = await settings.getSystemConfig();
    await settings.replaceSystemConfig({
      ...config,
      instanceSettings: { ...config.instanceSettings, name: 'Leicester Rare Disease Node' },
      ownershipSettings: {
        ...config.ownershipSettings,
        name: 'University of Leicester',
        address: 'University Road',
        email: 'cv3@le.ac.uk',
      },
    });
    const after = await request(app.getHttpServer()).get('/query/').expect(200);
    expect(after.body).toMatchObject({
      name: 'Leicester Rare Disease Node',
      owner: 'University of Leicester',
      ownerAddress: 'University Road',
      ownerEmail: 'cv3@le.ac.uk',
      status: 'OK',
    });
    const stored = await app
      .get<Connection>(getConnectionToken())
      .collection('instance.config')
      .findOne({}, { projection: { instanceSettings: 1 } });
    expect(stored?.instanceSettings.name).toBe('Leicester Rare Disease Node');
    await app.get<Connection>(getConnectionToken()).dropDatabase();
  });
});

describe('Metrics and OpenAPI (disabled)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp({
      database: 'cv3_e2e_ops_off',
      patch: (cfg) => {
        cfg.Metrics.Prometheus.Enabled = false;
        cfg.OpenAPI.Enabled = false;
      },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('should answer 404 on the metrics path', async () => {
    await request(app.getHttpServer()).get('/metrics').expect(404);
  });

  it('should answer 404 for the OpenAPI document and UI', async () => {
    await request(app.getHttpServer()).get('/api/openapi.json').expect(404);
    await request(app.getHttpServer()).get('/api/docs').expect(404);
  });
});
