import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { createTestApp } from './setup/app';
import { insertLocalUser } from './setup/local-users';
import { passwordGrant } from './setup/tokens';

/**
 * The HPO term API on the real stack, built-in mode, with the fixture ontology of test/fixtures/hpo (40 current
 * terms under HP:0000001, 6 levels deep, three obsolete terms). The scores are the built-in Relevance measure's on
 * the fixture annotations; the measures themselves are unit-tested by hand in src/modules/similarity/ontology.
 */
const FIXTURE = resolve(__dirname, '../fixtures/hpo');
const SEIZURE_CHILDREN = ['0002197', '0007359', '0020219'];

type Json = Record<string, any>;

/** Built-in mode on the fixture, whatever the stack runs (its config enables Neo4j when Neo4j is up). */
function withFixtureOntology(cfg: Json): void {
  cfg.Neo4j.Enabled = false;
  cfg.HPO = {
    OboPath: `${FIXTURE}/hp.obo`,
    AnnotationsPath: `${FIXTURE}/phenotype.hpoa`,
    Measure: 'relevance',
  };
}

describe('Term API (built-in, fixture ontology)', () => {
  let app: INestApplication;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp({ database: 'cv3_e2e_terms', patch: withFixtureOntology });
    await insertLocalUser(app, 'user', { role: 'user', active: true });
    token = (await passwordGrant('user')).access_token;
  });

  afterAll(async () => {
    await app?.get<Connection>(getConnectionToken()).dropDatabase();
    await app?.close();
  });

  const get = (path: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
  const post = (path: string, body: unknown) =>
    request(app.getHttpServer())
      .post(path)
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);

  describe('GET /terms/hpo', () => {
    it('should describe the loaded ontology', async () => {
      const res = await get('/api/terms/hpo').expect(200);
      expect(res.body).toEqual({
        termName: 'hpo',
        termCount: 40,
        rootTerm: '0000001',
        maxDepth: 6,
        mode: 'builtin',
        measure: 'relevance',
      });
    });

    it('should serve the same routes under /query', async () => {
      const res = await get('/query/terms/hpo').expect(200);
      expect(res.body.termCount).toBe(40);
    });
  });

  describe('GET /terms/hpo/{termId}', () => {
    it('should answer a term with its parents and children, IDs without prefix', async () => {
      const res = await get('/api/terms/hpo/HP:0001250').expect(200);
      expect(res.body).toEqual({
        termId: '0001250',
        label: 'Seizure',
        definition:
          'A seizure is an intermittent abnormality of nervous system physiology characterized by a transient ' +
          'occurrence of signs and/or symptoms due to abnormal excessive or synchronous neuronal activity in the brain.',
        synonyms: ['Epileptic seizure', 'Seizures'],
        comment: '',
        parents: ['0012638'],
        children: SEIZURE_CHILDREN,
        obsolete: false,
        replacedBy: [],
        consider: [],
      });
    });

    it.each(['0000252', 'hp:0000252', 'HP_0000252'])('should accept the ID spelled %s', async (id) => {
      const res = await get(`/query/terms/hpo/${id}`).expect(200);
      expect(res.body).toMatchObject({ termId: '0000252', label: 'Microcephaly', parents: ['0002011', '0000240'] });
    });

    it('should show an obsolete term with its replacement', async () => {
      const res = await get('/api/terms/hpo/HP:0007334').expect(200);
      expect(res.body).toMatchObject({ obsolete: true, parents: [], children: [], replacedBy: ['0002069'] });
    });

    it('should answer 404 for an ID the ontology does not have', async () => {
      const res = await get('/api/terms/hpo/HP:0999999').expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, code: 'TERM_NOT_FOUND', message: 'No HPO term 0999999' });
      expect(res.body.requestId).toEqual(expect.any(String));
    });

    it('should refuse a malformed ID with a 400 naming it', async () => {
      const res = await get('/api/terms/hpo/HP:12345').expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(res.body.message).toContain('termId HP:12345 is not an HPO term ID');
    });
  });

  describe('GET /terms/hpo/auto-complete/v2', () => {
    it('should rank by label length, then match position', async () => {
      const res = await get('/api/terms/hpo/auto-complete/v2?query=seizure').expect(200);
      expect(res.body).toEqual([
        { termId: '0001250', label: 'Seizure' },
        { termId: '0020219', label: 'Motor seizure' },
        { termId: '0020221', label: 'Clonic seizure' },
        { termId: '0007359', label: 'Focal-onset seizure' },
        { termId: '0002266', label: 'Focal clonic seizure' },
        { termId: '0002197', label: 'Generalized-onset seizure' },
        { termId: '0002069', label: 'Bilateral tonic-clonic seizure' },
        { termId: '0002384', label: 'Focal impaired awareness seizure' },
        { termId: '0002121', label: 'Generalized non-motor (absence) seizure' },
      ]);
    });

    it('should match every word, case-insensitively, and cap the answer at result_threshold', async () => {
      const all = await get('/api/terms/hpo/auto-complete/v2?query=FOCAL%20seiz').expect(200);
      expect(all.body.map((h: Json) => h.termId)).toEqual(['0007359', '0002266', '0002384']);
      const two = await get('/api/terms/hpo/auto-complete/v2?query=focal%20seiz&result_threshold=2').expect(200);
      expect(two.body.map((h: Json) => h.termId)).toEqual(['0007359', '0002266']);
    });

    it('should strip quotes and add definitions when asked', async () => {
      const res = await get('/api/terms/hpo/auto-complete/v2?query=%22micro%22&with_definition=true').expect(200);
      expect(res.body).toEqual([
        {
          termId: '0000252',
          label: 'Microcephaly',
          definition: 'Head circumference below 2 standard deviations below the mean for age and gender.',
        },
        {
          termId: '0000568',
          label: 'Microphthalmia',
          definition: 'A developmental anomaly characterized by abnormal smallness of one or both eyes.',
        },
      ]);
    });

    it('should answer an empty list under 3 characters (as CV3)', async () => {
      const res = await get('/api/terms/hpo/auto-complete/v2?query=se').expect(200);
      expect(res.body).toEqual([]);
    });

    it.each([
      ['no query', '', 'query'],
      ['a negative result_threshold', '?query=seizure&result_threshold=-1', 'result_threshold'],
      ['a result_threshold that is not a number', '?query=seizure&result_threshold=many', 'result_threshold'],
      ['a with_definition that is not a boolean', '?query=seizure&with_definition=maybe', 'with_definition'],
      ['a query over 200 characters', `?query=${'a'.repeat(201)}`, 'query'],
    ])('should refuse %s with a 400 naming the field', async (_what, qs, field) => {
      const res = await get(`/api/terms/hpo/auto-complete/v2${qs}`).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.message).toContain(field);
    });
  });

  describe('POST /terms/hpo/expand/v1', () => {
    it('should answer descendants down to the depth, nearest first, each input once', async () => {
      const res = await post('/api/terms/hpo/expand/v1?depth=1', { termIds: ['HP:0001250', '0001250'] }).expect(200);
      expect(res.body).toEqual([
        {
          termId: '0001250',
          children: SEIZURE_CHILDREN,
          descendants: SEIZURE_CHILDREN.map((termId) => ({ termId, depth: 1 })),
          depth: 1,
        },
      ]);
    });

    it('should expand to depth 3 by default and give each descendant its shortest depth', async () => {
      const res = await post('/query/terms/hpo/expand/v1', { termIds: ['HP:0000707', 'HP:0001250'] }).expect(200);
      expect(res.body.map((r: Json) => [r.termId, r.depth, r.descendants])).toEqual([
        [
          '0000707',
          3,
          [
            { termId: '0012638', depth: 1 },
            { termId: '0012639', depth: 1 },
            { termId: '0001250', depth: 2 },
            { termId: '0002011', depth: 2 },
            { termId: '0012759', depth: 2 },
            { termId: '0000252', depth: 3 },
            { termId: '0001249', depth: 3 },
            { termId: '0001321', depth: 3 },
            { termId: '0002197', depth: 3 },
            { termId: '0007359', depth: 3 },
            { termId: '0012758', depth: 3 },
            { termId: '0020219', depth: 3 },
          ],
        ],
        [
          '0001250',
          3,
          [
            { termId: '0002197', depth: 1 },
            { termId: '0007359', depth: 1 },
            { termId: '0020219', depth: 1 },
            { termId: '0002069', depth: 2 },
            { termId: '0002121', depth: 2 },
            { termId: '0002266', depth: 2 },
            { termId: '0002384', depth: 2 },
            { termId: '0020221', depth: 2 },
          ],
        ],
      ]);
    });

    it('should expand without limit at depth 0 and answer no children for an unknown term', async () => {
      const res = await post('/api/terms/hpo/expand/v1?depth=0', { termIds: ['HP:0000001', 'HP:0999999'] }).expect(200);
      expect(res.body[0].children).toHaveLength(39);
      expect(res.body[1]).toEqual({ termId: '0999999', children: [], descendants: [], depth: 0 });
    });

    it.each([
      ['?depth=-1', { termIds: ['HP:0001250'] }, 'depth'],
      ['?depth=51', { termIds: ['HP:0001250'] }, 'depth'],
      ['?depth=deep', { termIds: ['HP:0001250'] }, 'depth'],
      ['', { termIds: 'HP:0001250' }, 'termIds'],
      ['', {}, 'termIds'],
      ['', { termIds: ['HP:0001250'], extra: 1 }, 'extra'],
    ])('should refuse %s %j with a 400 naming %s', async (qs, body, field) => {
      const res = await post(`/api/terms/hpo/expand/v1${qs}`, body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.message).toContain(field);
    });

    it('should refuse malformed IDs with a 400 naming each of them', async () => {
      const res = await post('/api/terms/hpo/expand/v1', { termIds: ['HP:0001250', 'HP:12', 'seizure', 7] }).expect(
        400,
      );
      expect(res.body.message).toContain('termIds has malformed HPO term IDs: HP:12, seizure, 7');
    });

    it('should refuse more than 100 term IDs', async () => {
      const termIds = Array.from({ length: 101 }, (_, i) => `HP:${String(i + 1).padStart(7, '0')}`);
      const res = await post('/api/terms/hpo/expand/v1', { termIds }).expect(400);
      expect(res.body.message).toContain('termIds must contain no more than 100 elements');
    });
  });

  describe('POST /terms/hpo/similarity/v1', () => {
    it('should answer the terms scoring at least the threshold, best first, the term itself included', async () => {
      const res = await post('/api/terms/hpo/similarity/v1', {
        termIds: ['HP:0002069', '0001250'],
        threshold: 0.6,
      }).expect(200);
      expect(res.body).toEqual([
        {
          termId: '0002069',
          similarIds: ['0002069', '0002197', '0020219', '0020221'],
          similar: [
            { termId: '0002069', score: 1 },
            { termId: '0002197', score: 0.714 },
            { termId: '0020219', score: 0.714 },
            { termId: '0020221', score: 0.6175 },
          ],
          similarityThreshold: 0.6,
          threshold: 0.6,
        },
        {
          termId: '0001250',
          similarIds: ['0001250'],
          similar: [{ termId: '0001250', score: 1 }],
          similarityThreshold: 0.6,
          threshold: 0.6,
        },
      ]);
    });

    it('should search a threshold under 0.2 at 0.2', async () => {
      const res = await post('/query/terms/hpo/similarity/v1', { termIds: ['HP:0001250'], threshold: 0.1 }).expect(200);
      expect(res.body[0]).toMatchObject({ similarityThreshold: 0.2, threshold: 0.1 });
      expect(res.body[0].similarIds).toEqual([
        '0001250',
        '0002197',
        '0020219',
        '0002069',
        '0002384',
        '0007359',
        '0020221',
        '0002121',
        '0002266',
        '0012638',
      ]);
    });

    it('should cap each list at result_threshold and default the threshold to 1', async () => {
      const capped = await post('/api/terms/hpo/similarity/v1?result_threshold=2', {
        termIds: ['HP:0002069'],
        threshold: 0.4,
      }).expect(200);
      expect(capped.body[0].similarIds).toEqual(['0002069', '0002197']);
      const strict = await post('/api/terms/hpo/similarity/v1', { termIds: ['HP:0002069'] }).expect(200);
      expect(strict.body[0]).toMatchObject({ similarIds: ['0002069'], similarityThreshold: 1, threshold: 1 });
    });

    it.each([
      ['', { termIds: ['HP:0001250'], threshold: 1.5 }, 'threshold'],
      ['', { termIds: ['HP:0001250'], threshold: -0.1 }, 'threshold'],
      ['', { termIds: ['HP:0001250'], threshold: '0.5' }, 'threshold'],
      ['', { termIds: ['HP:1'], threshold: 0.5 }, 'termIds'],
      ['?result_threshold=-3', { termIds: ['HP:0001250'] }, 'result_threshold'],
    ])('should refuse %s %j with a 400 naming %s', async (qs, body, field) => {
      const res = await post(`/api/terms/hpo/similarity/v1${qs}`, body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.message).toContain(field);
    });
  });

  describe('POST /terms/hpo/replace/v1', () => {
    it('should map obsolete and alternative IDs to the current terms', async () => {
      const res = await post('/api/terms/hpo/replace/v1', {
        termIds: ['HP:0007334', 'HP:0001298', 'HP:0001415', 'HP:0001250'],
      }).expect(200);
      expect(res.body).toEqual([
        { termId: '0007334', replacedBy: ['0002069'], consider: [] },
        { termId: '0001298', replacedBy: [], consider: ['0012638', '0001249'] },
        { termId: '0001415', replacedBy: ['0000006'], consider: [] },
        { termId: '0001250', replacedBy: [], consider: [] },
      ]);
    });

    it('should refuse a body without termIds', async () => {
      const res = await post('/api/terms/hpo/replace/v1', { ids: ['HP:0007334'] }).expect(400);
      expect(res.body.message).toContain('termIds');
    });
  });

  describe('access', () => {
    it.each([
      ['get', '/api/terms/hpo'],
      ['get', '/api/terms/hpo/HP:0001250'],
      ['get', '/query/terms/hpo/auto-complete/v2?query=seizure'],
      ['post', '/api/terms/hpo/similarity/v1'],
    ] as const)('should answer 401 to %s %s without a token', async (method, path) => {
      const res = await request(app.getHttpServer())
        [method](path)
        .send({ termIds: ['HP:0001250'] });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH_TOKEN_MISSING');
    });
  });
});

