import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { createTestApp } from './setup/app';
import { insertLocalUser } from './setup/local-users';
import { passwordGrant } from './setup/tokens';

const DB = 'cv3_e2e_sources';

const internalSource = (over: Record<string, unknown> = {}) => ({
  sourceType: 'internal',
  sourceName: 'rare_cohort-1',
  displayName: 'Rare cohort 1',
  sourceDescription: 'Patients of the rare disease clinic',
  owner: 'Clinical Genetics',
  ownerEmail: 'genetics@example.org',
  ...over,
});

const filePipeline = (over: Record<string, unknown> = {}) => ({
  pipelineName: 'patients by id',
  pipelineType: 'filePipeline',
  subjectIdLocation: 'attributeInFile',
  attribute: 'subject_id',
  grouping: 'individual',
  internalDelimiter: ',',
  ...over,
});

const remapPipeline = (over: Record<string, unknown> = {}) => ({
  pipelineName: 'phenotypes',
  pipelineType: 'remapPipeline',
  directives: [
    {
      directiveType: 'termSet',
      origin: 'hpo',
      destination: 'hpo',
      patternSets: [{ type: 'basic', pattern: '^HP:(\\d{7})$', replacement: '$1' }],
    },
    {
      directiveType: 'termSet',
      origin: 'age',
      destination: 'eav',
      patternSets: [{ type: 'qualifier', pattern: '^(\\d+)$', qualifierReplacement: 'age', valueReplacement: '$1' }],
    },
  ],
  ...over,
});

