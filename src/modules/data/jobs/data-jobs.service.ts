import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { type Queue, UnrecoverableError } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { MetricsService } from '@/modules/metrics/metrics.service';
import type {
  DataFileRecord,
  FilePipeline,
  FileJobStatus,
  JobError,
  RemapPipeline,
  SubjectDocument,
} from '../data.types';
import { JobConflictError, JobNotFoundError, JobRequestError, JobsErrorCode } from './jobs.errors';
import { DataFilesService } from '../data-files.service';
import { applyFilePipeline } from '../ingestion/file-pipeline';
import { IngestionInputError, readCsv, readVcf } from '../ingestion/readers';
import type { StagedRow } from '../ingestion/file-pipeline';
import { compileRemap, type Remapper, remapSubject, vcfSubjects } from '../ingestion/remap';
import { PipelinesService } from '../pipelines.service';
import { SourcesService } from '../sources.service';
import { IndexService } from '../subjects/index.service';
import { SubjectWriter } from '../subjects/subject-writer';
import { SubjectsRepository } from '../subjects/subjects.repository';
import { bucketsFor, stagedSubjects, StagingWriter } from '../subjects/staging';
import { SAMPLE_ROWS } from '../data-files.service';
import { DATA_QUEUE, DataJob, type DataJobData } from './data.queue';

const STAGE_BATCH = 1000;
const MAX_ERRORS = 20;
/** How often a running job writes its progress (and notices a cancellation). */
const PROGRESS_MS = 1000;

class JobCancelledError extends Error {}

/**
 * Ingest (file pipeline → staged rows; VCF → subjects) and remap (staged rows → subjects) of data files, as BullMQ
 * jobs whose state lives on the data file. A file has at most one job in flight.
 */
@Injectable()
export class DataJobsService {
  private readonly logger = new Logger(DataJobsService.name);
  private readonly rowsTotal: Counter<'kind'>;
  private readonly subjectsTotal: Counter;
  private readonly jobsTotal: Counter<'kind' | 'state'>;

  constructor(
    @InjectQueue(DATA_QUEUE) private readonly queue: Queue<DataJobData>,
    private readonly sources: SourcesService,
    private readonly files: DataFilesService,
    private readonly pipelines: PipelinesService,
    private readonly subjects: SubjectsRepository,
    private readonly writer: SubjectWriter,
    private readonly index: IndexService,
    metrics: MetricsService,
  ) {
    this.rowsTotal = new Counter({
      name: 'cv3_ingest_rows_total',
      help: 'Rows (CSV) and records (VCF) read by ingestion',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
    });
    this.subjectsTotal = new Counter({
      name: 'cv3_ingest_subjects_total',
      help: 'Subjects written by ingestion and remap',
      registers: [metrics.registry],
    });
    this.jobsTotal = new Counter({
      name: 'cv3_data_jobs_total',
      help: 'Data jobs by kind and final state',
      labelNames: ['kind', 'state'] as const,
      registers: [metrics.registry],
    });
  }

  // ---- requests ---------------------------------------------------------------------------------------------

