import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { AppModule } from '@/app.module';
import { configureApp } from '@/app.setup';
import { MetricsService } from '@/modules/metrics/metrics.service';
import { QUERY_RESPONDERS, type QueryResponder } from '@/modules/query/execution/responder';
import type { QueryResponse } from '@/modules/query/query.types';
import { QUERIES_COLLECTION, RESPONSES_COLLECTION } from '@/modules/query/record/queries.repository';
import { RecordQueryService } from '@/modules/query/record/record-query.service';
import { writeTestConfig } from './setup/app';
import { setAnonymousAccess } from './setup/query';
import { insertLocalUser } from './setup/local-users';
import { passwordGrant } from './setup/tokens';

const DB = 'cv3_e2e_record_lifecycle';
const SLOW_MS = 1500;

function answer(sourceId: string): QueryResponse {
  return { sourceId, sourceName: `Source ${sourceId}`, granularity: 'count', exist: true, recordCount: 2 };
}

/** Answers one source at once and another after SLOW_MS. */
const slow: QueryResponder = {
  id: 'slow',
  async respond(_queryId, _query, _requester, emit) {
    await emit(answer('s1'));
    await new Promise((r) => setTimeout(r, SLOW_MS));
    await emit(answer('s2'));
  },
};

/** A node that cannot be reached. */
const failing: QueryResponder = {
  id: 'failing',
  respond: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:443')),
};

/**
 * The record query lifecycle on the real stack (Redis queue, FerretDB storage, Keycloak tokens), with two fake
 * responders in place of LocalResponder: one slow, one failing.
 */
