import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Queue } from 'bullmq';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageService } from '@nestjs/throttler/dist/throttler.service';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { NOTIFY_QUEUE, NotifyJob } from '@/modules/notify/notify.queue';
import { createTestApp } from './setup/app';
import { deleteRealmUser, deleteTransitKey, findRealmUserByEmail, transitKey } from './setup/keycloak-admin';
import { insertLocalUser } from './setup/local-users';
import { type ReceivedMail, waitForMail } from './setup/stack';
import { passwordGrant, type TestUser } from './setup/tokens';

/*
 * The anonymous access-request flow end to end: stored in FerretDB, mails read back from the SMTP sink, approval
 * creating the account in Keycloak (and its transit key in OpenBao).
 */
describe('Access requests', () => {
  let app: INestApplication;
  let db: Connection;
  const tokens: Partial<Record<TestUser, string>> = {};
  const suffix = randomBytes(4).toString('hex');
  const createdEmails: string[] = [];

  const as = (user: TestUser) => ({ Authorization: `Bearer ${tokens[user]}` });
  const stored = () => db.collection('user.requests');
  const to = (address: string, subject: string) => (m: ReceivedMail) =>
    m.envelope.rcpt_tos.includes(address) && (m.envelope.headers.subject ?? '').includes(subject);

  /** The message with quoted-printable soft line breaks undone (long body lines are wrapped on the wire). */
  const text = (m: ReceivedMail) => m.raw.replace(/=\r?\n/g, '');

  const requestBody = (name: string, extra: Record<string, unknown> = {}) => ({
    firstName: 'Grace',
    lastName: `Requester ${name} ${suffix}`,
    email: `e2e-ar-${name}-${suffix}@example.org`,
    affiliation: 'University of Leicester',
    justification: 'Rare-disease cohort study\nsecond line of reasons',
    ...extra,
  });

  async function submit(name: string): Promise<string> {
    const body = requestBody(name);
    await request(app.getHttpServer()).post('/api/access-requests/').send(body).expect(200, { status: 'Success' });
    const doc = await stored().findOne({ email: body.email });
    expect(doc).toBeTruthy();
    return doc!.requestId as string;
  }

  beforeAll(async () => {
    app = await createTestApp({ database: 'cv3_e2e_access_requests' });
    db = app.get<Connection>(getConnectionToken());
    const roles = { developer: 'developer', serveradmin: 'serverAdmin', dataadmin: 'dataAdmin', user: 'user' } as const;
    for (const [user, role] of Object.entries(roles) as [TestUser, (typeof roles)[TestUser]][]) {
      await insertLocalUser(app, user, { role, active: true });
      tokens[user] = (await passwordGrant(user)).access_token;
    }
  });

  /** Every request here comes from 127.0.0.1: forget its hits (the in-memory store's own reset, run at shutdown). */
  const resetRateLimit = () => app.get<ThrottlerStorageService>(ThrottlerStorage).onApplicationShutdown();

  beforeEach(resetRateLimit);

  afterAll(async () => {
    for (const email of createdEmails) {
      const user = await findRealmUserByEmail(email);
      if (user) {
        await deleteTransitKey(user.id).catch(() => undefined);
        await deleteRealmUser(user.id);
      }
    }
    await db?.dropDatabase();
    await app?.close();
  });

  it('should store an anonymous request and mail the requester and the user managers', async () => {
    const body = requestBody('new');
    const requestId = await submit('new');
    expect(await stored().findOne({ requestId })).toMatchObject({
      firstName: 'Grace',
      lastName: `Requester new ${suffix}`,
      email: body.email,
      affiliation: 'University of Leicester',
      justification: body.justification,
      status: 'pending',
    });

    const receipt = await waitForMail(to(body.email, 'access request received'));
    expect(receipt.envelope.headers.subject).toBe('Cafe Variome V3: access request received');
    expect(text(receipt)).toContain(`Dear Grace Requester new ${suffix}`);

    // serverAdmin and developer rows, and the installation's From address; not the data admin.
    for (const reviewer of ['developer@cafevariome.test', 'serveradmin@cafevariome.test', 'admin@cafevariome.test']) {
      const mail = await waitForMail(to(reviewer, `new access request from Grace Requester new ${suffix}`));
      expect(text(mail)).toContain(body.email);
      expect(text(mail)).toContain(requestId);
    }
    await new Promise((r) => setTimeout(r, 500));
    const { receivedMails } = await import('./setup/stack');
    expect(receivedMails().filter(to('dataadmin@cafevariome.test', `Requester new ${suffix}`))).toHaveLength(0);
  });

  it('should not store a second pending request from the same address', async () => {
    const body = requestBody('dup');
    await request(app.getHttpServer()).post('/api/access-requests/').send(body).expect(200);
    await request(app.getHttpServer()).post('/api/access-requests/').send(body).expect(200);
    expect(await stored().countDocuments({ email: body.email })).toBe(1);
  });

  it('should approve a request: Keycloak account, local user who may log in, and a mail to the requester', async () => {
    const body = requestBody('approve');
    createdEmails.push(body.email);
    const requestId = await submit('approve');

    const list = await request(app.getHttpServer()).get('/api/access-requests/').set(as('serveradmin')).expect(200);
    expect((list.body as { requestId: string }[]).map((r) => r.requestId)).toContain(requestId);
    const one = await request(app.getHttpServer())
      .get(`/api/access-requests/${requestId}`)
      .set(as('serveradmin'))
      .expect(200);
    expect(one.body).toMatchObject({ requestId, status: 'pending', email: body.email, decidedAt: null });

    await request(app.getHttpServer())
      .post(`/api/access-requests/${requestId}/approve`)
      .set(as('serveradmin'))
      .expect(200, { status: 'Success' });

    const realm = await findRealmUserByEmail(body.email);
    expect(realm).toMatchObject({ firstName: 'Grace', lastName: `Requester approve ${suffix}`, enabled: true });
    const row = await db.collection('user.info').findOne({ userId: realm!.id });
    expect(row).toMatchObject({
      email: body.email,
      affiliation: 'University of Leicester',
      role: 'user',
      active: true,
      allowLogin: true,
    });
    expect(await transitKey(realm!.id)).toMatchObject({ type: 'rsa-4096' });
    expect(await stored().findOne({ requestId })).toMatchObject({ status: 'approved', userId: realm!.id });

    const approved = await waitForMail(to(body.email, 'access request approved'));
    expect(text(approved)).toContain(row!.username as string);
    // Keycloak's own set-password mail.
    await waitForMail((m) => m.envelope.rcpt_tos.includes(body.email) && text(m).includes('action-token'), 20_000);

    for (const action of ['approve', 'deny']) {
      const res = await request(app.getHttpServer())
        .post(`/api/access-requests/${requestId}/${action}`)
        .set(as('developer'))
        .expect(409);
      expect(res.body.code).toBe('ACCESS_REQUEST_ALREADY_DECIDED');
    }
  });

  it('should deny a request and mail the requester', async () => {
    const body = requestBody('deny');
    const requestId = await submit('deny');
    await request(app.getHttpServer())
      .post(`/api/access-requests/${requestId}/deny`)
      .set(as('developer'))
      .expect(200, { status: 'Success' });
    expect(await stored().findOne({ requestId })).toMatchObject({ status: 'denied', userId: null });
    await waitForMail(to(body.email, 'access request denied'));
    expect(await findRealmUserByEmail(body.email)).toBeUndefined();

    await request(app.getHttpServer()).post(`/api/access-requests/${requestId}/deny`).set(as('developer')).expect(409);
    await request(app.getHttpServer())
      .post(`/api/access-requests/${requestId}/approve`)
      .set(as('developer'))
      .expect(409);
  });

  it('should refuse the admin routes to a data admin, a user and anonymous callers', async () => {
    const requestId = await submit('guarded');
    for (const user of ['dataadmin', 'user'] as const) {
      await request(app.getHttpServer()).get('/api/access-requests/').set(as(user)).expect(403);
      await request(app.getHttpServer()).post(`/api/access-requests/${requestId}/approve`).set(as(user)).expect(403);
    }
    await request(app.getHttpServer()).get('/api/access-requests/').expect(401);
    await request(app.getHttpServer()).post(`/api/access-requests/${requestId}/deny`).expect(401);
    expect(await stored().findOne({ requestId })).toMatchObject({ status: 'pending' });
    await request(app.getHttpServer())
      .get('/api/access-requests/00000000-0000-4000-8000-000000000000')
      .set(as('developer'))
      .expect(404);
  });

  it('should refuse bad bodies with 400 naming the field and store nothing', async () => {
    const before = await stored().countDocuments();
    const { email: _email, ...noEmail } = requestBody('bad');
    const cases: [object, string][] = [
      [noEmail, 'email must be an email'],
      [requestBody('bad', { firstName: 42 }), 'firstName must be a string'],
      [requestBody('bad', { justification: ['a'] }), 'justification must be a string'],
      [requestBody('bad', { role: 'developer' }), 'property role should not exist'],
      [requestBody('bad', { affiliation: '   ' }), 'affiliation should not be empty'],
      [requestBody('bad', { lastName: 'a\r\nBcc: x@example.org' }), 'lastName must not contain control characters'],
      [requestBody('bad', { justification: 'x'.repeat(4001) }), 'justification must be shorter than or equal to 4000'],
    ];
    for (const [body, message] of cases) {
      resetRateLimit();
      const res = await request(app.getHttpServer()).post('/api/access-requests/').send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.message).toContain(message);
    }
    const huge = await request(app.getHttpServer())
      .post('/api/access-requests/')
      .send(requestBody('bad', { justification: 'x'.repeat(17 * 1024) }))
      .expect(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await stored().countDocuments()).toBe(before);
  });

  it('should answer 429 with Retry-After after 5 requests from one address in an hour', async () => {
    for (let i = 0; i < 5; i++) {
      await request(app.getHttpServer()).post('/query/access-requests/').send({}).expect(400);
    }
    const res = await request(app.getHttpServer())
      .post('/api/access-requests/')
      .send(requestBody('limited'))
      .expect(429);
    expect(res.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(3000);
    expect(await stored().countDocuments({ email: requestBody('limited').email })).toBe(0);
    // Other routes are not limited.
    await request(app.getHttpServer()).get('/api/access-requests/').set(as('developer')).expect(200);
  });

  it('should count delivered and failed mails in the metrics', async () => {
    const metric = async (name: string) => {
      const res = await request(app.getHttpServer()).get('/metrics').expect(200);
      const match = new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'm').exec(res.text);
      return Number(match?.[1] ?? 0);
    };
    await submit('metrics');
    const deadline = Date.now() + 10_000;
    while ((await metric('cv3_mail_sent_total')) === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await metric('cv3_mail_sent_total')).toBeGreaterThan(0);

    // A job that can never be sent (queued around NotifyService's checks) fails without retries and is counted.
    const failedBefore = await metric('cv3_mail_failed_total');
    const queue = app.get<Queue>(getQueueToken(NOTIFY_QUEUE));
    await queue.add(NotifyJob.SendMail, { to: ['not-an-address'], subject: 'x', text: 'y' });
    while ((await metric('cv3_mail_failed_total')) === failedBefore && Date.now() < deadline + 10_000) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await metric('cv3_mail_failed_total')).toBe(failedBefore + 1);
  });
});
