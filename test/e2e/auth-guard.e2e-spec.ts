import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { createTestApp } from './setup/app';
import { insertLocalUser } from './setup/local-users';
import { stack } from './setup/stack';
import { decodeJwtPayload, passwordGrant } from './setup/tokens';

/*
 * The global guard verifies real Keycloak tokens against the realm's JWKS.
 * Each refusal is a distinct real token (or a real token altered), never a mocked verifier.
 */
describe('AuthGuard (Keycloak JWKS)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp({ database: 'cv3_e2e_auth' });
    await insertLocalUser(app, 'dataadmin', { role: 'dataAdmin' });
    await insertLocalUser(app, 'user', { role: 'user' });
  });

  afterAll(async () => {
    await app?.get<Connection>(getConnectionToken()).dropDatabase();
    await app?.close();
  });

  it('should accept a valid access token and answer with the local user of its subject', async () => {
    const { access_token } = await passwordGrant('dataadmin');
    const claims = decodeJwtPayload(access_token);
    const res = await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(200);
    expect(res.body).toMatchObject({
      userId: claims.sub,
      username: 'dataadmin',
      email: 'dataadmin@cafevariome.test',
      role: 'dataAdmin',
    });
  });

  it('should refuse a request without a token with 401 and a WWW-Authenticate challenge', async () => {
    const res = await request(app.getHttpServer()).get('/api/auth/user-info').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="Access token required"');
    expect(res.body).toMatchObject({ statusCode: 401, code: 'AUTH_TOKEN_MISSING' });
    expect(typeof res.body.requestId).toBe('string');
  });

  it('should refuse a token whose signature was tampered with', async () => {
    const { access_token } = await passwordGrant('user');
    const [h, p, s] = access_token.split('.');
    // Flip one byte in the middle of the signature.
    const sig = Buffer.from(s, 'base64url');
    sig[sig.length >> 1] ^= 0xff;
    const res = await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', `Bearer ${h}.${p}.${sig.toString('base64url')}`)
      .expect(401);
    expect(res.body.code).toBe('AUTH_TOKEN_INVALID');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('should refuse a token whose claims were altered after signing', async () => {
    const { access_token } = await passwordGrant('user');
    const [h, , s] = access_token.split('.');
    const claims = { ...decodeJwtPayload(access_token), preferred_username: 'developer' };
    const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
    await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', `Bearer ${h}.${forged}.${s}`)
      .expect(401);
  });

  it('should refuse an unsigned token (alg none)', async () => {
    const { access_token } = await passwordGrant('user');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = access_token.split('.')[1];
    await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', `Bearer ${header}.${payload}.`)
      .expect(401);
  });

  it('should refuse a token issued for a client without the backend audience', async () => {
    const { access_token } = await passwordGrant('user', 'cv3-test-noaud');
    const aud = decodeJwtPayload(access_token).aud;
    expect([aud].flat()).not.toContain(stack.backendClient);
    const res = await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(401);
    expect(res.body.message).toContain('aud');
  });

  it('should refuse an expired token', async () => {
    const { access_token } = await passwordGrant('user', 'cv3-test-short');
    const { exp } = decodeJwtPayload(access_token) as { exp: number };
    // Accepted while valid, refused once its own exp has passed.
    await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(200);
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 1100));
    const res = await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(401);
    expect(res.body.code).toBe('AUTH_TOKEN_EXPIRED');
  });

  it('should refuse a malformed Authorization header', async () => {
    await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', 'Basic dXNlcjpwYXNz')
      .expect(401);
  });

  it('should serve public routes without a token', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200);
  });
});

describe('AuthGuard with another issuer configured', () => {
  let app: INestApplication;

  beforeAll(async () => {
    // Same Keycloak and keys (BackendURL), but the app expects tokens issued under another public URL.
    app = await createTestApp({
      database: 'cv3_e2e_auth_iss',
      patch: (cfg) => {
        cfg.Keycloak.URL = String(cfg.Keycloak.URL).replace('127.0.0.1', 'localhost');
      },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('should refuse a correctly signed token from the wrong issuer', async () => {
    const { access_token } = await passwordGrant('user');
    const res = await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(401);
    expect(res.body.message).toContain('iss');
  });
});
