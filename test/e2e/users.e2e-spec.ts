import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { createTestApp } from './setup/app';
import {
  deleteRealmUser,
  deleteTransitKey,
  findRealmUserByEmail,
  findRealmUserById,
  transitKey,
} from './setup/keycloak-admin';
import { insertLocalUser } from './setup/local-users';
import { waitForMail } from './setup/stack';
import { passwordGrant, type TestUser } from './setup/tokens';

/*
 * User management against the real Keycloak (admin API), OpenBao (transit keys) and SMTP sink (Keycloak's
 * set-password mail). Usernames carry a random suffix, and every account created here is deleted afterwards.
 */
describe('Users', () => {
  let app: INestApplication;
  let db: Connection;
  const tokens: Partial<Record<TestUser, string>> = {};
  const suffix = randomBytes(4).toString('hex');
  const created: string[] = [];

  const newUser = (name: string, extra: Record<string, unknown> = {}) => ({
    username: `e2e-${name}-${suffix}`,
    email: `e2e-${name}-${suffix}@example.org`,
    firstName: 'Ada',
    lastName: `Tester ${name}`,
    affiliation: 'CV3 e2e',
    role: 'user',
    ...extra,
  });

  const as = (user: TestUser) => ({ Authorization: `Bearer ${tokens[user]}` });
  const rows = () => db.collection('user.info');

  /** Creates a user through the API as a developer and returns its Keycloak ID. */
  async function createViaApi(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    const body = newUser(name, extra);
    await request(app.getHttpServer()).post('/api/users/').set(as('developer')).send(body).expect(200);
    const realm = await findRealmUserByEmail(body.email);
    expect(realm).toBeDefined();
    created.push(realm!.id);
    return realm!.id;
  }

  beforeAll(async () => {
    app = await createTestApp({ database: 'cv3_e2e_users' });
    db = app.get<Connection>(getConnectionToken());
    const roles = { developer: 'developer', serveradmin: 'serverAdmin', dataadmin: 'dataAdmin', user: 'user' } as const;
    for (const [user, role] of Object.entries(roles) as [TestUser, (typeof roles)[TestUser]][]) {
      await insertLocalUser(app, user, { role, active: true });
      tokens[user] = (await passwordGrant(user)).access_token;
    }
  });

  afterAll(async () => {
    for (const id of created) {
      await deleteTransitKey(id).catch(() => undefined);
      await deleteRealmUser(id).catch(() => undefined);
    }
    await db?.dropDatabase();
    await app?.close();
  });

  it('should create the Keycloak account and the local row, and Keycloak should mail the set-password link', async () => {
    const body = newUser('dev', { role: 'developer' });
    const res = await request(app.getHttpServer()).post('/api/users/').set(as('developer')).send(body).expect(200);
    expect(res.body).toEqual({ status: 'Success' });

    const realm = await findRealmUserByEmail(body.email);
    expect(realm).toMatchObject({ username: body.username, firstName: 'Ada', enabled: true, emailVerified: false });
    created.push(realm!.id);

    const row = await rows().findOne({ userId: realm!.id }, { projection: { _id: 0, createdAt: 0, updatedAt: 0 } });
    expect(row).toEqual({
      userId: realm!.id,
      email: body.email,
      username: body.username,
      firstName: 'Ada',
      lastName: 'Tester dev',
      affiliation: 'CV3 e2e',
      role: 'developer',
      active: false,
      allowLogin: false,
      budget: 100,
    });

    const mail = await waitForMail((m) => m.envelope.rcpt_tos.includes(body.email), 20_000);
    expect(mail.raw.replace(/=\r?\n/g, '')).toContain('action-token');
  });

  it('should list realm users merged with local rows, marking the local ones', async () => {
    const id = await createViaApi('list');
    const res = await request(app.getHttpServer()).get('/api/users/').set(as('serveradmin')).expect(200);
    const mine = (res.body as { userId: string }[]).find((u) => u.userId === id);
    expect(mine).toMatchObject({ local: true, inKeycloak: true, role: 'user', username: `e2e-list-${suffix}` });

    // Without its local row the account is still a realm user, shown as not local.
    await rows().deleteOne({ userId: id });
    const again = await request(app.getHttpServer()).get('/api/users/').set(as('serveradmin')).expect(200);
    expect((again.body as { userId: string }[]).find((u) => u.userId === id)).toMatchObject({
      local: false,
      role: null,
      active: false,
      allowLogin: false,
    });
    const local = await request(app.getHttpServer()).get('/api/users/local').set(as('serveradmin')).expect(200);
    expect((local.body as { userId: string }[]).map((u) => u.userId)).not.toContain(id);
    expect(local.body).toHaveLength(await rows().countDocuments());
  });

  it('should refuse a server admin who tries to create a developer, and create nothing', async () => {
    const body = newUser('escalate', { role: 'developer' });
    const res = await request(app.getHttpServer()).post('/api/users/').set(as('serveradmin')).send(body).expect(403);
    expect(res.body.code).toBe('USER_ROLE_NOT_GRANTABLE');
    expect(await findRealmUserByEmail(body.email)).toBeUndefined();
  });

  it('should refuse user management to a data admin and a user', async () => {
    for (const user of ['dataadmin', 'user'] as const) {
      await request(app.getHttpServer()).get('/api/users/').set(as(user)).expect(403);
      await request(app.getHttpServer()).get('/api/users/local').set(as(user)).expect(403);
      const body = newUser(`by-${user}`, { role: 'developer' });
      await request(app.getHttpServer()).post('/api/users/').set(as(user)).send(body).expect(403);
      expect(await findRealmUserByEmail(body.email)).toBeUndefined();
    }
    await request(app.getHttpServer()).get('/api/users/').expect(401);
  });

  it('should answer 409 when Keycloak already has the username', async () => {
    const id = await createViaApi('twice');
    const body = newUser('twice', { email: `e2e-other-${suffix}@example.org` });
    const res = await request(app.getHttpServer()).post('/api/users/').set(as('developer')).send(body).expect(409);
    expect(res.body.code).toBe('USER_EXISTS');
    expect(await rows().countDocuments({ username: body.username })).toBe(1);
    expect(await rows().countDocuments({ userId: id })).toBe(1);
  });

  it('should read and update a local user, refusing a role above the caller', async () => {
    const id = await createViaApi('patch');
    const got = await request(app.getHttpServer()).get(`/api/users/${id}`).set(as('serveradmin')).expect(200);
    expect(got.body).toMatchObject({ userId: id, role: 'user', budget: 100 });

    await request(app.getHttpServer())
      .patch(`/api/users/${id}`)
      .set(as('serveradmin'))
      .send({ role: 'developer' })
      .expect(403);
    const res = await request(app.getHttpServer())
      .patch(`/api/users/${id}`)
      .set(as('serveradmin'))
      .send({ role: 'serverAdmin', affiliation: 'Leicester', budget: 40, lastName: 'Lovelace' })
      .expect(200);
    expect(res.body).toMatchObject({ role: 'serverAdmin', affiliation: 'Leicester', budget: 40, lastName: 'Lovelace' });
    expect(await rows().findOne({ userId: id })).toMatchObject({
      role: 'serverAdmin',
      affiliation: 'Leicester',
      budget: 40,
    });
  });

  it('should not let a server admin demote or delete a developer', async () => {
    const id = await createViaApi('protected', { role: 'developer' });
    await request(app.getHttpServer())
      .patch(`/api/users/${id}`)
      .set(as('serveradmin'))
      .send({ role: 'user' })
      .expect(403);
    await request(app.getHttpServer()).delete(`/api/users/${id}`).set(as('serveradmin')).expect(403);
    await request(app.getHttpServer()).post(`/api/users/${id}/deactivate`).set(as('serveradmin')).expect(403);
    expect(await rows().findOne({ userId: id })).toMatchObject({ role: 'developer' });
  });

  it('should store activate and deactivate', async () => {
    const id = await createViaApi('active');
    await request(app.getHttpServer()).post(`/api/users/${id}/activate`).set(as('serveradmin')).expect(200, {
      status: 'Success',
    });
    expect(await rows().findOne({ userId: id })).toMatchObject({ active: true });
    await request(app.getHttpServer()).post(`/api/users/${id}/deactivate`).set(as('serveradmin')).expect(200);
    expect(await rows().findOne({ userId: id })).toMatchObject({ active: false });
  });

  it('should create the transit key on permit-login and delete it on revoke-login', async () => {
    const id = await createViaApi('login');
    expect(await transitKey(id)).toBeUndefined();

    await request(app.getHttpServer()).post(`/api/users/${id}/permit-login`).set(as('serveradmin')).expect(200);
    expect(await transitKey(id)).toMatchObject({ type: 'rsa-4096', deletion_allowed: true });
    expect(await rows().findOne({ userId: id })).toMatchObject({ allowLogin: true, active: false });

    await request(app.getHttpServer()).post(`/api/users/${id}/revoke-login`).set(as('serveradmin')).expect(200);
    expect(await transitKey(id)).toBeUndefined();
    expect(await rows().findOne({ userId: id })).toMatchObject({ allowLogin: false });
  });

  it('should remove the local row and the transit key on delete, keeping the Keycloak account', async () => {
    const id = await createViaApi('delete', { allowLogin: true });
    expect(await transitKey(id)).toBeDefined();

    await request(app.getHttpServer())
      .delete(`/api/users/${id}`)
      .set(as('developer'))
      .expect(200, { status: 'Success' });
    expect(await rows().findOne({ userId: id })).toBeNull();
    expect(await transitKey(id)).toBeUndefined();
    expect(await findRealmUserById(id)).toMatchObject({ id });
    await request(app.getHttpServer()).get(`/api/users/${id}`).set(as('developer')).expect(404);
  });

  it('should refuse bad bodies and parameters with 400 naming the field', async () => {
    const post = (body: unknown) =>
      request(app.getHttpServer())
        .post('/api/users/')
        .set(as('developer'))
        .send(body as object);
    const { email: _email, ...noEmail } = newUser('bad');
    const cases: [unknown, string][] = [
      [noEmail, 'email'],
      [newUser('bad', { firstName: 42 }), 'firstName must be a string'],
      [newUser('bad', { role: 'root' }), 'role must be one of'],
      [newUser('bad', { budget: 101 }), 'budget must not be greater than 100'],
      [newUser('bad', { isAdmin: true }), 'property isAdmin should not exist'],
      [newUser('bad', { lastName: 'x'.repeat(101) }), 'lastName must be shorter than or equal to 100 characters'],
    ];
    for (const [body, message] of cases) {
      const res = await post(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.message).toContain(message);
    }
    expect(await findRealmUserByEmail(newUser('bad').email)).toBeUndefined();

    const bad = await request(app.getHttpServer()).get('/api/users/not-a-uuid').set(as('developer')).expect(400);
    expect(bad.body.message).toContain('userId must be a UUID');
    await request(app.getHttpServer())
      .patch(`/api/users/${created[0]}`)
      .set(as('developer'))
      .send({ email: 'x@example.org' })
      .expect(400);
  });
});
