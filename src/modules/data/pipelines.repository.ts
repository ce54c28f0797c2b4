import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DataConflictError, DataErrorCode } from './data.errors';
import type { Pipeline } from './data.types';
import { isDuplicateKey } from './sources.repository';

export const PIPELINES_COLLECTION = 'pipelines';

type PipelineDoc = Pipeline & { createdAt?: Date; updatedAt?: Date };

const NO_ID = { projection: { _id: 0, createdAt: 0, updatedAt: 0 } } as const;

@Injectable()
export class PipelinesRepository implements OnModuleInit {
  private readonly logger = new Logger(PipelinesRepository.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get pipelines() {
    return this.connection.collection<PipelineDoc>(PIPELINES_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    try {
      // Serves lookups by ID (routes, ingest and remap jobs).
      await this.pipelines.createIndex({ pipelineId: 1 }, { unique: true, name: 'pipelineId_unique' });
      // Admins pick pipelines by name in the UI: one name, one pipeline.
      await this.pipelines.createIndex({ pipelineName: 1 }, { unique: true, name: 'pipelineName_unique' });
    } catch (err) {
      this.logger.error({ err }, 'could not create the pipelines indexes');
    }
  }

  async insert(pipeline: Pipeline): Promise<void> {
    const now = new Date();
    try {
      await this.pipelines.insertOne({ ...pipeline, createdAt: now, updatedAt: now });
    } catch (err) {
      throw isDuplicateKey(err) ? conflict() : err;
    }
  }

  async findById(pipelineId: string): Promise<Pipeline | null> {
    return this.pipelines.findOne({ pipelineId }, NO_ID);
  }

  async findAll(): Promise<Pipeline[]> {
    return this.pipelines.find({}, NO_ID).sort({ pipelineName: 1 }).toArray();
  }

  /** Replaces the whole pipeline (its type may change); false when there is none. */
  async replace(pipeline: Pipeline): Promise<boolean> {
    const existing = await this.pipelines.findOne(
      { pipelineId: pipeline.pipelineId },
      { projection: { createdAt: 1 } },
    );
    if (!existing) {
      return false;
    }
    try {
      const res = await this.pipelines.replaceOne(
        { pipelineId: pipeline.pipelineId },
        { ...pipeline, createdAt: existing.createdAt, updatedAt: new Date() },
      );
      return res.matchedCount === 1;
    } catch (err) {
      throw isDuplicateKey(err) ? conflict() : err;
    }
  }

  async delete(pipelineId: string): Promise<boolean> {
    const res = await this.pipelines.deleteOne({ pipelineId });
    return res.deletedCount === 1;
  }
}

function conflict(): DataConflictError {
  return new DataConflictError(DataErrorCode.PipelineExists, 'A pipeline with this pipelineName already exists', {
    field: 'pipelineName',
  });
}