  async enqueue(
    kind: DataJob,
    sourceId: string,
    pipelineId: string,
    dataFileIds: string[],
  ): Promise<Array<{ dataFileId: string; jobId: string }>> {
    const source = await this.sources.findOrFail(sourceId);
    if (source.sourceType !== 'internal') {
      throw new JobRequestError(JobsErrorCode.SourceNotInternal, 'Only internal sources take data files');
    }
    const pipeline = await this.pipelines.findOrFail(pipelineId);
    const wanted = kind === DataJob.Ingest ? 'filePipeline' : 'remapPipeline';
    const files: DataFileRecord[] = [];
    for (const id of new Set(dataFileIds)) {
      const file = await this.files.findOrFail(id);
      if (file.sourceId !== sourceId) {
        throw new JobRequestError(JobsErrorCode.DataFileNotInSource, `dataFileIDs: ${id} is not a file of this source`);
      }
      if (file.fileFormat === 'csv' && pipeline.pipelineType !== wanted) {
        throw new JobRequestError(JobsErrorCode.PipelineMismatch, `pipelineID: ${kind} needs a ${wanted}`);
      }
      if (file.fileFormat !== 'csv' && kind === DataJob.Remap) {
        throw new JobRequestError(
          JobsErrorCode.PipelineMismatch,
          `dataFileIDs: ${id} is a VCF file; VCF files become subjects at ingestion and need no remap`,
        );
      }
      if (file.job && (file.job.state === 'queued' || file.job.state === 'running')) {
        throw new JobConflictError(JobsErrorCode.JobInFlight, `dataFileIDs: ${id} already has a ${file.job.kind} job`);
      }
      if (kind === DataJob.Remap && !(await this.subjects.readManifest(sourceId, id))) {
        throw new JobRequestError(
          JobsErrorCode.NotIngested,
          `dataFileIDs: ${id} has no staged rows: ingest it with a file pipeline first`,
        );
      }
      files.push(file);
    }
    const out: Array<{ dataFileId: string; jobId: string }> = [];
    for (const file of files) {
      const jobId = `${kind}-${file.dataFileId}-${randomUUID().slice(0, 8)}`;
      const status: FileJobStatus = {
        jobId,
        kind,
        pipelineId,
        state: 'queued',
        progress: { bytes: 0, rows: 0, subjects: 0 },
        errors: [],
        queuedAt: new Date(),
      };
      await this.files.markJob(file.dataFileId, status);
      await this.queue.add(kind, { sourceId, dataFileId: file.dataFileId, pipelineId, jobId }, { jobId });
      out.push({ dataFileId: file.dataFileId, jobId });
    }
    return out;
  }

  /** Cancels a queued job, or a running one at its next progress point (before it writes subjects). */
  async cancel(jobId: string): Promise<FileJobStatus> {
    const file = await this.files.findByJobId(jobId);
    if (!file?.job) {
      throw new JobNotFoundError(JobsErrorCode.JobNotFound, `No job ${jobId}`);
    }
    if (file.job.state !== 'queued' && file.job.state !== 'running') {
      throw new JobConflictError(JobsErrorCode.JobFinished, `Job ${jobId} is already ${file.job.state}`);
    }
    if (file.job.state === 'queued') {
      await this.queue.remove(jobId).catch(() => 0);
    }
    const status: FileJobStatus = { ...file.job, state: 'cancelled', finishedAt: new Date() };
    await this.files.markJob(file.dataFileId, status);
    return status;
  }

  // ---- processing -------------------------------------------------------------------------------------------

