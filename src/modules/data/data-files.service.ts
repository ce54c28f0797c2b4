import { rm } from 'node:fs/promises';
import { Injectable, Logger } from '@nestjs/common';
import { DataFileNotFoundError } from './data.errors';
import type { DataFileRecord, FileJobStatus, JobState } from './data.types';
import { DataFilesRepository, type StoredDataFile } from './data-files.repository';
import type { DataFileResponseDto } from './dto/data-files.dto';
import { SourcesService } from './sources.service';
import { IndexService } from './subjects/index.service';
import { SubjectWriter } from './subjects/subject-writer';
import { SubjectsRepository } from './subjects/subjects.repository';
import { sampleRows } from './subjects/staging';

/** How many staged rows `GET /datafiles/{id}/sample` shows. */
export const SAMPLE_ROWS = 20;

/** Fields the ingestion code adds to staged rows for itself (besides any starting with `_`). */
const INTERNAL_STAGING_FIELDS = new Set(['dataFileId', 'sourceId', 'jobId']);

export function toDataFileResponse(f: StoredDataFile): DataFileResponseDto {
  const out: DataFileResponseDto = {
    dataFileId: f.dataFileId,
    sourceId: f.sourceId,
    filename: f.filename,
    fileFormat: f.fileFormat,
    size: f.size,
    sha256: f.sha256,
    isProcessed: f.isProcessed,
  };
  if (f.job) {
    out.job = f.job;
  }
  if (f.createdAt) {
    out.createdAt = f.createdAt;
  }
  return out;
}

/** Strips what the staging rows carry for the ingestion code: the sample shows the file's own columns only. */
export function toSampleRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !k.startsWith('_') && !INTERNAL_STAGING_FIELDS.has(k)));
}

/**
 * Uploaded data files (`datafiles`). Exported for the jobs code: findOrFail, listBySource, markJob, markProcessed,
 * delete.
 */
@Injectable()
export class DataFilesService {
  private readonly logger = new Logger(DataFilesService.name);

  constructor(
    private readonly files: DataFilesRepository,
    private readonly sources: SourcesService,
    private readonly subjects: SubjectsRepository,
    private readonly writer: SubjectWriter,
    private readonly index: IndexService,
  ) {}

  async findOrFail(dataFileId: string): Promise<DataFileRecord> {
    const file = await this.files.findById(dataFileId);
    if (!file) {
      throw new DataFileNotFoundError(dataFileId);
    }
    return file;
  }

  /** The file, or null when there is none (for job handlers that skip vanished files). */
  find(dataFileId: string): Promise<DataFileRecord | null> {
    return this.files.findById(dataFileId);
  }

  /** The file whose last job has this ID, or null. */
  findByJobId(jobId: string): Promise<DataFileRecord | null> {
    return this.files.findByJobId(jobId);
  }

  /** Files that have had a job (optionally only those whose last job is in `state`), newest job first. */
  listWithJobs(state?: JobState): Promise<DataFileRecord[]> {
    return this.files.findWithJobs(state);
  }

  /** Every file of a source (404 when the source does not exist). */
  async listBySource(sourceId: string): Promise<DataFileRecord[]> {
    await this.sources.findOrFail(sourceId);
    return this.files.findBySource(sourceId);
  }

  async listResponses(sourceId: string): Promise<DataFileResponseDto[]> {
    await this.sources.findOrFail(sourceId);
    return (await this.files.findBySource(sourceId)).map(toDataFileResponse);
  }

  async create(file: DataFileRecord): Promise<void> {
    await this.files.insert(file);
  }

  /** Records the state of the file's current (last) job. */
  async markJob(dataFileId: string, status: FileJobStatus): Promise<void> {
    if (!(await this.files.setJob(dataFileId, status))) {
      throw new DataFileNotFoundError(dataFileId);
    }
  }

  async markProcessed(dataFileId: string, isProcessed = true): Promise<void> {
    if (!(await this.files.setProcessed(dataFileId, isProcessed))) {
      throw new DataFileNotFoundError(dataFileId);
    }
  }

  /** Must be stored before the file's first subject write begins (see DataFileRecord.subjectsWritten). */
  async markSubjectsWritten(dataFileId: string): Promise<void> {
    if (!(await this.files.setSubjectsWritten(dataFileId))) {
      throw new DataFileNotFoundError(dataFileId);
    }
  }

  async sample(dataFileId: string): Promise<Record<string, unknown>[]> {
    const file = await this.findOrFail(dataFileId);
    const manifest = await this.subjects.readManifest(file.sourceId, dataFileId);
    const rows = manifest ? sampleRows(manifest).slice(0, SAMPLE_ROWS) : [];
    // As the file pipeline left them: the subject, the line and the row's columns.
    return rows.map(({ subjectId, line, values }) => toSampleRow({ subjectId, line, ...values }));
  }

  /**
   * Removes the file on disk, its staged rows and exactly its part of the subjects (subjects only it contributed
   * to go; the others are rebuilt from their remaining parts), then the record, last, so a failed delete can be
   * run again; the source's index is rebuilt.
   */
  async delete(dataFileId: string): Promise<void> {
    const file = await this.findOrFail(dataFileId);
    await rm(file.path, { force: true });
    await this.subjects.clearStaging(file.sourceId, dataFileId);
    await this.writer.removeFile(file.sourceId, dataFileId);
    await this.files.delete(dataFileId);
    await this.index.rebuild(file.sourceId);
    this.logger.log({ dataFileId, sourceId: file.sourceId }, 'data file deleted');
  }
}
