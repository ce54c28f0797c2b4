import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
} from 'class-validator';
import { JOB_STATES, type JobState } from '../data.types';

/** CV3's body of `/source/{id}/ingest` and `/remap`. */
export class RunPipelineDto {
  @ApiProperty({ format: 'uuid', description: 'A file pipeline (ingest) or a remap pipeline (remap)' })
  @IsUUID('all')
  pipelineID: string;

  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  dataFileIDs: string[];
}

export class JobIdParamDto {
  @ApiProperty({ example: 'ingest-6f1c…-1a2b3c4d' })
  @IsString()
  @Matches(/^(ingest|remap)-[0-9a-f-]{36}-[0-9a-f]{8}$/)
  jobId: string;
}

export class ListJobsQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATES })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: JobState;
}

export class QueuedJobDto {
  @ApiProperty({ format: 'uuid' })
  dataFileId: string;

  @ApiProperty()
  jobId: string;
}

export class RunPipelineResponseDto {
  @ApiProperty({ enum: ['Success'] })
  status: 'Success';

  @ApiProperty({ type: [QueuedJobDto] })
  jobs: QueuedJobDto[];
}

export class JobProgressDto {
  @ApiProperty({ description: 'Bytes of the file read' })
  bytes: number;

  @ApiProperty({ description: 'Rows (CSV) or records (VCF) read, or staged rows remapped' })
  rows: number;

  @ApiProperty({ description: 'Subjects staged or written' })
  subjects: number;
}

export class JobErrorDto {
  @ApiPropertyOptional({ description: '1-based line of the file' })
  line?: number;

  @ApiProperty()
  message: string;
}

export class JobStatusDto {
  @ApiProperty()
  jobId: string;

  @ApiProperty({ format: 'uuid' })
  dataFileId: string;

  @ApiProperty({ format: 'uuid' })
  sourceId: string;

  @ApiProperty({ enum: ['ingest', 'remap'] })
  kind: string;

  @ApiProperty({ format: 'uuid' })
  pipelineId: string;

  @ApiProperty({ enum: JOB_STATES })
  state: JobState;

  @ApiProperty({ type: JobProgressDto })
  progress: JobProgressDto;

  @ApiProperty({ type: [JobErrorDto] })
  errors: JobErrorDto[];

  @ApiProperty()
  queuedAt: Date;

  @ApiPropertyOptional()
  startedAt?: Date;

  @ApiPropertyOptional()
  finishedAt?: Date;
}

/** Only display names are editable (reference 1.8). */
export class RenameEavDto {
  @ApiPropertyOptional({
    description: '{fieldName: displayName}',
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string>;

  @ApiPropertyOptional({
    description: '{value: displayName}',
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsObject()
  values?: Record<string, string>;
}

export class EavIndexResponseDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  attributes: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  values: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } })
  mappings: Record<string, string[]>;
}