  async run(kind: DataJob, data: DataJobData, attempt: number, attempts: number): Promise<void> {
    const file = await this.files.find(data.dataFileId);
    // Gone, superseded by a newer job, or cancelled: nothing to do.
    if (!file?.job || file.job.jobId !== data.jobId || file.job.state === 'cancelled') {
      return;
    }
    const status: FileJobStatus = {
      ...file.job,
      state: 'running',
      startedAt: new Date(),
      progress: { bytes: 0, rows: 0, subjects: 0 },
      errors: [],
    };
    await this.files.markJob(file.dataFileId, status);
    const tracker = new ProgressTracker(this.files, file.dataFileId, status);
    try {
      const source = await this.sources.findOrFail(data.sourceId);
      await this.subjects.ensureIndexes(source.sourceId);
      if (file.fileFormat === 'csv' && kind === DataJob.Ingest) {
        const pipeline = (await this.pipelines.findOrFail(data.pipelineId)) as FilePipeline;
        await this.stageCsv(file, pipeline, tracker);
      } else if (file.fileFormat === 'csv') {
        const pipeline = (await this.pipelines.findOrFail(data.pipelineId)) as RemapPipeline;
        await this.remapCsv(file, pipeline, tracker);
      } else {
        await this.ingestVcf(file, tracker);
      }
      status.state = 'done';
      status.finishedAt = new Date();
      await tracker.flush(true);
      this.jobsTotal.inc({ kind, state: 'done' });
      this.logger.log({ jobId: data.jobId, queue: DATA_QUEUE, attempt }, `${kind} of data file done`);
    } catch (err) {
      if (err instanceof JobCancelledError) {
        await this.subjects.clearStaging(data.sourceId, file.dataFileId);
        this.jobsTotal.inc({ kind, state: 'cancelled' });
        return;
      }
      const input = err instanceof IngestionInputError || err instanceof JobRequestError;
      const last = input || attempt >= attempts;
      if (kind === DataJob.Ingest && file.fileFormat === 'csv') {
        // A failed ingest leaves no staged rows behind (the source's subjects were never touched).
        await this.subjects.clearStaging(data.sourceId, file.dataFileId).catch(() => undefined);
      }
      status.state = last ? 'failed' : 'queued';
      status.errors = [toJobError(err)];
      status.finishedAt = last ? new Date() : undefined;
      await tracker.flush(true);
      this.logger.warn(
        { jobId: data.jobId, queue: DATA_QUEUE, attempt, err: input ? (err as Error).message : err },
        `${kind} of data file failed${last ? '' : '; will retry'}`,
      );
      if (last) {
        this.jobsTotal.inc({ kind, state: 'failed' });
      }
      throw input ? new UnrecoverableError((err as Error).message) : err;
    }
  }

  private async stageCsv(file: DataFileRecord, pipeline: FilePipeline, tracker: ProgressTracker): Promise<void> {
    await this.subjects.clearStaging(file.sourceId, file.dataFileId);
    const rows = readCsv(file.path, { onProgress: (b) => (tracker.status.progress.bytes = b) });
    const staging = new StagingWriter(file.dataFileId, bucketsFor(file.size), SAMPLE_ROWS, async (chunks) => {
      await this.subjects.insertChunks(file.sourceId, chunks);
      await tracker.flush();
    });
    let counted = 0;
    for await (const row of applyFilePipeline(rows, pipeline, { fileName: file.filename })) {
      await staging.add(row);
      if (staging.rowCount - counted >= STAGE_BATCH) {
        tracker.status.progress.rows = staging.rowCount;
        this.rowsTotal.inc({ kind: 'csv' }, staging.rowCount - counted);
        counted = staging.rowCount;
      }
    }
    const manifest = await staging.finish();
    await tracker.flush(true); // a last chance to be cancelled before the staging counts as complete
    await this.subjects.writeManifest(file.sourceId, manifest);
    tracker.status.progress.rows = manifest.rows;
    tracker.status.progress.subjects = manifest.subjects;
    this.rowsTotal.inc({ kind: 'csv' }, manifest.rows - counted);
  }

  private async remapCsv(file: DataFileRecord, pipeline: RemapPipeline, tracker: ProgressTracker): Promise<void> {
    const manifest = await this.subjects.readManifest(file.sourceId, file.dataFileId);
    if (!manifest) {
      throw new JobRequestError(
        JobsErrorCode.NotIngested,
        'the file has no staged rows: ingest it with a file pipeline before remapping it',
      );
    }
    await tracker.flush(true); // a last chance to be cancelled before subjects change
    // Values a directive cannot turn into a valid term are left out and reported (the first few) on the job.
    const remapper = compileRemap(pipeline, {
      onInvalid: (issue) => {
        if (tracker.status.errors.length < MAX_ERRORS) {
          tracker.status.errors.push({
            line: issue.line,
            message: `${issue.column}: ${issue.reason} (${issue.value})`,
          });
        }
      },
    });
    const parts = remapStaged(
      stagedSubjects(manifest, (ids) => this.subjects.readChunks(file.sourceId, ids)),
      remapper,
      tracker,
    );
    await this.writeSubjects(file, parts, tracker);
  }

