/*
 * Ingestion benchmark: a synthetic VCF (200,000 records × 100 samples) and CSV (100,000 rows × 20 columns) through
 * our end-to-end ingestion (jobs on BullMQ, staging, remap, subject writes, index), and in the same run a baseline
 * that bulk-inserts the same final documents with the MongoDB driver into the same server, 1000 per batch, into a
 * collection with the same indexes, right after the ingestion it is compared with.
 *
 *   BENCH_SCALE=0.5 npm run bench -- ingest     (sizes × 0.5; run two scales to see whether RSS grows with size)
 *   BENCH_ONLY=vcf npm run bench -- ingest      (one format per process: its peak RSS is its own; or csv)
 */
import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';

const scale = Number(process.env.BENCH_SCALE ?? 1);
/** `vcf` or `csv`: run only that format (each in its own process shows its own peak RSS). */
const only = process.env.BENCH_ONLY;
const VCF_RECORDS = Math.round(200_000 * scale);
const VCF_SAMPLES = 100;
const CSV_ROWS = Math.round(100_000 * scale);
const CSV_COLUMNS = 20;
const BATCH = 1000;
const DB = 'cv3_bench_ingest';

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en')}/s`;

async function main(): Promise<void> {
  const base = process.env.INSTANCE_CONFIG_PATH;
  if (!base) {
    throw new Error('run `eval "$(bin/cv3-stack env)"` first');
  }
  const dir = mkdtempSync(join(tmpdir(), 'cv3-bench-'));
  const cfg = JSON.parse(readFileSync(base, 'utf8')) as {
    MongoDB: { Database: string };
    Logging: { Level: string };
    Data: { UploadPath: string };
  };
  cfg.MongoDB.Database = DB;
  cfg.Logging.Level = 'WARNING';
  cfg.Data.UploadPath = dir;
  process.env.INSTANCE_CONFIG_PATH = join(dir, 'instance_config.json');
  // No HPO ontology: its load at start (a second or two of CPU) would run during the first ingestion.
  delete process.env.CV3_HPO_DIR;
  writeFileSync(process.env.INSTANCE_CONFIG_PATH, JSON.stringify(cfg));

  const { writeSyntheticCsv, writeSyntheticVcf } = await import('@/modules/data/ingestion/synthetic');
  const vcfPath = join(dir, 'bench.vcf');
  const csvPath = join(dir, 'bench.csv');
  let t = Date.now();
  const sizes: string[] = [];
  if (only !== 'csv') {
    await writeSyntheticVcf(vcfPath, { records: VCF_RECORDS, samples: VCF_SAMPLES });
    sizes.push(`VCF ${VCF_RECORDS.toLocaleString('en')} × ${VCF_SAMPLES} (${mb(statSync(vcfPath).size)})`);
  }
  if (only !== 'vcf') {
    await writeSyntheticCsv(csvPath, { rows: CSV_ROWS, columns: CSV_COLUMNS });
    sizes.push(`CSV ${CSV_ROWS.toLocaleString('en')} × ${CSV_COLUMNS} (${mb(statSync(csvPath).size)})`);
  }
  console.log(`inputs: ${sizes.join(', ')}, generated in ${Date.now() - t} ms`);
  peakRss = 0;

  const { AppModule } = await import('@/app.module');
  const { SourcesService } = await import('@/modules/data/sources.service');
  const { PipelinesService } = await import('@/modules/data/pipelines.service');
  const { DataFilesService } = await import('@/modules/data/data-files.service');
  const { DataJobsService } = await import('@/modules/data/jobs/data-jobs.service');
  const { DataJob } = await import('@/modules/data/jobs/data.queue');
  const { subjectCollection } = await import('@/modules/data/data.types');
  const { SubjectsRepository } = await import('@/modules/data/subjects/subjects.repository');

  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  const connection = app.get<Connection>(getConnectionToken());
  await connection.dropDatabase();
  const sources = app.get(SourcesService);
  const pipelines = app.get(PipelinesService);
  const files = app.get(DataFilesService);
  const jobs = app.get(DataJobsService);

  const source = await sources.create({
    sourceName: `bench_${Date.now()}`,
    displayName: 'Benchmark',
    sourceDescription: 'synthetic',
    owner: 'bench',
    ownerEmail: 'bench@example.org',
    online: true,
    sourceType: 'internal',
  } as never);
  const filePipeline = await pipelines.create({
    pipelineName: `bench-file-${Date.now()}`,
    pipelineType: 'filePipeline',
    subjectIdLocation: 'attributeInFile',
    attribute: 'subject_id',
    grouping: 'individual',
    internalDelimiter: ';',
  } as never);
  const remapPipeline = await pipelines.create({
    pipelineName: `bench-remap-${Date.now()}`,
    pipelineType: 'remapPipeline',
    directives: [],
  } as never);

  async function register(path: string, format: 'vcf' | 'csv'): Promise<string> {
    const dataFileId = randomUUID();
    const size = statSync(path).size;
    await files.create({
      dataFileId,
      sourceId: source.sourceId,
      filename: `bench.${format}`,
      fileFormat: format,
      path,
      size,
      sha256: createHash('sha256').update(path).digest('hex'),
      isProcessed: false,
    });
    return dataFileId;
  }

  async function runJob(kind: (typeof DataJob)[keyof typeof DataJob], pipelineId: string, dataFileId: string) {
    await jobs.enqueue(kind, source.sourceId, pipelineId, [dataFileId]);
    for (;;) {
      const f = await files.findOrFail(dataFileId);
      if (f.job?.state === 'done') {
        return;
      }
      if (f.job?.state === 'failed' || f.job?.state === 'cancelled') {
        throw new Error(`${kind} ${f.job.state}: ${JSON.stringify(f.job.errors)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Baseline: the same final documents, bulk-inserted by the driver into the same server, same batch size. Each
  // baseline runs right after the ingestion it is compared with, so both see the same machine load.
  // The baseline collection gets the subject collections' indexes (the queries need them), so both sides pay for
  // the same index maintenance.
  const baselineId = randomUUID();
  await app.get(SubjectsRepository).ensureIndexes(baselineId);
  const baseline = connection.collection(subjectCollection(baselineId));
  const finalDocs = async (fileId: string, exclude?: string) =>
    (
      await connection
        .collection(subjectCollection(source.sourceId))
        .find({}, { projection: { _id: 0 } })
        .toArray()
    ).filter(
      (d) => (d.dataFiles as string[]).includes(fileId) && !(exclude && (d.dataFiles as string[]).includes(exclude)),
    );
  const insertAll = async (all: Array<Record<string, unknown>>) => {
    const start = Date.now();
    for (let i = 0; i < all.length; i += BATCH) {
      await baseline.insertMany(
        all.slice(i, i + BATCH).map((d) => ({ ...d })),
        { ordered: false },
      );
    }
    return Date.now() - start;
  };

  if (only !== 'csv') {
    const vcfId = await register(vcfPath, 'vcf');
    peakRss = process.memoryUsage().rss;
    t = Date.now();
    await runJob(DataJob.Ingest, filePipeline.pipelineId, vcfId);
    const vcfMs = Date.now() - t;
    const vcfRss = peakRss;
    const vcfDocs = await finalDocs(vcfId);
    const baseVcfMs = await insertAll(vcfDocs);
    console.log(`VCF: ${vcfDocs.length} subjects from ${VCF_RECORDS.toLocaleString('en')} records in ${vcfMs} ms`);
    console.log(`  ours     ${rate(VCF_RECORDS, vcfMs)} records, ${rate(vcfDocs.length, vcfMs)} subjects`);
    console.log(
      `  baseline ${rate(vcfDocs.length, baseVcfMs)} subjects (insert of the final documents: ${baseVcfMs} ms)`,
    );
    console.log(`  ratio (baseline time / our time) ${(baseVcfMs / vcfMs).toFixed(3)}; peak RSS ${mb(vcfRss)}`);
    await connection.collection(subjectCollection(source.sourceId)).deleteMany({});
  }

  if (only !== 'vcf') {
    const csvId = await register(csvPath, 'csv');
    peakRss = process.memoryUsage().rss;
    t = Date.now();
    await runJob(DataJob.Ingest, filePipeline.pipelineId, csvId);
    await runJob(DataJob.Remap, remapPipeline.pipelineId, csvId);
    const csvMs = Date.now() - t;
    const csvRss = peakRss;
    const csvDocs = await finalDocs(csvId);
    const baseCsvMs = await insertAll(csvDocs);
    console.log(
      `CSV: ${csvDocs.length} subjects from ${CSV_ROWS.toLocaleString('en')} rows in ${csvMs} ms (ingest + remap)`,
    );
    console.log(`  ours     ${rate(CSV_ROWS, csvMs)} rows, ${rate(csvDocs.length, csvMs)} subjects`);
    console.log(
      `  baseline ${rate(csvDocs.length, baseCsvMs)} subjects (insert of the final documents: ${baseCsvMs} ms)`,
    );
    console.log(`  ratio (baseline time / our time) ${(baseCsvMs / csvMs).toFixed(3)}; peak RSS ${mb(csvRss)}`);
  }
  console.log(
    `peak RSS ${mb(peakRss)} (scale ${scale}${only ? `, ${only} only` : ''}; a format's peak includes what the ` +
      'process held before it: run BENCH_ONLY=vcf and BENCH_ONLY=csv to see each alone)',
  );

  await connection.dropDatabase();
  await app.close();
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
