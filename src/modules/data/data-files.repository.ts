import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { DataFileRecord, FileJobStatus, JobState } from './data.types';

export const DATA_FILES_COLLECTION = 'datafiles';

type DataFileDoc = DataFileRecord & { createdAt?: Date; updatedAt?: Date };
export type StoredDataFile = DataFileDoc;

const NO_ID = { projection: { _id: 0 } } as const;

/** The `datafiles` collection, and the rows a file left in its source's staging and subject collections. */
@Injectable()
export class DataFilesRepository implements OnModuleInit {
  private readonly logger = new Logger(DataFilesRepository.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get files() {
    return this.connection.collection<DataFileDoc>(DATA_FILES_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    try {
      // Serves lookups by ID (routes, jobs).
      await this.files.createIndex({ dataFileId: 1 }, { unique: true, name: 'dataFileId_unique' });
      // Serves the per-source listing and the source deletion.
      await this.files.createIndex({ sourceId: 1 }, { name: 'sourceId' });
      // Serves the job routes (read and cancel a job by its ID).
      await this.files.createIndex({ 'job.jobId': 1 }, { name: 'job_jobId' });
    } catch (err) {
      this.logger.error({ err }, 'could not create the datafiles indexes');
    }
  }

  async insert(file: DataFileRecord): Promise<void> {
    const now = new Date();
    await this.files.insertOne({ ...file, createdAt: now, updatedAt: now });
  }

  async findById(dataFileId: string): Promise<StoredDataFile | null> {
    return this.files.findOne({ dataFileId }, NO_ID);
  }

  async findByJobId(jobId: string): Promise<StoredDataFile | null> {
    return this.files.findOne({ 'job.jobId': jobId }, NO_ID);
  }

  async findWithJobs(state?: JobState): Promise<StoredDataFile[]> {
    const filter = state ? { 'job.state': state } : { job: { $exists: true } };
    return this.files.find(filter, NO_ID).sort({ 'job.queuedAt': -1 }).toArray();
  }

  async findBySource(sourceId: string): Promise<StoredDataFile[]> {
    return this.files.find({ sourceId }, NO_ID).sort({ createdAt: 1 }).toArray();
  }

  async setJob(dataFileId: string, job: FileJobStatus): Promise<boolean> {
    const res = await this.files.updateOne({ dataFileId }, { $set: { job, updatedAt: new Date() } });
    return res.matchedCount === 1;
  }

  async setProcessed(dataFileId: string, isProcessed: boolean): Promise<boolean> {
    const res = await this.files.updateOne({ dataFileId }, { $set: { isProcessed, updatedAt: new Date() } });
    return res.matchedCount === 1;
  }

  async setSubjectsWritten(dataFileId: string): Promise<boolean> {
    const res = await this.files.updateOne({ dataFileId }, { $set: { subjectsWritten: true, updatedAt: new Date() } });
    return res.matchedCount === 1;
  }

  async delete(dataFileId: string): Promise<boolean> {
    const res = await this.files.deleteOne({ dataFileId });
    return res.deletedCount === 1;
  }

  async deleteBySource(sourceId: string): Promise<number> {
    const res = await this.files.deleteMany({ sourceId });
    return res.deletedCount;
  }
}
