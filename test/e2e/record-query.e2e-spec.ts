/*
 * Record queries end to end on the real stack: data ingested through the real pipeline (upload → ingest → remap
 * of a CSV; ingest of a VCF), discovery groups created through the API, queries posted over HTTP, answers read
 * from the history route (with ?wait) and from the database.
 *
 * The plain user is in several groups: the patients source is granted at count and at list (list wins), the
 * variants source at count, one source is granted at noAccess and one not at all (neither is answered).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { MetricsService } from '@/modules/metrics/metrics.service';
import { SimilarityService } from '@/modules/similarity/similarity.service';
import { createTestApp } from './setup/app';
import { setAnonymousAccess, waitForSimilarity } from './setup/query';
import { insertLocalUser } from './setup/local-users';
import { passwordGrant } from './setup/tokens';
import { postChunk, splitChunks } from './setup/upload';

const DATA = join(__dirname, '../fixtures/data');
const HPO = resolve(__dirname, '../fixtures/hpo');

type Json = Record<string, any>;

describe('Record queries on ingested data', () => {
  let app: INestApplication;
  let connection: Connection;
  let admin: string;
  let user: string;
  let userId: string;
  let developer: string;
  const sources: Record<'patients' | 'variants' | 'hidden' | 'ungranted', string> = {} as never;
  const http = () => request(app.getHttpServer());
  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

  async function createSource(name: string): Promise<string> {
    const res = await http()
      .post('/api/sources')
      .set(bearer(admin))
      .send({
        sourceType: 'internal',
        sourceName: name,
        displayName: name,
        sourceDescription: 'record query e2e',
        owner: 'e2e',
        ownerEmail: 'e2e@example.org',
      })
      .expect(200);
    return res.body.sourceId as string;
  }

  async function ingest(sourceId: string, fixture: string, pipelines: string[]): Promise<void> {
    const token = (await http().get('/api/sources/upload-token').query({ sourceId }).set(bearer(admin)).expect(200))
      .body.token as string;
    const chunks = splitChunks(readFileSync(join(DATA, fixture)), {
      filename: fixture,
      chunkSize: 4096,
      identifier: `${fixture}-${Date.now()}`,
    });
    let dataFileId: string | undefined;
    for (const chunk of chunks) {
      const res = await postChunk(app, sourceId, chunk, { bearer: admin, uploadToken: token });
      expect(res.status).toBe(200);
      dataFileId ??= res.body.dataFileId;
    }
    for (const [i, pipelineID] of pipelines.entries()) {
      const kind = i === 0 ? 'ingest' : 'remap';
      const res = await http()
        .post(`/api/source/${sourceId}/${kind}`)
        .set(bearer(admin))
        .send({ pipelineID, dataFileIDs: [dataFileId] })
        .expect(200);
      const { jobId } = res.body.jobs[0] as { jobId: string };
      for (let n = 0; ; n++) {
        const job = (await http().get(`/api/jobs/${jobId}`).set(bearer(admin)).expect(200)).body;
        if (job.state === 'done') {
          break;
        }
        expect(['queued', 'running']).toContain(job.state);
        expect(n).toBeLessThan(300);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async function group(name: string, discoveryPolicy: string, users: string[], assigned: string[]): Promise<void> {
    await http()
      .post('/api/groups/')
      .set(bearer(admin))
      .send({ groupName: name, discoveryPolicy, assignedUsers: users, assignedSources: assigned })
      .expect(200);
  }

  /** Posts a query and waits for every source's answer; returns the answers by source. */
  async function query(body: object, token?: string): Promise<Record<string, Json>> {
    const post = http().post('/query/record/');
    const res = await (token ? post.set(bearer(token)) : post).send(body);
    expect(res.status).toBe(202);
    const id = res.body.queryID as string;
    const get = http().get(`/query/record/history/${id}?wait=20`);
    const history = (await (token ? get.set(bearer(token)) : get).expect(200)).body;
    expect(history.complete).toBe(true);
    expect(history.status).toBe('complete');
    const out: Record<string, Json> = {};
    for (const r of history.responses as Json[]) {
      const name = (Object.keys(sources) as Array<keyof typeof sources>).find((k) => sources[k] === r.sourceId);
      expect(name).toBeDefined();
      out[name!] = r;
    }
    return out;
  }

  const ids = (r: Json) => (r.resultDetails.subjects as Json[]).map((s) => s.subjectId as string);

  beforeAll(async () => {
    app = await createTestApp({
      database: 'cv3_e2e_record_query',
      patch: (cfg) => {
        cfg.Data.UploadPath = mkdtempSync(join(tmpdir(), 'cv3-query-'));
        cfg.HPO = { OboPath: `${HPO}/hp.obo`, AnnotationsPath: `${HPO}/phenotype.hpoa`, Measure: 'relevance' };
      },
    });
    connection = app.get<Connection>(getConnectionToken());
    await insertLocalUser(app, 'dataadmin', { role: 'dataAdmin' });
    userId = await insertLocalUser(app, 'user', { role: 'user' });
    const developerId = await insertLocalUser(app, 'developer', { role: 'developer' });
    admin = (await passwordGrant('dataadmin')).access_token;
    user = (await passwordGrant('user')).access_token;
    developer = (await passwordGrant('developer')).access_token;

    sources.patients = await createSource('patients');
    sources.variants = await createSource('variants');
    sources.hidden = await createSource('hidden');
    sources.ungranted = await createSource('ungranted');
    const filePipeline = (
      await http()
        .post('/api/pipelines')
        .set(bearer(admin))
        .send({
          pipelineName: 'query-file',
          pipelineType: 'filePipeline',
          subjectIdLocation: 'attributeInFile',
          attribute: 'subject_id',
          grouping: 'individual',
          internalDelimiter: ',',
        })
        .expect(200)
    ).body.pipelineId as string;
    const remapPipeline = (
      await http()
        .post('/api/pipelines')
        .set(bearer(admin))
        .send({
          pipelineName: 'query-remap',
          pipelineType: 'remapPipeline',
          directives: ['hpo', 'ordo', 'gene', 'age', 'sex', 'diagnosis'].map((column) => ({
            directiveType: 'termSet',
            origin: column,
            destination: ['hpo', 'ordo', 'gene'].includes(column) ? column : 'eav',
            patternSets: [],
          })),
        })
        .expect(200)
    ).body.pipelineId as string;
    await ingest(sources.patients, 'query-patients.csv', [filePipeline, remapPipeline]);
    await ingest(sources.variants, 'small.vcf', [filePipeline]);
    await ingest(sources.hidden, 'query-patients.csv', [filePipeline, remapPipeline]);
    await ingest(sources.ungranted, 'query-patients.csv', [filePipeline, remapPipeline]);

    await group('patients count', 'count', [userId], [sources.patients, sources.variants]);
    await group('patients list', 'list', [userId], [sources.patients]);
    await group('hidden', 'noAccess', [userId], [sources.hidden]);
    await group('developer details', 'detailedList', [developerId], [sources.patients]);
    await group('public', 'count', ['anonymous'], [sources.patients]);

    await waitForSimilarity(app);
  }, 180_000);

  afterAll(async () => {
    await setAnonymousAccess(app, false).catch(() => undefined);
    await connection?.dropDatabase();
    await app?.close();
  });

  describe('levels', () => {
    it('should answer each granted source at the highest level of the user groups, and no other source', async () => {
      const r = await query({}, user);
      expect(Object.keys(r).sort()).toEqual(['patients', 'variants']);
      expect(r.patients).toMatchObject({ granularity: 'list', sourceName: 'patients' });
      expect(ids(r.patients)).toEqual(['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6']);
      expect(r.patients.recordCount).toBeUndefined();
      expect(r.variants).toEqual(expect.objectContaining({ granularity: 'count', recordCount: 3 }));
      expect(r.variants.resultDetails).toBeUndefined();
    });

    it('should store one response per answered source with the query', async () => {
      const res = await http().post('/query/record/').set(bearer(user)).send({}).expect(202);
      await http().get(`/query/record/history/${res.body.queryID}?wait=20`).set(bearer(user)).expect(200);
      const stored = await connection.collection('query.responses').find({ queryId: res.body.queryID }).toArray();
      expect(stored.map((s) => s.sourceId).sort()).toEqual([sources.patients, sources.variants].sort());
      expect(stored.find((s) => s.sourceId === sources.variants)).toMatchObject({ recordCount: 3 });
      // The query lists its responses' keys: polling reads them by _id instead of searching every response.
      const q = await connection.collection('query.queries').findOne({ _id: res.body.queryID });
      expect([...q!.responseIds].sort()).toEqual(stored.map((s) => s._id).sort());
    });

    it('should lower the level to a requested granularity, and never raise it', async () => {
      const count = await query({ advanced: { granularity: 'count' } }, user);
      expect(count.patients).toMatchObject({ granularity: 'count', recordCount: 6 });
      expect(count.patients.resultDetails).toBeUndefined();
      const boolean = await query({ advanced: { granularity: 'boolean' } }, user);
      expect(boolean.patients).toMatchObject({ granularity: 'boolean', exist: true });
      expect(boolean.patients.recordCount).toBeUndefined();
      expect(boolean.variants).toMatchObject({ granularity: 'boolean', exist: true });
      const range = await query({ advanced: { granularity: 'range' } }, user);
      expect(range.patients).toMatchObject({ granularity: 'range', recordRange: { min: 1, max: 9 } });
      expect(range.patients.recordCount).toBeUndefined();
      const raised = await query({ advanced: { granularity: 'detailedList' } }, user);
      expect(raised.patients.granularity).toBe('list');
      expect(raised.variants.granularity).toBe('count');
    });

    it('should give subject documents, without storage internals, at detailedList', async () => {
      const r = await query({ eav: [{ attribute: 'age', relation: 'numericLessThan', value: 10 }] }, developer);
      expect(Object.keys(r)).toEqual(['patients']);
      const subjects = r.patients.resultDetails.subjects as Json[];
      expect(subjects.map((s) => s.subjectId)).toEqual(['Q2', 'Q5']);
      expect(subjects[1]).toEqual({
        subjectId: 'Q5',
        HPO: ['0002121', '0000750'],
        ORDO: [],
        SNOMED: [],
        NCIT: [],
        ALLELES: [{ gene: 'APOE', alleles: ['e4', 'e4'] }],
        VARIANT: [],
        EAV: { age: 3, sex: 'female' },
      });
    });
  });

  describe('filters', () => {
    it('should match exact HPO terms, prefixed or not, and drop the filter where a source has no HPO', async () => {
      const r = await query({ hpo: [{ terms: ['HP:0001250', '0001631'] }] }, user);
      expect(ids(r.patients)).toEqual(['Q1', 'Q4']);
      // The VCF source holds no phenotypes: soft match ignores the filter there...
      expect(r.variants.recordCount).toBe(3);
      // ...unless the family is required.
      const required = await query(
        { hpo: [{ terms: ['HP:0001250'] }], advanced: { requiredFilters: { hpo: true } } },
        user,
      );
      expect(required.variants.recordCount).toBe(0);
    });

    it('should count original terms for minimumMatch', async () => {
      const r = await query({ hpo: [{ terms: ['HP:0001250', 'HP:0001263', 'HP:0000252'], minimumMatch: 2 }] }, user);
      expect(ids(r.patients)).toEqual(['Q1']);
    });

    it('should expand terms through the similarity module below similarity 1', async () => {
      const similar = await app.get(SimilarityService).similar(['0002197'], 0.6);
      const group = new Set(similar[0].similar.map((s) => s.termId));
      const held: Record<string, string[]> = {
        Q1: ['0001250', '0001263'],
        Q2: ['0002069'],
        Q3: ['0000252', '0001321'],
        Q4: ['0001631'],
        Q5: ['0002121', '0000750'],
        Q6: ['0000618'],
      };
      const expected = Object.keys(held).filter((q) => held[q].some((t) => group.has(t)));
      const exact = await query({ hpo: [{ terms: ['HP:0002197'] }] }, user);
      expect(ids(exact.patients)).toEqual([]);
      const r = await query({ hpo: [{ terms: ['HP:0002197'], similarity: 0.6 }] }, user);
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(r.patients)).toEqual(expected);
    });

    it('should also match Orphanet diseases annotated with an HPO term (useOrphanet)', async () => {
      const plain = await query({ hpo: [{ terms: ['HP:0000750'] }] }, user);
      expect(ids(plain.patients)).toEqual(['Q5']);
      // ORPHA:567 is annotated with HP:0000750 in the fixture annotations; Q1 and Q4 hold ORPHA:567.
      const r = await query({ hpo: [{ terms: ['HP:0000750'], useOrphanet: true }] }, user);
      expect(ids(r.patients)).toEqual(['Q1', 'Q4', 'Q5']);
    });

    it('should filter on EAV values and demographics', async () => {
      const older = await query({ eav: [{ attribute: 'age', relation: 'numericGreaterThan', value: 10 }] }, user);
      expect(ids(older.patients)).toEqual(['Q1', 'Q3', 'Q4', 'Q6']);
      const epilepsy = await query(
        { eav: [{ attribute: 'diagnosis', relation: 'stringIs', value: 'epilepsy' }] },
        user,
      );
      expect(ids(epilepsy.patients)).toEqual(['Q1', 'Q2']);
      const women = await query({ subject: { gender: 'female', age: { min: 0, max: 40 } } }, user);
      expect(ids(women.patients)).toEqual(['Q1', 'Q5']);
      const regex = await query({ eav: [{ attribute: 'diagnosis', relation: 'regexContains', value: '^CARD' }] }, user);
      expect(ids(regex.patients)).toEqual(['Q4']);
    });

    it('should match variants by gene and class, with allele frequencies, and alleles by genotype', async () => {
      const nonsense = await query({ variant: [{ genes: ['SCN1A'], mutation: ['nonsense'] }] }, user);
      expect(nonsense.variants.recordCount).toBe(2);
      // Stored CSV genes: TTN:stop_gained (Q4); no SCN1A in the patients source.
      expect(ids(nonsense.patients)).toEqual([]);
      const rare = await query({ variant: [{ genes: ['SCN1A'], mutation: ['nonsense'], maxAf: 0.1 }] }, user);
      expect(rare.variants.recordCount).toBe(0);
      const ttn = await query({ variant: [{ genes: ['TTN', 'SCN1A'], mutation: ['nonsense', 'missense'] }] }, user);
      expect(ids(ttn.patients)).toEqual(['Q4']);
      const genotype = await query({ genes: [{ alleles: [{ gene: 'APOE', alleles: ['e4', 'e3'] }] }] }, user);
      expect(ids(genotype.patients)).toEqual(['Q2']);
      const carrier = await query({ genes: [{ alleles: [{ gene: 'APOE', alleles: ['e4'] }] }] }, user);
      expect(ids(carrier.patients)).toEqual(['Q2', 'Q5']);
    });

    it('should restrict to the sources named, ignoring ones the user may not see', async () => {
      const r = await query({ sources: { sources: [sources.variants, sources.hidden, sources.ungranted] } }, user);
      expect(Object.keys(r)).toEqual(['variants']);
      // None visible: complete with no response, and an empty key list (polling reads nothing).
      const res = await http()
        .post('/query/record/')
        .set(bearer(user))
        .send({ sources: [sources.hidden] })
        .expect(202);
      const history = await http().get(`/query/record/history/${res.body.queryID}?wait=20`).set(bearer(user));
      expect(history.body).toMatchObject({ complete: true, status: 'complete', responses: [] });
      const stored = await connection.collection('query.queries').findOne({ _id: res.body.queryID });
      expect(stored!.responseIds).toEqual([]);
    });
  });

  describe('metrics', () => {
    it('should count queries by outcome and time each source answer', async () => {
      await query({}, user);
      const metrics = await app.get(MetricsService).render();
      expect(metrics).toMatch(/cv3_record_queries_total\{[^}]*outcome="complete"[^}]*\} [1-9]/);
      expect(metrics).toMatch(
        /cv3_record_query_source_seconds_count\{[^}]*responder="local",outcome="ok"[^}]*\} [1-9]/,
      );
      expect(metrics).toMatch(/cv3_record_query_sources_answered_sum[^ ]* [1-9]/);
    });
  });

  describe('anonymous', () => {
    it('should refuse a query without a token while anonymous access is off', async () => {
      await setAnonymousAccess(app, false);
      const res = await http().post('/query/record/').send({}).expect(401);
      expect(res.body.code).toBe('AUTH_TOKEN_MISSING');
    });

    it('should answer only the sources granted to the anonymous user while it is on', async () => {
      await setAnonymousAccess(app, true);
      try {
        const r = await query({ hpo: [{ terms: ['HP:0001250'] }] });
        expect(Object.keys(r)).toEqual(['patients']);
        expect(r.patients).toMatchObject({ granularity: 'count', recordCount: 1 });
        const stored = await connection.collection('query.queries').find({ userId: 'anonymous' }).toArray();
        expect(stored.length).toBeGreaterThan(0);
      } finally {
        await setAnonymousAccess(app, false);
      }
    });
  });

  describe('invalid queries', () => {
    it.each([
      ['an unknown relation', { eav: [{ attribute: 'age', relation: 'numericAbout', value: 3 }] }, 'eav[0].relation'],
      ['a wrong value type', { eav: [{ attribute: 'age', relation: 'numericEquals', value: '3' }] }, 'eav[0].value'],
      ['a bad term ID', { hpo: [{ terms: ['HP:0001250', 'HP:12'] }] }, 'hpo[0].terms[1]'],
      [
        'an oversize term list',
        { hpo: [{ terms: Array.from({ length: 101 }, (_, i) => `HP:${String(i + 1).padStart(7, '0')}`) }] },
        'hpo[0].terms',
      ],
      ['a variant without genes', { variant: [{ mutation: ['missense'] }] }, 'variant[0].genes'],
      ['an unknown filter family', { hpos: [] }, 'hpos'],
      ['an unknown granularity', { advanced: { granularity: 'everything' } }, 'advanced.granularity'],
    ])('should refuse %s with a 400 naming the field, storing nothing', async (_name, body, field) => {
      const before = await connection.collection('query.queries').countDocuments();
      const res = await http().post('/query/record/').set(bearer(user)).send(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'QUERY_INVALID' });
      expect(res.body.message).toMatch(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}: `));
      expect(await connection.collection('query.queries').countDocuments()).toBe(before);
    });

    it.each([
      ['a JSON array', '[]', 'application/json'],
      ['malformed JSON', '{"hpo": [', 'application/json'],
      ['text instead of JSON', 'hpo=HP:0001250', 'text/plain'],
    ])('should refuse %s as the body, storing nothing', async (_name, raw, type) => {
      const before = await connection.collection('query.queries').countDocuments();
      const res = await http().post('/query/record/').set(bearer(user)).set('Content-Type', type).send(raw);
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
      expect(await connection.collection('query.queries').countDocuments()).toBe(before);
    });
  });
});
