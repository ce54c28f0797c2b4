import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { DATA_QUEUE } from '@/modules/data/jobs/data.queue';
import { createTestApp } from './setup/app';
import { ensureBuilt, ROOT } from './setup/build';
import { insertLocalUser } from './setup/local-users';
import { passwordGrant } from './setup/tokens';
import { postChunk, splitChunks } from './setup/upload';

const ROWS = 80_000;

/**
 * A worker process (`node dist/worker.js`) is killed with SIGKILL while it writes a file's subjects; another
 * worker takes the job over once its lock expires, and the final subjects are exactly those of a clean run.
 */
describe('Ingestion survives a worker killed mid-file', () => {
  let app: INestApplication;
  let connection: Connection;
  let admin: string;
  let configPath: string;
  const workers: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'cv3-crash-'));
  const http = () => request(app.getHttpServer());
  const as = () => ({ Authorization: `Bearer ${admin}` });

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [join(ROOT, 'dist/worker.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        INSTANCE_CONFIG_PATH: configPath,
        CV3_PROCESSORS: 'on',
        CV3_JOB_LOCK_MS: '3000',
        CV3_LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    workers.push(child);
    return child;
  }

  beforeAll(async () => {
    ensureBuilt();
    // This process only queues jobs; the workers run them.
    process.env.CV3_PROCESSORS = 'off';
    app = await createTestApp({
      database: 'cv3_e2e_crash',
      patch: (cfg) => {
        cfg.Data.UploadPath = join(dir, 'uploads');
      },
    });
    configPath = process.env.INSTANCE_CONFIG_PATH as string;
    connection = app.get<Connection>(getConnectionToken());
    await connection.dropDatabase();
    await insertLocalUser(app, 'dataadmin', { role: 'dataAdmin' });
    admin = (await passwordGrant('dataadmin')).access_token;
    const { writeSyntheticCsv } = await import('@/modules/data/ingestion/synthetic');
    await writeSyntheticCsv(join(dir, 'big.csv'), { rows: ROWS, columns: 12 });
  }, 240_000);

  afterAll(async () => {
    for (const w of workers) {
      w.kill('SIGKILL');
    }
    delete process.env.CV3_PROCESSORS;
    await connection?.dropDatabase();
    await app?.close();
  });

  async function createSource(name: string): Promise<string> {
    const res = await http()
      .post('/api/sources')
      .set(as())
      .send({
        sourceType: 'internal',
        sourceName: name,
        displayName: name,
        sourceDescription: '',
        owner: 'e2e',
        ownerEmail: 'e2e@example.org',
      })
      .expect(200);
    return res.body.sourceId as string;
  }

  async function uploadBig(sourceId: string): Promise<string> {
    const token = (await http().get('/api/sources/upload-token').query({ sourceId }).set(as()).expect(200)).body.token;
    const content = readFileSync(join(dir, 'big.csv'));
    let dataFileId: string | undefined;
    for (const chunk of splitChunks(content, {
      filename: 'big.csv',
      chunkSize: 1 << 20,
      identifier: `big-${sourceId}`,
    })) {
      const res = await postChunk(app, sourceId, chunk, { bearer: admin, uploadToken: token }).expect(200);
      dataFileId ??= res.body.dataFileId;
    }
    return dataFileId!;
  }

  async function start(kind: 'ingest' | 'remap', sourceId: string, pipelineID: string, dataFileId: string) {
    const res = await http()
      .post(`/api/sources/${sourceId}/${kind}`)
      .set(as())
      .send({ pipelineID, dataFileIDs: [dataFileId] })
      .expect(200);
    return res.body.jobs[0].jobId as string;
  }

  async function waitFor(jobId: string, pred: (job: any) => boolean, timeoutMs = 120_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = (await http().get(`/api/jobs/${jobId}`).set(as()).expect(200)).body;
      if (pred(job)) {
        return job;
      }
      if (job.state === 'failed' || Date.now() > deadline) {
        throw new Error(`job ${jobId}: ${JSON.stringify(job)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const subjects = (sourceId: string) =>
    connection
      .collection(`sources.${sourceId}`)
      .find({}, { projection: { _id: 0, _parts: 0, dataFiles: 0 } })
      .sort({ subjectId: 1 })
      .toArray();

  it('should cancel a queued job so that no worker runs it', async () => {
    // No worker is running yet: the job stays queued.
    const source = await createSource('cancelled');
    const fileId = await uploadBig(source);
    const pipeline = (
      await http()
        .post('/api/pipelines')
        .set(as())
        .send({
          pipelineName: 'cancel-file',
          pipelineType: 'filePipeline',
          subjectIdLocation: 'attributeInFile',
          attribute: 'subject_id',
          grouping: 'individual',
          internalDelimiter: ';',
        })
        .expect(200)
    ).body.pipelineId;
    const jobId = await start('ingest', source, pipeline, fileId);
    const res = await http().post(`/api/jobs/${jobId}/cancel`).set(as()).expect(200);
    expect(res.body).toMatchObject({ jobId, state: 'cancelled' });
    const queue = app.get<Queue>(getQueueToken(DATA_QUEUE));
    expect(await queue.getJob(jobId)).toBeUndefined();
    const again = await http().post(`/api/jobs/${jobId}/cancel`).set(as()).expect(409);
    expect(again.body.code).toBe('DATA_JOB_FINISHED');
    await http().get('/api/jobs/ingest-00000000-0000-4000-8000-000000000000-00000000').set(as()).expect(404);
    const listed = (await http().get('/api/jobs').query({ state: 'cancelled' }).set(as()).expect(200)).body;
    expect(listed.map((j: { jobId: string }) => j.jobId)).toContain(jobId);
    expect(await connection.collection(`staging.${source}`).countDocuments({})).toBe(0);
  }, 120_000);

  it('should end with exactly the subjects of a clean run', async () => {
    const worker = startWorker();
    const filePipeline = (
      await http()
        .post('/api/pipelines')
        .set(as())
        .send({
          pipelineName: 'crash-file',
          pipelineType: 'filePipeline',
          subjectIdLocation: 'attributeInFile',
          attribute: 'subject_id',
          grouping: 'individual',
          internalDelimiter: ';',
        })
        .expect(200)
    ).body.pipelineId;
    const remapPipeline = (
      await http()
        .post('/api/pipelines')
        .set(as())
        .send({
          pipelineName: 'crash-remap',
          pipelineType: 'remapPipeline',
          directives: ['hpo', 'ordo', 'age', 'sex', 'affected', 'measure_7', 'category_8'].map((origin) => ({
            directiveType: 'termSet',
            origin,
            destination: ['hpo', 'ordo'].includes(origin) ? origin : 'eav',
            patternSets: [],
          })),
        })
        .expect(200)
    ).body.pipelineId;

    // The clean run, into its own source.
    const clean = await createSource('clean');
    const cleanFile = await uploadBig(clean);
    await waitFor(await start('ingest', clean, filePipeline, cleanFile), (j) => j.state === 'done');
    await waitFor(await start('remap', clean, remapPipeline, cleanFile), (j) => j.state === 'done');

    // The crashed run: the worker dies while it writes subjects.
    const crashed = await createSource('crashed');
    const crashedFile = await uploadBig(crashed);
    await waitFor(await start('ingest', crashed, filePipeline, crashedFile), (j) => j.state === 'done');
    const remapJob = await start('remap', crashed, remapPipeline, crashedFile);
    const mid = await waitFor(remapJob, (j) => j.state === 'running' && j.progress.subjects > 0);
    worker.kill('SIGKILL');
    expect(mid.progress.subjects).toBeLessThan(ROWS);
    const partial = await connection.collection(`sources.${crashed}`).countDocuments({});
    expect(partial).toBeGreaterThan(0);

    startWorker();
    const done = await waitFor(remapJob, (j) => j.state === 'done');
    expect(done.progress.subjects).toBe(ROWS);

    const [a, b] = [await subjects(crashed), await subjects(clean)];
    expect(a).toHaveLength(ROWS);
    expect(a).toEqual(b);
  }, 300_000);
});
