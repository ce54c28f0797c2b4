import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { createTestApp } from './setup/app';
import { insertLocalUser } from './setup/local-users';
import { passwordGrant } from './setup/tokens';
import { postChunk, shuffled, splitChunks } from './setup/upload';

const FIXTURES = join(__dirname, '../fixtures/data');

/**
 * Upload in shuffled chunks → ingest → remap → index, on the real stack, with the jobs run by BullMQ in the app.
 * Subject documents are asserted field by field.
 */
describe('Ingestion end to end', () => {
  let app: INestApplication;
  let connection: Connection;
  let admin: string;
  let sourceId: string;
  let filePipeline: string;
  let remapPipeline: string;
  const http = () => request(app.getHttpServer());
  const as = () => ({ Authorization: `Bearer ${admin}` });

  beforeAll(async () => {
    app = await createTestApp({
      database: 'cv3_e2e_ingestion',
      patch: (cfg) => {
        cfg.Data.UploadPath = mkdtempSync(join(tmpdir(), 'cv3-ingest-'));
      },
    });
    connection = app.get<Connection>(getConnectionToken());
    await connection.dropDatabase();
    await insertLocalUser(app, 'dataadmin', { role: 'dataAdmin' });
    admin = (await passwordGrant('dataadmin')).access_token;
    const source = await http()
      .post('/api/sources')
      .set(as())
      .send({
        sourceType: 'internal',
        sourceName: 'ingestion',
        displayName: 'Ingestion e2e',
        sourceDescription: 'fixtures',
        owner: 'e2e',
        ownerEmail: 'e2e@example.org',
      })
      .expect(200);
    sourceId = source.body.sourceId;
    const fp = await http()
      .post('/api/pipelines')
      .set(as())
      .send({
        pipelineName: 'patients-file',
        pipelineType: 'filePipeline',
        subjectIdLocation: 'attributeInFile',
        attribute: 'subject_id',
        grouping: 'individual',
        internalDelimiter: ',',
      })
      .expect(200);
    filePipeline = fp.body.pipelineId;
    const rp = await http()
      .post('/api/pipelines')
      .set(as())
      .send({
        pipelineName: 'patients-remap',
        pipelineType: 'remapPipeline',
        directives: [
          { directiveType: 'termSet', origin: 'hpo', destination: 'hpo', patternSets: [] },
          { directiveType: 'termSet', origin: 'ordo', destination: 'ordo', patternSets: [] },
          {
            directiveType: 'termSet',
            origin: 'gene',
            destination: 'gene',
            patternSets: [{ type: 'basic', pattern: '^(.*)$', replacement: '$1:missense_variant' }],
          },
          { directiveType: 'termSet', origin: 'age', destination: 'eav', patternSets: [] },
          { directiveType: 'termSet', origin: 'sex', destination: 'eav', patternSets: [] },
        ],
      })
      .expect(200);
    remapPipeline = rp.body.pipelineId;
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await app?.close();
  });

  async function upload(fixture: string, chunkSize = 97): Promise<string> {
    const token = (await http().get('/api/sources/upload-token').query({ sourceId }).set(as()).expect(200)).body
      .token as string;
    const content = readFileSync(join(FIXTURES, fixture));
    const chunks = shuffled(
      splitChunks(content, { filename: fixture, chunkSize, identifier: `${fixture}-${Date.now()}` }),
    );
    let dataFileId: string | undefined;
    for (const chunk of chunks) {
      const res = await postChunk(app, sourceId, chunk, { bearer: admin, uploadToken: token });
      expect(res.status).toBe(200);
      dataFileId ??= res.body.dataFileId;
    }
    expect(dataFileId).toBeDefined();
    return dataFileId!;
  }

  async function run(kind: 'ingest' | 'remap', pipelineID: string, dataFileId: string) {
    const res = await http()
      .post(`/api/source/${sourceId}/${kind}`)
      .set(as())
      .send({ pipelineID, dataFileIDs: [dataFileId] })
      .expect(200);
    const { jobId } = res.body.jobs[0] as { jobId: string };
    for (let i = 0; i < 300; i++) {
      const job = (await http().get(`/api/jobs/${jobId}`).set(as()).expect(200)).body;
      if (!['queued', 'running'].includes(job.state)) {
        return job;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  const subjects = () =>
    connection
      .collection(`sources.${sourceId}`)
      .find({}, { projection: { _id: 0, _parts: 0 } })
      .sort({ subjectId: 1 })
      .toArray();

  /** Rows staged for a file, counted in its chunks; -1 when its manifest (written last) disagrees or is missing. */
  const stagedRows = async (fileId: string) => {
    const staging = connection.collection<{ _id: string; rows: string | number }>(`staging.${sourceId}`);
    const chunks = await staging.find({ dataFileId: fileId, _id: { $ne: `${fileId}:manifest` } }).toArray();
    const rows = chunks.reduce((n, c) => n + (JSON.parse(c.rows as string) as unknown[]).length, 0);
    const manifest = await staging.findOne({ _id: `${fileId}:manifest` });
    return chunks.length === 0 && !manifest ? 0 : manifest?.rows === rows ? rows : -1;
  };

  let csvId: string;
  let vcfId: string;

  it('should stage a CSV file with its file pipeline', async () => {
    csvId = await upload('patients.csv');
    const job = await run('ingest', filePipeline, csvId);
    expect(job).toMatchObject({ state: 'done', kind: 'ingest', dataFileId: csvId, errors: [] });
    expect(job.progress).toMatchObject({ rows: 10, subjects: 10 });
    expect(await stagedRows(csvId)).toBe(10);
    const sample = (await http().get(`/api/datafiles/${csvId}/sample`).set(as()).expect(200)).body;
    expect(sample[0]).toMatchObject({ subjectId: 'P001', line: 2, hpo: ['HP:0001250', 'HP:0001263'], sex: 'F' });
    // Staging is not subjects yet.
    expect(await subjects()).toEqual([]);
  });

  it('should remap the staged rows into subject documents', async () => {
    const job = await run('remap', remapPipeline, csvId);
    expect(job).toMatchObject({ state: 'done', kind: 'remap' });
    const docs = await subjects();
    expect(docs).toHaveLength(10);
    expect(docs[0]).toEqual({
      subjectId: 'P001',
      HPO: ['0001250', '0001263'],
      ORDO: ['166'],
      SNOMED: [],
      NCIT: [],
      ALLELES: [],
      VARIANT: [{ gene: 'SCN1A', mutation: 'missense_variant' }],
      EAV: { age: 4, sex: 'F' },
      dataFiles: [csvId],
      // Derived keys for record queries (one string per gene and mutation; af 0 = unknown).
      _variantKeys: ['SCN1A|missense_variant'],
      _variantAf: { 'SCN1A|missense_variant': 0 },
      _alleleKeys: [],
    });
    expect(docs[2]).toMatchObject({ subjectId: 'P003', HPO: ['0000252', '0001263', '0002376'], ORDO: ['778'] });
    const file = (await http().get(`/api/sources/${sourceId}/datafiles`).set(as()).expect(200)).body[0];
    expect(file).toMatchObject({ dataFileId: csvId, isProcessed: true });
  });

  it('should count rows, subjects and jobs in the metrics', async () => {
    const text = (await http().get('/metrics').expect(200)).text;
    expect(text).toMatch(/cv3_ingest_rows_total\{[^}]*kind="csv"[^}]*\} ([1-9]\d*)/);
    expect(text).toMatch(/cv3_ingest_subjects_total\{[^}]*\} ([1-9]\d*)/);
    expect(text).toMatch(/cv3_data_jobs_total\{[^}]*kind="remap"[^}]*state="done"[^}]*\} ([1-9]\d*)/);
  });

  it('should build the record index after the remap', async () => {
    const source = await connection.collection('sources').findOne({ sourceId });
    expect(source!.recordIndex.recordCount).toBe(10);
    expect(source!.recordIndex.capability).toMatchObject({
      hpo: true,
      ordo: true,
      variant: true,
      eav: true,
      snomed: false,
    });
    const eav = (await http().get(`/api/sources/${sourceId}/eav-index`).set(as()).expect(200)).body;
    expect(eav.attributes).toEqual({ age: 'age', sex: 'sex' });
    expect(eav.mappings.sex.sort()).toEqual(['F', 'M']);
    expect(eav.mappings.age).toBeUndefined();
  });

  it('should let admins rename EAV display names only', async () => {
    const res = await http()
      .patch(`/api/sources/${sourceId}/eav-index`)
      .set(as())
      .send({ attributes: { sex: 'Sex at birth' }, values: { F: 'Female' } })
      .expect(200);
    expect(res.body.attributes.sex).toBe('Sex at birth');
    await http()
      .patch(`/api/sources/${sourceId}/eav-index`)
      .set(as())
      .send({ attributes: { weight: 'Weight' } })
      .expect(400);
    // A rebuild keeps the names.
    await http().post(`/api/sources/${sourceId}/index`).set(as()).expect(200);
    const eav = (await http().get(`/api/sources/${sourceId}/eav-index`).set(as()).expect(200)).body;
    expect(eav.attributes.sex).toBe('Sex at birth');
    expect(eav.values.F).toBe('Female');
  });

  it('should turn a VCF (samples as subjects) into VARIANT entries without positions or alleles', async () => {
    vcfId = await upload('small.vcf', 211);
    const job = await run('ingest', filePipeline, vcfId);
    expect(job).toMatchObject({ state: 'done' });
    expect(job.progress.rows).toBe(10);
    const s1 = await connection
      .collection(`sources.${sourceId}`)
      .findOne({ subjectId: 'S1' }, { projection: { _id: 0, _parts: 0 } });
    expect(s1!.dataFiles).toEqual([vcfId]);
    // S1 carries two SCN1A missense sites (AF 0.17 from INFO, and 2/6 alt alleles computed at the multi-allelic
    // site): one entry per (gene, mutation), with the higher frequency. DMD's AF is computed from the genotypes.
    expect(s1!.VARIANT).toEqual([
      { gene: 'SCN1A', mutation: 'missense_variant', af: 0.333333 },
      { gene: 'SCN1A', mutation: 'stop_gained', af: 0.33 },
      { gene: 'SCN1A', mutation: 'synonymous_variant', af: 0.5 },
      { gene: 'DMD', mutation: 'missense_variant', af: 0.166667 },
    ]);
    expect(JSON.stringify(s1)).not.toMatch(/166845670|"ref"|"alt"|"pos"/i);
    const source = await connection.collection('sources').findOne({ sourceId });
    expect(source!.recordIndex.recordCount).toBe(13);
  });

  it('should replace, not duplicate, what a file contributed when it is ingested again', async () => {
    const before = await subjects();
    await run('ingest', filePipeline, csvId);
    await run('remap', remapPipeline, csvId);
    await run('ingest', filePipeline, vcfId);
    expect(await subjects()).toEqual(before);
    expect(await stagedRows(csvId)).toBe(10);
  });

  it('should fail a ragged CSV with its line number and leave the source as it was', async () => {
    const before = await subjects();
    const bad = await upload('engine-ragged.csv', 50);
    const job = await run('ingest', filePipeline, bad);
    expect(job.state).toBe('failed');
    expect(job.errors[0]).toMatchObject({ line: expect.any(Number) });
    expect(job.errors[0].message).toMatch(/column/i);
    expect(await stagedRows(bad)).toBe(0);
    expect(await subjects()).toEqual(before);
  });

  it('should fail a VCF with a broken line with its line number and leave the source as it was', async () => {
    const before = await subjects();
    const bad = await upload('engine-bad-line.vcf', 50);
    const job = await run('ingest', filePipeline, bad);
    expect(job.state).toBe('failed');
    expect(job.errors[0].line).toBeGreaterThan(1);
    expect(await subjects()).toEqual(before);
  });

  it('should refuse a remap of a VCF and a pipeline of the wrong kind, naming the field', async () => {
    const vcf = await http()
      .post(`/api/sources/${sourceId}/remap`)
      .set(as())
      .send({ pipelineID: remapPipeline, dataFileIDs: [vcfId] })
      .expect(400);
    expect(vcf.body.message).toMatch(/^dataFileIDs/);
    const wrong = await http()
      .post(`/api/sources/${sourceId}/ingest`)
      .set(as())
      .send({ pipelineID: remapPipeline, dataFileIDs: [csvId] })
      .expect(400);
    expect(wrong.body.message).toMatch(/^pipelineID/);
    await http().post(`/api/sources/${sourceId}/ingest`).set(as()).send({ pipelineID: filePipeline }).expect(400);
  });

  it('should remove exactly a deleted file’s subjects and contributions', async () => {
    await http().delete(`/api/datafiles/${vcfId}`).set(as()).expect(200);
    const docs = await subjects();
    expect(docs.map((d) => d.subjectId)).toEqual([
      'P001',
      'P002',
      'P003',
      'P004',
      'P005',
      'P006',
      'P007',
      'P008',
      'P009',
      'P010',
    ]);
    const source = await connection.collection('sources').findOne({ sourceId });
    expect(source!.recordIndex.recordCount).toBe(10);
  });
});