describe('Record query lifecycle (/query/record)', () => {
  let app: INestApplication;
  let connection: Connection;
  let owner: string;
  let other: string;
  let admin: string;
  let ownerId: string;

  const http = () => request(app.getHttpServer());
  const queries = () => connection.collection(QUERIES_COLLECTION);
  const responses = () => connection.collection(RESPONSES_COLLECTION);

  function submit(token?: string, body: object = { hpo: [{ terms: ['HP:0001250'] }] }) {
    const req = http().post('/query/record/');
    return (token ? req.set('Authorization', `Bearer ${token}`) : req).send(body);
  }

  beforeAll(async () => {
    writeTestConfig({ database: DB });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(QUERY_RESPONDERS)
      .useValue([slow, failing])
      .compile();
    app = moduleRef.createNestApplication({ bufferLogs: true });
    configureApp(app);
    await app.init();
    connection = app.get<Connection>(getConnectionToken());
    await connection.dropDatabase();
    ownerId = await insertLocalUser(app, 'user', { role: 'user' });
    await insertLocalUser(app, 'serveradmin', { role: 'user' }); // another plain user here
    await insertLocalUser(app, 'dataadmin', { role: 'dataAdmin' });
    [owner, other, admin] = await Promise.all(
      (['user', 'serveradmin', 'dataadmin'] as const).map(async (u) => (await passwordGrant(u)).access_token),
    );
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await app?.close();
  });

  it('should accept a query with 202, run every responder and complete with partial results', async () => {
    const res = await submit(owner).expect(202);
    const id = res.body.queryID as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(res.body)).toEqual(['queryID']);

    const stored = await queries().findOne({ _id: id as never });
    expect(stored).toMatchObject({
      queryId: id,
      userId: ownerId,
      anonymous: false,
      query: { hpo: [{ terms: ['0001250'], similarity: 1, minimumMatch: 1 }] },
      responders: { expected: ['slow', 'failing'] },
    });

    const running = await http().get(`/query/record/history/${id}`).set('Authorization', `Bearer ${owner}`).expect(200);
    expect(running.body).toMatchObject({ complete: false, status: 'running' });

    const done = await http()
      .get(`/query/record/history/${id}?wait=20`)
      .set('Authorization', `Bearer ${owner}`)
      .expect(200);
    expect(done.body).toMatchObject({
      complete: true,
      status: 'complete',
      responders: {
        expected: ['slow', 'failing'],
        failed: [{ responderId: 'failing', error: 'internal error; see the server log' }],
      },
      query: { queryId: id, complete: true, status: 'complete' },
    });
    expect([...done.body.responders.finished].sort()).toEqual(['failing', 'slow']);
    expect(done.body.responses).toEqual([answer('s1'), answer('s2')]);

    // Stored as CV3 does: one document per (query, responder, source), and the completion marker.
    const docs = await responses().find({ queryId: id }).sort({ _id: 1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual([`${id}:slow:s1`, `${id}:slow:s2`]);
    expect(docs[0]).toMatchObject({ ...answer('s1'), queryId: id, responderId: 'slow', receivedAt: expect.any(Date) });
    const completed = await queries().findOne({ _id: id as never });
    expect(completed).toMatchObject({ status: 'complete', completedAt: expect.any(Date) });

    const metrics = await app.get(MetricsService).render();
    expect(metrics).toMatch(/cv3_record_queries_total\{outcome="partial"[^}]*\} [1-9]/);
  });

  it('should keep the nested QueryBuilder fields of the body (normalised)', async () => {
    const body = {
      hpo: [{ terms: ['HP:0001250', '0001251'], similarity: 1, minimumMatch: 2 }],
      eav: [{ attribute: 'age', relation: 'numericGreaterThan', value: 3 }],
      advanced: { granularity: 'count' },
    };
    const id = (await submit(owner, body).expect(202)).body.queryID as string;
    const res = await http().get(`/query/record/${id}`).set('Authorization', `Bearer ${owner}`).expect(200);
    expect(res.body).toMatchObject({
      queryId: id,
      query: {
        hpo: [{ terms: ['0001250', '0001251'], minimumMatch: 2 }],
        eav: [{ attribute: 'age', relation: 'numericGreaterThan', value: 3 }],
        advanced: { granularity: 'count' },
      },
    });
    expect(res.body.responses).toBeUndefined();
  });

  it('should refuse an invalid QueryBuilder with 400 naming the field, and store nothing', async () => {
    const before = await queries().countDocuments();
    const res = await submit(owner, { hpo: [{ terms: ['HP:12'] }] }).expect(400);
    expect(res.body).toMatchObject({ code: 'QUERY_INVALID', details: { field: 'hpo[0].terms[0]' } });
    expect(res.body.message).toMatch(/^hpo\[0\]\.terms\[0\]: /);
    const unknown = await submit(owner, { hpos: [] }).expect(400);
    expect(unknown.body.message).toContain('hpos');
    expect(await queries().countDocuments()).toBe(before);
  });

  it('should show a query to its owner and admins only (404 to others)', async () => {
    const id = (await submit(owner).expect(202)).body.queryID as string;
    for (const path of [`/query/record/${id}`, `/query/record/history/${id}`]) {
      await http().get(path).set('Authorization', `Bearer ${other}`).expect(404);
      await http().get(path).set('Authorization', `Bearer ${admin}`).expect(200);
      await http().get(path).set('Authorization', `Bearer ${owner}`).expect(200);
    }
    const missing = await http()
      .get('/query/record/00000000-0000-4000-8000-000000000000')
      .set('Authorization', `Bearer ${owner}`)
      .expect(404);
    expect(missing.body.code).toBe('RECORD_QUERY_NOT_FOUND');
  });

  it('should list own queries in the history, every query to admins', async () => {
    const id = (await submit(owner).expect(202)).body.queryID as string;
    const own = await http().get('/query/record/history').set('Authorization', `Bearer ${owner}`).expect(200);
    expect(own.body[0]).toMatchObject({ query: { queryId: id }, complete: expect.any(Boolean) });
    expect(own.body.every((r: any) => r.query.userId === ownerId)).toBe(true);
    const others = await http().get('/query/record/history').set('Authorization', `Bearer ${other}`).expect(200);
    expect(others.body).toEqual([]);
    const all = await http().get('/query/record/history?limit=2').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(all.body.map((r: any) => r.query.queryId)).toEqual([id, expect.any(String)]);
    await http().get('/query/record/history?limit=501').set('Authorization', `Bearer ${admin}`).expect(400);
    await http().get(`/query/record/history/${id}?wait=31`).set('Authorization', `Bearer ${owner}`).expect(400);
  });

  it('should refuse an inactive local user with 403, as the guard does', async () => {
    await connection.collection('user.info').updateOne({ userId: ownerId }, { $set: { active: false } });
    try {
      const res = await submit(owner).expect(403);
      expect(res.body.code).toBe('AUTH_USER_INACTIVE');
    } finally {
      await connection.collection('user.info').updateOne({ userId: ownerId }, { $set: { active: true } });
    }
  });

  it('should refuse anonymous queries with 401 while anonymous access is off', async () => {
    const res = await submit(undefined).expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="Access token required"');
    expect(res.body.code).toBe('AUTH_TOKEN_MISSING');
    const id = (await submit(owner).expect(202)).body.queryID as string;
    await http().get(`/query/record/history/${id}`).expect(401);
  });

  it('should take anonymous queries when anonymous access is on, readable by anyone holding the ID', async () => {
    await setAnonymousAccess(app, true);
    try {
      const id = (await submit(undefined).expect(202)).body.queryID as string;
      expect(await queries().findOne({ _id: id as never })).toMatchObject({ userId: 'anonymous', anonymous: true });
      const res = await http().get(`/query/record/history/${id}?wait=20`).expect(200);
      expect(res.body).toMatchObject({ complete: true, query: { userId: 'anonymous', anonymous: true } });
      expect(res.body.responses).toHaveLength(2);
      await http().get(`/query/record/history/${id}`).set('Authorization', `Bearer ${other}`).expect(200);
      // An owned query stays hidden from anonymous callers, and the lists need a user.
      const owned = (await submit(owner).expect(202)).body.queryID as string;
      await http().get(`/query/record/history/${owned}`).expect(404);
      await http().get('/query/record/history').expect(401);
      await http().get(`/query/record/${id}`).expect(401);
    } finally {
      await setAnonymousAccess(app, false);
    }
  });

  it('should report a lost query as timed out, and let the cleanup mark it and delete expired queries', async () => {
    const old = (days: number) => new Date(Date.now() - days * 86_400_000);
    const lostId = '11111111-1111-4111-8111-111111111111';
    const expiredId = '22222222-2222-4222-8222-222222222222';
    const base = {
      userId: ownerId,
      anonymous: false,
      query: { hpo: [], ordo: [], snomed: [], genes: [], variant: [], eav: [], advanced: { requiredFilters: {} } },
      responders: { expected: ['slow', 'failing'], finished: [], failed: [] },
    };
    await queries().insertMany([
      { _id: lostId as never, queryId: lostId, ...base, createdAt: new Date(Date.now() - 600_000), status: 'running' },
      { _id: expiredId as never, queryId: expiredId, ...base, createdAt: old(31), status: 'complete' },
    ]);
    await responses().insertOne({
      _id: `${expiredId}:slow:s1` as never,
      ...answer('s1'),
      queryId: expiredId,
      responderId: 'slow',
      receivedAt: old(31),
    });

    const lost = await http().get(`/query/record/history/${lostId}`).set('Authorization', `Bearer ${owner}`);
    expect(lost.body).toMatchObject({
      complete: true,
      status: 'failed',
      query: { timedOut: true, error: 'timed out' },
    });

    const result = await app.get(RecordQueryService).cleanup();
    expect(result).toMatchObject({ timedOut: 1, queries: 1, responses: 1 });
    expect(await queries().findOne({ _id: lostId as never })).toMatchObject({ status: 'failed', timedOut: true });
    expect(await queries().findOne({ _id: expiredId as never })).toBeNull();
    expect(await responses().countDocuments({ queryId: expiredId })).toBe(0);
    expect(await queries().countDocuments()).toBeGreaterThan(0); // recent queries stay
  });
});
