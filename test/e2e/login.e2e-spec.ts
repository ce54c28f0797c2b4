import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { SettingsService } from '@/modules/settings/settings.service';
import { VaultService } from '@/modules/vault/vault.service';
import { createTestApp } from './setup/app';
import { authorizationCode, otherRealmToken } from './setup/keycloak-login';
import { insertLocalUser } from './setup/local-users';
import { decodeJwtPayload } from './setup/tokens';

/** CV3's login (POST /auth/token) against the real Keycloak and OpenBao, driving Keycloak's login form headless. */
describe('Login (POST /api/auth/token)', () => {
  let app: INestApplication;
  let vault: VaultService;
  let connection: Connection;
  let userId: string;

  beforeAll(async () => {
    app = await createTestApp({ database: 'cv3_e2e_login' });
    vault = app.get(VaultService);
    connection = app.get<Connection>(getConnectionToken());
  });

  beforeEach(async () => {
    userId = await insertLocalUser(app, 'user', { role: 'user', active: true, allowLogin: true });
    if (!(await vault.transitKeyExists(userId))) {
      await vault.createTransitKey(userId, 'rsa-4096', { deletionAllowed: true });
    }
  });

  afterEach(async () => {
    await connection.collection('user.info').deleteMany({});
  });

  afterAll(async () => {
    await vault?.deleteTransitKey(userId).catch(() => undefined);
    await connection?.dropDatabase();
    await app?.close();
  });

  async function login(): Promise<request.Response> {
    const { code, redirectUri } = await authorizationCode('user');
    return request(app.getHttpServer())
      .post('/api/auth/token')
      .send({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  }

  it('should log a local user in with an authorization code and return both tokens', async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'refresh_token']);
    const claims = decodeJwtPayload(res.body.access_token);
    expect(claims.sub).toBe(userId);
    expect(claims.azp).toBe('cv3-backend');

    const info = await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', `Bearer ${res.body.access_token}`)
      .expect(200);
    expect(info.body).toMatchObject({ userId, username: 'user', role: 'user', active: true, allowLogin: true });
  });

  it('should refresh the tokens', async () => {
    const { body } = await login();
    const res = await request(app.getHttpServer())
      .post('/query/auth/token')
      .send({ grant_type: 'refresh_token', refresh_token: body.refresh_token })
      .expect(200);
    expect(res.body.access_token).not.toBe(body.access_token);
    expect(decodeJwtPayload(res.body.access_token).sub).toBe(userId);
  });

  it('should log out, after which the refresh token is refused', async () => {
    const { body } = await login();
    await request(app.getHttpServer()).post('/api/auth/logout').send({ refresh_token: body.refresh_token }).expect(204);
    const res = await request(app.getHttpServer())
      .post('/api/auth/token')
      .send({ grant_type: 'refresh_token', refresh_token: body.refresh_token })
      .expect(401);
    expect(res.body.code).toBe('AUTH_GRANT_REJECTED');
  });

  it('should refuse a code that was already used', async () => {
    const { code, redirectUri } = await authorizationCode('user');
    const send = () =>
      request(app.getHttpServer())
        .post('/api/auth/token')
        .send({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    await send().expect(200);
    const again = await send().expect(401);
    expect(again.body.code).toBe('AUTH_GRANT_REJECTED');
  });

  it('should refuse a user without a local row', async () => {
    await connection.collection('user.info').deleteMany({ userId });
    const res = await login();
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('AUTH_USER_NOT_REGISTERED');
  });

  it('should auto-register an unknown user as inactive when the system settings say so', async () => {
    await connection.collection('user.info').deleteMany({ userId });
    const settings = app.get(SettingsService);
    const config = await settings.getSystemConfig();
    await settings.replaceSystemConfig({
      ...config,
      federationSettings: { ...config.federationSettings, autoUserRegistration: true },
    });
    try {
      const res = await login();
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('AUTH_USER_INACTIVE');
      const row = await connection.collection('user.info').findOne({ userId });
      expect(row).toMatchObject({ username: 'user', role: 'user', active: false, allowLogin: false });
    } finally {
      await settings.replaceSystemConfig(config);
    }
  });

  it('should refuse an inactive user', async () => {
    await connection.collection('user.info').updateOne({ userId }, { $set: { active: false } });
    const res = await login();
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('AUTH_USER_INACTIVE');
  });

  it('should refuse a user without a transit key', async () => {
    await vault.deleteTransitKey(userId);
    const res = await login();
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('AUTH_LOGIN_NOT_PERMITTED');
  });

  it('should refuse a redirect URI the installation is not configured with', async () => {
    const res = await request(app.getHttpServer())
      .post('/api/auth/token')
      .send({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://evil.example.com/cb' })
      .expect(400);
    expect(res.body.message).toContain('redirect_uri');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown grant type', { grant_type: 'password', username: 'u' }, 'grant_type'],
    ['a missing code', { grant_type: 'authorization_code' }, 'code'],
    ['a missing refresh token', { grant_type: 'refresh_token' }, 'refresh_token'],
    ['a wrong type', { grant_type: 'refresh_token', refresh_token: 42 }, 'refresh_token'],
    ['an unknown key', { grant_type: 'refresh_token', refresh_token: 'x', admin: true }, 'admin'],
  ])('should answer 400 naming the field for %s', async (_name, body, field) => {
    const res = await request(app.getHttpServer()).post('/api/auth/token').send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toContain(field);
  });

  it('should refuse a token from another realm of the same Keycloak', async () => {
    const token = await otherRealmToken();
    const res = await request(app.getHttpServer())
      .get('/api/auth/user-info')
      .set('Authorization', `Bearer ${token}`)
      .expect(401);
    expect(res.body.code).toBe('AUTH_TOKEN_INVALID');
  });
});