  private async ingestVcf(file: DataFileRecord, tracker: ProgressTracker): Promise<void> {
    // The whole file is read (and checked) before any subject changes, so a bad file leaves the source as it was.
    const records = countRecords(
      readVcf(file.path, { onProgress: (b) => (tracker.status.progress.bytes = b) }),
      tracker,
      (n) => this.rowsTotal.inc({ kind: 'vcf' }, n),
    );
    const subjects = await vcfSubjects(records);
    await tracker.flush(true);
    await this.writeSubjects(
      file,
      [...subjects].map(([subjectId, part]) => ({ subjectId, part })),
      tracker,
    );
  }

  /**
   * Writes the file's subjects and updates the source's index: extended with the new subjects when the write only
   * added some, recomputed otherwise (re-ingest, shared subjects, a run cut short).
   */
  private async writeSubjects(
    file: DataFileRecord,
    parts: AsyncIterable<SubjectItem> | Iterable<SubjectItem>,
    tracker: ProgressTracker,
  ): Promise<void> {
    const firstWrite = !file.subjectsWritten;
    if (firstWrite) {
      await this.files.markSubjectsWritten(file.dataFileId);
    }
    const snapshot = await this.index.snapshot(file.sourceId);
    const written = await this.writer.writeFile(file.sourceId, file.dataFileId, parts, {
      firstWrite,
      onFresh: (doc) => snapshot.builder?.add(doc),
      onBatch: (p) => {
        tracker.status.progress.subjects = p.subjects;
        return tracker.flush(false, false);
      },
    });
    this.subjectsTotal.inc(written.subjects);
    await this.files.markProcessed(file.dataFileId, true);
    await (written.appendOnly ? this.index.commit(file.sourceId, snapshot) : this.index.rebuild(file.sourceId));
  }
}

type SubjectItem = { subjectId: string; part: Partial<SubjectDocument> };

function toJobError(err: unknown): JobError {
  if (err instanceof IngestionInputError) {
    return err.toJobError();
  }
  if (err instanceof JobRequestError) {
    return { message: err.message };
  }
  // Infrastructure trouble: no internals in the stored status.
  return { message: `internal error (${(err as Error)?.name ?? 'Error'}); see the server log` };
}

/** Writes progress at most once a second, and notices a cancellation when it does. */
class ProgressTracker {
  private last = 0;

  constructor(
    private readonly files: DataFilesService,
    private readonly dataFileId: string,
    readonly status: FileJobStatus,
  ) {}

  async flush(force = false, cancellable = true): Promise<void> {
    const now = Date.now();
    if (!force && now - this.last < PROGRESS_MS) {
      return;
    }
    this.last = now;
    if (cancellable && this.status.state === 'running') {
      const current = await this.files.find(this.dataFileId);
      if (current?.job?.jobId === this.status.jobId && current.job.state === 'cancelled') {
        throw new JobCancelledError();
      }
    }
    this.status.errors = this.status.errors.slice(0, MAX_ERRORS);
    await this.files.markJob(this.dataFileId, this.status);
  }
}

async function* countRecords<T>(
  records: AsyncIterable<T>,
  tracker: ProgressTracker,
  count: (n: number) => void,
): AsyncGenerator<T> {
  let n = 0;
  for await (const r of records) {
    yield r;
    if (++n % 1000 === 0) {
      tracker.status.progress.rows = n;
      count(1000);
      await tracker.flush();
    }
  }
  tracker.status.progress.rows = n;
  count(n % 1000);
}

/** Each subject's staged rows become that subject's part. */
async function* remapStaged(
  staged: AsyncIterable<{ subjectId: string; rows: StagedRow[] }>,
  remapper: Remapper,
  tracker: ProgressTracker,
): AsyncGenerator<{ subjectId: string; part: Partial<SubjectDocument> }> {
  for await (const { subjectId, rows } of staged) {
    tracker.status.progress.rows += rows.length;
    yield { subjectId, part: remapSubject(rows, remapper) };
  }
}