describe('Term API without an ontology', () => {
  let app: INestApplication;
  let token: string;
  const hpoDir = process.env.CV3_HPO_DIR;

  beforeAll(async () => {
    // No HPO.OboPath, no CV3_HPO_DIR (the stack's full HPO), no Neo4j: nothing to load.
    delete process.env.CV3_HPO_DIR;
    try {
      app = await createTestApp({
        database: 'cv3_e2e_terms_none',
        patch: (cfg) => {
          cfg.Neo4j.Enabled = false;
          cfg.HPO = { OboPath: '', AnnotationsPath: '', Measure: 'relevance' };
        },
      });
    } finally {
      if (hpoDir !== undefined) {
        process.env.CV3_HPO_DIR = hpoDir;
      }
    }
    await insertLocalUser(app, 'user', { role: 'user', active: true });
    token = (await passwordGrant('user')).access_token;
  });

  afterAll(async () => {
    await app?.get<Connection>(getConnectionToken()).dropDatabase();
    await app?.close();
  });

  it.each([
    ['get', '/api/terms/hpo'],
    ['get', '/api/terms/hpo/HP:0001250'],
    ['get', '/query/terms/hpo/auto-complete/v2?query=seizure'],
    ['post', '/api/terms/hpo/expand/v1'],
    ['post', '/api/terms/hpo/similarity/v1'],
    ['post', '/query/terms/hpo/replace/v1'],
  ] as const)('should answer %s %s with 503 in the common error shape', async (method, path) => {
    const res = await request(app.getHttpServer())
      [method](path)
      .set('Authorization', `Bearer ${token}`)
      .send({ termIds: ['HP:0001250'] })
      .expect(503);
    expect(res.body).toEqual({
      statusCode: 503,
      code: 'SIMILARITY_NOT_CONFIGURED',
      message: 'No HPO ontology is configured on this installation (HPO.OboPath or Neo4j.Enabled)',
      requestId: expect.any(String),
    });
  });

  it('should keep the rest of the app working', async () => {
    await request(app.getHttpServer()).get('/api').expect(200);
    await request(app.getHttpServer()).get('/api/auth/user-info').set('Authorization', `Bearer ${token}`).expect(200);
  });
});