describe('Sources, pipelines and data files', () => {
  let app: INestApplication;
  let connection: Connection;
  let admin: string;
  let developer: string;
  let user: string;
  const uploadPath = mkdtempSync(join(tmpdir(), 'cv3-sources-'));

  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function createSource(body: Record<string, unknown> = internalSource()): Promise<string> {
    const res = await http().post('/api/sources').set(as(admin)).send(body).expect(200);
    expect(res.body).toEqual({ status: 'Success', sourceId: expect.any(String) });
    return res.body.sourceId as string;
  }

  beforeAll(async () => {
    app = await createTestApp({ database: DB, patch: (cfg) => (cfg.Data.UploadPath = uploadPath) });
    connection = app.get<Connection>(getConnectionToken());
    // Not dropDatabase: that would drop the unique indexes the app created at start.
    for (const name of ['sources', 'pipelines', 'datafiles', 'user.info']) {
      await connection.collection(name).deleteMany({});
    }
    await insertLocalUser(app, 'dataadmin', { role: 'dataAdmin' });
    await insertLocalUser(app, 'developer', { role: 'developer' });
    await insertLocalUser(app, 'user', { role: 'user' });
    admin = (await passwordGrant('dataadmin')).access_token;
    developer = (await passwordGrant('developer')).access_token;
    user = (await passwordGrant('user')).access_token;
  });

  afterEach(async () => {
    for (const name of ['sources', 'pipelines', 'datafiles']) {
      await connection.collection(name).deleteMany({});
    }
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await app?.close();
  });

  describe('/sources', () => {
    it('should create an internal source with an empty record index', async () => {
      const sourceId = await createSource();
      const doc = await connection.collection('sources').findOne({ sourceId }, { projection: { _id: 0 } });
      expect(doc).toMatchObject({
        ...internalSource(),
        sourceId,
        online: true,
        pipelineIndex: [],
        recordIndex: {
          capability: {
            subject: false,
            genes: false,
            hpo: false,
            ordo: false,
            snomed: false,
            variant: false,
            source: false,
            eav: false,
            subjectCapability: { age: false, gender: false, familyType: false, affected: false },
          },
          recordCount: 0,
          eavIndex: { attributes: {}, values: {}, mappings: {} },
        },
      });
      expect(doc).not.toHaveProperty('sourceUrl');
    });

    it('should create molgenis and beacon sources with their fields, under /source too', async () => {
      const molgenis = await createSource(
        internalSource({
          sourceType: 'molgenis',
          sourceName: 'molgenis1',
          sourceUrl: 'https://molgenis.example.org/api/cv3',
          indexUrl: 'https://molgenis.example.org/api/cv3/index',
        }),
      );
      const res = await http()
        .post('/api/source')
        .set(as(developer))
        .send(
          internalSource({
            sourceType: 'beacon',
            sourceName: 'beacon1',
            sourceUrl: 'http://beacon.local:9000/api',
            beaconAuthMethod: 'authKey',
          }),
        )
        .expect(200);
      const stored = await connection
        .collection('sources')
        .find(
          {},
          { projection: { _id: 0, sourceId: 1, sourceType: 1, sourceUrl: 1, indexUrl: 1, beaconAuthMethod: 1 } },
        )
        .sort({ sourceName: 1 })
        .toArray();
      expect(stored).toEqual([
        {
          sourceId: res.body.sourceId,
          sourceType: 'beacon',
          sourceUrl: 'http://beacon.local:9000/api',
          beaconAuthMethod: 'authKey',
        },
        {
          sourceId: molgenis,
          sourceType: 'molgenis',
          sourceUrl: 'https://molgenis.example.org/api/cv3',
          indexUrl: 'https://molgenis.example.org/api/cv3/index',
        },
      ]);
    });

    it.each([
      ['sourceName', internalSource({ sourceName: 'has space' })],
      ['sourceName', internalSource({ sourceName: 'x'.repeat(65) })],
      ['ownerEmail', internalSource({ ownerEmail: 'not-an-email' })],
      ['displayName', internalSource({ displayName: '   ' })],
      ['sourceType', internalSource({ sourceType: 'legacy' })],
      ['unknownKey', internalSource({ unknownKey: 1 })],
      ['recordIndex', internalSource({ recordIndex: {} })],
      ['sourceUrl', internalSource({ sourceType: 'beacon', beaconAuthMethod: 'noAuth', sourceUrl: 'ftp://x.org' })],
      ['sourceUrl', internalSource({ sourceType: 'beacon', beaconAuthMethod: 'noAuth' })],
      ['beaconAuthMethod', internalSource({ sourceType: 'beacon', sourceUrl: 'https://b.org', beaconAuthMethod: 'x' })],
      ['indexUrl', internalSource({ sourceType: 'molgenis', sourceUrl: 'https://m.org' })],
      ['sourceUrl', internalSource({ sourceUrl: 'https://m.org' })],
    ])('should refuse a body with a bad %s (400 naming it) and store nothing', async (field, body) => {
      const res = await http().post('/api/sources').set(as(admin)).send(body).expect(400);
      expect(res.body.message).toContain(field);
      expect(await connection.collection('sources').countDocuments()).toBe(0);
    });

    it('should refuse a second source with the same sourceName or sourceId (409)', async () => {
      const sourceId = await createSource();
      const byName = await http().post('/api/sources').set(as(admin)).send(internalSource()).expect(409);
      expect(byName.body).toMatchObject({ code: 'SOURCE_EXISTS', details: { field: 'sourceName' } });
      await http()
        .post('/api/sources')
        .set(as(admin))
        .send(internalSource({ sourceId, sourceName: 'other' }))
        .expect(409);
      expect(await connection.collection('sources').countDocuments()).toBe(1);
    });

    it('should refuse renaming a source to a taken sourceName (409), changing nothing', async () => {
      const first = await createSource();
      const second = await createSource(internalSource({ sourceName: 'second' }));
      const res = await http()
        .patch(`/api/sources/${second}`)
        .set(as(admin))
        .send({ sourceName: internalSource().sourceName })
        .expect(409);
      expect(res.body).toMatchObject({ code: 'SOURCE_EXISTS', details: { field: 'sourceName' } });
      const stored = await connection
        .collection('sources')
        .find({}, { projection: { _id: 0, sourceId: 1, sourceName: 1 } })
        .toArray();
      expect(stored.sort((a, b) => (a.sourceName < b.sourceName ? -1 : 1))).toEqual([
        { sourceId: first, sourceName: internalSource().sourceName },
        { sourceId: second, sourceName: 'second' },
      ]);
    });

    it('should list and read sources under /sources, /source and /query/sources', async () => {
      const sourceId = await createSource();
      const list = await http().get('/api/sources').set(as(admin)).expect(200);
      expect(list.body).toEqual([expect.objectContaining({ sourceId, sourceName: 'rare_cohort-1' })]);
      expect(list.body[0]).not.toHaveProperty('_id');
      await http().get('/query/sources').set(as(developer)).expect(200);
      const one = await http().get(`/api/source/${sourceId}`).set(as(admin)).expect(200);
      expect(one.body).toEqual(list.body[0]);
      await http().get('/api/sources/00000000-0000-4000-8000-000000000000').set(as(admin)).expect(404);
      await http().get('/api/sources/not-a-uuid').set(as(admin)).expect(400);
    });

    it('should update a source, refusing a type change and fields of another type', async () => {
      const sourceId = await createSource();
      await http()
        .patch(`/api/sources/${sourceId}`)
        .set(as(admin))
        .send({ displayName: 'Renamed', online: false })
        .expect(200, { status: 'Success' });
      expect(await connection.collection('sources').findOne({ sourceId })).toMatchObject({
        displayName: 'Renamed',
        online: false,
        sourceName: 'rare_cohort-1',
      });
      const type = await http().patch(`/api/sources/${sourceId}`).set(as(admin)).send({ sourceType: 'beacon' });
      expect(type.status).toBe(400);
      expect(type.body.message).toContain('sourceType');
      const url = await http()
        .patch(`/api/sources/${sourceId}`)
        .set(as(admin))
        .send({ sourceUrl: 'https://x.org' })
        .expect(400);
      expect(url.body.details).toEqual({ field: 'sourceUrl' });
      await http().patch(`/api/sources/${sourceId}`).set(as(admin)).send({ ownerEmail: 'nope' }).expect(400);
      expect(await connection.collection('sources').findOne({ sourceId })).not.toHaveProperty('sourceUrl');
    });

    it('should refuse every source route but the lists to a plain user (403)', async () => {
      const sourceId = await createSource();
      // The lists answer, with only the sources a discovery group grants (none here; see groups.e2e-spec).
      await http().get('/api/sources').set(as(user)).expect(200, []);
      await http().get(`/api/sources/${sourceId}`).set(as(user)).expect(403);
      await http()
        .post('/api/sources')
        .set(as(user))
        .send(internalSource({ sourceName: 'u' }))
        .expect(403);
      await http().patch(`/api/sources/${sourceId}`).set(as(user)).send({ displayName: 'x' }).expect(403);
      await http().delete(`/api/sources/${sourceId}`).set(as(user)).expect(403);
      await http().get('/api/pipelines').set(as(user)).expect(403);
      expect(await connection.collection('sources').countDocuments()).toBe(1);
    });

    it('should delete a source with its data files, files on disk, subjects and staged rows', async () => {
      const sourceId = await createSource();
      const other = await createSource(internalSource({ sourceName: 'other' }));
      const dir = join(uploadPath, sourceId);
      mkdirSync(join(dir, '.chunks', 'x'), { recursive: true });
      writeFileSync(join(dir, 'f1.csv'), 'a,b\n1,2\n');
      await connection.collection('datafiles').insertMany([
        { dataFileId: 'f1', sourceId, path: join(dir, 'f1.csv') },
        { dataFileId: 'f2', sourceId: other, path: '/nowhere' },
      ]);
      await connection.collection(`sources.${sourceId}`).insertOne({ subjectId: 's1', dataFiles: ['f1'] });
      await connection.collection(`staging.${sourceId}`).insertOne({ dataFileId: 'f1', a: '1' });
      await connection.collection(`sources.${other}`).insertOne({ subjectId: 's1', dataFiles: ['f2'] });

      await http().delete(`/api/sources/${sourceId}`).set(as(admin)).expect(200, { status: 'Success' });

      expect(await connection.collection('sources').find({}).toArray()).toEqual([
        expect.objectContaining({ sourceId: other }),
      ]);
      expect(await connection.collection('datafiles').find({}).toArray()).toEqual([
        expect.objectContaining({ dataFileId: 'f2' }),
      ]);
      expect(existsSync(dir)).toBe(false);
      const names = (await connection.db!.listCollections().toArray()).map((c) => c.name);
      expect(names).not.toContain(`sources.${sourceId}`);
      expect(names).not.toContain(`staging.${sourceId}`);
      expect(names).toContain(`sources.${other}`);
      await http().delete(`/api/sources/${sourceId}`).set(as(admin)).expect(404);
      await connection.dropCollection(`sources.${other}`);
    });
  });

  describe('/pipelines', () => {
    it('should create, read, list, replace and delete a file pipeline', async () => {
      const created = await http().post('/api/pipelines').set(as(admin)).send(filePipeline()).expect(200);
      const { pipelineId } = created.body;
      expect(created.body).toEqual({ status: 'Success', pipelineId: expect.any(String) });
      const stored = await connection.collection('pipelines').findOne({ pipelineId }, { projection: { _id: 0 } });
      expect(stored).toMatchObject({ ...filePipeline(), pipelineId });
      const one = await http().get(`/api/pipelines/${pipelineId}`).set(as(admin)).expect(200);
      expect(one.body).toEqual({ ...filePipeline(), pipelineId });
      expect((await http().get('/api/pipelines').set(as(developer)).expect(200)).body).toEqual([one.body]);

      const replacement = filePipeline({
        subjectIdLocation: 'assignPerBatch',
        attribute: undefined,
        prefix: 'SUBJ',
        batchSize: 10,
      });
      await http().patch(`/api/pipelines/${pipelineId}`).set(as(admin)).send(replacement).expect(200);
      const after = await connection.collection('pipelines').findOne({ pipelineId }, { projection: { _id: 0 } });
      expect(after).toMatchObject({ subjectIdLocation: 'assignPerBatch', prefix: 'SUBJ', batchSize: 10 });
      expect(after).not.toHaveProperty('attribute');

      await http().delete(`/api/pipelines/${pipelineId}`).set(as(admin)).expect(200, { status: 'Success' });
      expect(await connection.collection('pipelines').countDocuments()).toBe(0);
      await http().get(`/api/pipelines/${pipelineId}`).set(as(admin)).expect(404);
    });

    it.each([
      ['attributeInName', { subjectIdLocation: 'attributeInName', attribute: undefined }, {}],
      [
        'assignByExpansion (CV3 spelling assignByExtension)',
        {
          subjectIdLocation: 'assignByExtension',
          attribute: undefined,
          columns: ['hpo', 'ordo'],
          expansionPolicy: 'individual',
          newAttribute: 'term',
        },
        { subjectIdLocation: 'assignByExpansion' },
      ],
      [
        'assignPerBatch sent with CV3’s const attributeInFile',
        { attribute: undefined, prefix: 'B', batchSize: 5 },
        { subjectIdLocation: 'assignPerBatch' },
      ],
      [
        'customized grouping',
        { grouping: 'customized', groupColumns: ['family'], internalDelimiter: undefined },
        { groupColumns: ['family'], internalDelimiter: ',' },
      ],
    ])('should store a file pipeline: %s', async (_name, over, expected) => {
      const res = await http().post('/api/pipelines').set(as(admin)).send(filePipeline(over)).expect(200);
      const stored = await connection.collection('pipelines').findOne({ pipelineId: res.body.pipelineId });
      expect(stored).toMatchObject(expected);
    });

    it('should store a remap pipeline with its directives', async () => {
      const res = await http().post('/api/pipelines').set(as(admin)).send(remapPipeline()).expect(200);
      const stored = await connection
        .collection('pipelines')
        .findOne({ pipelineId: res.body.pipelineId }, { projection: { _id: 0, createdAt: 0, updatedAt: 0 } });
      expect(stored).toEqual({ ...remapPipeline(), pipelineId: res.body.pipelineId });
    });

    const badDirective = (over: Record<string, unknown>) =>
      remapPipeline({ directives: [{ ...remapPipeline().directives[0], ...over }] });
    const badPatternSet = (over: Record<string, unknown>) =>
      badDirective({ patternSets: [{ type: 'basic', pattern: 'x', replacement: 'y', ...over }] });

    it.each([
      ['attribute', filePipeline({ attribute: undefined })],
      ['subjectIdLocation', filePipeline({ subjectIdLocation: 'somewhere' })],
      ['grouping', filePipeline({ grouping: undefined })],
      ['groupColumns', filePipeline({ grouping: 'customized' })],
      ['groupColumns', filePipeline({ groupColumns: ['x'] })],
      ['batchSize', filePipeline({ subjectIdLocation: 'assignPerBatch', attribute: undefined, prefix: 'P' })],
      ['batchSize', filePipeline({ subjectIdLocation: 'assignPerBatch', prefix: 'P', batchSize: 0 })],
      ['columns', filePipeline({ subjectIdLocation: 'assignByExpansion', expansionPolicy: 'individual' })],
      ['prefix', filePipeline({ prefix: 'not used here' })],
      ['directives', filePipeline({ directives: [] })],
      ['directives', remapPipeline({ directives: [] })],
      ['attribute', remapPipeline({ attribute: 'x' })],
      ['pipelineName', filePipeline({ pipelineName: '' })],
      ['pipelineType', filePipeline({ pipelineType: 'other' })],
      ['unknown', filePipeline({ unknown: true })],
      ['directives.0.destination', badDirective({ destination: 'omim' })],
      ['directives.0.directiveType', badDirective({ directiveType: 'other' })],
      ['directives.0.patternSets.0.pattern', badPatternSet({ pattern: '([unclosed' })],
      ['directives.0.patternSets.0.replacement', badPatternSet({ replacement: undefined })],
      ['directives.0.patternSets.0.valueReplacement', badPatternSet({ type: 'qualifier', qualifierReplacement: 'q' })],
      ['directives.0.patternSets.0.type', badPatternSet({ type: 'fancy' })],
      ['directives.0.patternSets.0.property extra', badPatternSet({ extra: 1 })],
    ])('should refuse a pipeline with a bad %s (400 naming it)', async (field, body) => {
      const res = await http().post('/api/pipelines').set(as(admin)).send(body).expect(400);
      expect(res.body.message).toContain(field);
      expect(await connection.collection('pipelines').countDocuments()).toBe(0);
    });

    it('should refuse a second pipeline with the same name (409)', async () => {
      await http().post('/api/pipelines').set(as(admin)).send(filePipeline()).expect(200);
      await http().post('/api/pipelines').set(as(admin)).send(filePipeline()).expect(409);
    });

    it('should list the attribute names indexed across sources', async () => {
      const a = await createSource();
      const b = await createSource(internalSource({ sourceName: 'b' }));
      await createSource(internalSource({ sourceName: 'c' }));
      await connection
        .collection('sources')
        .updateOne({ sourceId: a }, { $set: { 'recordIndex.eavIndex.attributes': { sex: 'Sex', age: 'Age' } } });
      await connection
        .collection('sources')
        .updateOne({ sourceId: b }, { $set: { 'recordIndex.eavIndex.attributes': { sex: 'Gender', tissue: 'T' } } });
      const res = await http().get('/api/pipelines/attributes').set(as(admin)).expect(200);
      expect(res.body).toEqual(['age', 'sex', 'tissue']);
    });
  });

  describe('/datafiles', () => {
    let sourceId: string;
    let filePath: string;

    beforeEach(async () => {
      sourceId = await createSource();
      mkdirSync(join(uploadPath, sourceId), { recursive: true });
      filePath = join(uploadPath, sourceId, 'f1.csv');
      writeFileSync(filePath, 'a,b\n1,2\n');
      const base = { sourceId, fileFormat: 'csv', size: 8, sha256: 'x', isProcessed: false };
      await connection.collection('datafiles').insertMany([
        { ...base, dataFileId: '11111111-1111-4111-8111-111111111111', filename: 'one.csv', path: filePath },
        { ...base, dataFileId: '22222222-2222-4222-8222-222222222222', filename: 'two.csv', path: '/nowhere' },
      ]);
    });

    afterEach(async () => {
      for (const name of [`sources.${sourceId}`, `staging.${sourceId}`]) {
        await connection.dropCollection(name).catch(() => undefined);
      }
    });

    const F1 = '11111111-1111-4111-8111-111111111111';
    const F2 = '22222222-2222-4222-8222-222222222222';

    it('should list a source’s data files without internal fields, under /source and /sources', async () => {
      const res = await http().get(`/api/source/${sourceId}/datafiles`).set(as(admin)).expect(200);
      expect((res.body as Array<{ dataFileId: string }>).map((f) => f.dataFileId)).toEqual([F1, F2]);
      expect(res.body[0]).toMatchObject({ filename: 'one.csv', fileFormat: 'csv', isProcessed: false, size: 8 });
      expect(res.body[0]).not.toHaveProperty('path');
      expect(res.body[0]).not.toHaveProperty('_id');
      await http().get(`/api/sources/${sourceId}/datafiles`).set(as(admin)).expect(200);
      await http().get('/api/sources/00000000-0000-4000-8000-000000000000/datafiles').set(as(admin)).expect(404);
    });

    it('should show the first 20 staged rows of a file without internal fields', async () => {
      // Staged rows as a file pipeline run leaves them: chunks, and a manifest carrying the first rows.
      const manifest = (fileId: string, rows: Array<[string, number, Record<string, string>]>) => ({
        _id: `${fileId}:manifest`,
        dataFileId: fileId,
        buckets: 1,
        chunks: [0],
        rows: rows.length,
        subjects: rows.length,
        sample: JSON.stringify(rows),
      });
      const rows = Array.from({ length: 25 }, (_, i): [string, number, Record<string, string>] => [
        `P${i}`,
        i + 2,
        { age: String(i) },
      ]);
      await connection
        .collection<{ _id: string; [k: string]: unknown }>(`staging.${sourceId}`)
        .insertMany([manifest(F1, rows), manifest(F2, [['other', 2, {}]])]);
      const res = await http().get(`/api/datafiles/${F1}/sample`).set(as(admin)).expect(200);
      expect(res.body).toHaveLength(20);
      expect(res.body[0]).toEqual({ subjectId: 'P0', line: 2, age: '0' });
      const empty = await http().get(`/api/datafiles/${F2}/sample`).set(as(developer)).expect(200);
      expect(empty.body).toEqual([{ subjectId: 'other', line: 2 }]);
      await http().get('/api/datafiles/00000000-0000-4000-8000-000000000000/sample').set(as(admin)).expect(404);
    });

    it('should delete a file, its staged rows and its part of the subjects', async () => {
      // Staged chunks of both files, and F1's manifest.
      await connection.collection<{ _id: string; [k: string]: unknown }>(`staging.${sourceId}`).insertMany([
        { _id: `${F1}:manifest`, dataFileId: F1, buckets: 2, chunks: [1, 1], rows: 2, subjects: 2, sample: '[]' },
        { _id: `${F1}:0:0`, dataFileId: F1, rows: JSON.stringify([['x', 2, { a: '1' }]]) },
        { _id: `${F1}:1:0`, dataFileId: F1, rows: JSON.stringify([['y', 3, { a: '2' }]]) },
        { _id: `${F2}:0:0`, dataFileId: F2, rows: JSON.stringify([['z', 2, { a: '3' }]]) },
      ]);
      // Subjects as the writer stores them: keyed by subjectId, with each file's part when shared.
      await connection.collection<{ _id: string; [k: string]: unknown }>(`sources.${sourceId}`).insertMany([
        { _id: 'only-f1', subjectId: 'only-f1', HPO: ['0000001'], dataFiles: [F1] },
        {
          _id: 'both',
          subjectId: 'both',
          HPO: ['0000001', '0000002'],
          dataFiles: [F1, F2],
          _parts: { [F1]: { HPO: ['0000001'] }, [F2]: { HPO: ['0000002'] } },
        },
        { _id: 'only-f2', subjectId: 'only-f2', HPO: ['0000002'], dataFiles: [F2] },
      ]);
      await http().delete(`/api/datafiles/${F1}`).set(as(admin)).expect(200, { status: 'Success' });

      expect(existsSync(filePath)).toBe(false);
      expect(
        await connection
          .collection('datafiles')
          .find({}, { projection: { _id: 0, dataFileId: 1 } })
          .toArray(),
      ).toEqual([{ dataFileId: F2 }]);
      const staged = await connection
        .collection(`staging.${sourceId}`)
        .find({}, { projection: { _id: 1 } })
        .toArray();
      expect(staged.map((d) => String(d._id)).sort()).toEqual([`${F2}:0:0`]);
      const subjects = await connection
        .collection(`sources.${sourceId}`)
        .find({}, { projection: { _id: 0, subjectId: 1, HPO: 1, dataFiles: 1, _parts: 1 } })
        .sort({ subjectId: 1 })
        .toArray();
      // `both` is rebuilt from the part that remains (and, with one file left, needs no parts).
      expect(subjects).toEqual([
        { subjectId: 'both', HPO: ['0000002'], dataFiles: [F2] },
        { subjectId: 'only-f2', HPO: ['0000002'], dataFiles: [F2] },
      ]);
      await http().delete(`/api/datafiles/${F1}`).set(as(admin)).expect(404);
      await http().delete(`/api/datafiles/${F2}`).set(as(user)).expect(403);
    });
  });
});
