import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { PipelineNotFoundError } from './data.errors';
import type { Pipeline } from './data.types';
import type { CreatePipelineDto } from './dto/pipelines.dto';
import { PipelinesRepository } from './pipelines.repository';
import { toPipeline } from './pipelines.mapper';
import { SourcesRepository } from './sources.repository';

/** File and remap pipelines (CV3 reference 1.6). Exported for the jobs code: findOrFail. */
@Injectable()
export class PipelinesService {
  private readonly logger = new Logger(PipelinesService.name);

  constructor(
    private readonly pipelines: PipelinesRepository,
    private readonly sources: SourcesRepository,
  ) {}

  async findOrFail(pipelineId: string): Promise<Pipeline> {
    const pipeline = await this.pipelines.findById(pipelineId);
    if (!pipeline) {
      throw new PipelineNotFoundError(pipelineId);
    }
    return pipeline;
  }

  list(): Promise<Pipeline[]> {
    return this.pipelines.findAll();
  }

  async create(dto: CreatePipelineDto): Promise<Pipeline> {
    const pipeline = toPipeline(dto, randomUUID());
    await this.pipelines.insert(pipeline);
    this.logger.log({ pipelineId: pipeline.pipelineId, pipelineType: pipeline.pipelineType }, 'pipeline created');
    return pipeline;
  }

  /** CV3's PATCH takes a whole Pipeline: it replaces the stored one (the ID stays). */
  async replace(pipelineId: string, dto: CreatePipelineDto): Promise<Pipeline> {
    const pipeline = toPipeline(dto, pipelineId);
    if (!(await this.pipelines.replace(pipeline))) {
      throw new PipelineNotFoundError(pipelineId);
    }
    return pipeline;
  }

  async delete(pipelineId: string): Promise<void> {
    if (!(await this.pipelines.delete(pipelineId))) {
      throw new PipelineNotFoundError(pipelineId);
    }
  }

  /** The EAV attribute names indexed in any source, sorted, each once. */
  async attributes(): Promise<string[]> {
    const names = new Set<string>();
    for (const attrs of await this.sources.findEavAttributes()) {
      Object.keys(attrs).forEach((k) => names.add(k));
    }
    return [...names].sort();
  }
}
