import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { SubjectDocument } from '@/modules/data/data.types';
import { DISCOVERY_POLICIES, type DiscoveryPolicy, type QueryBuilder } from '../query.types';
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT, MAX_WAIT_SECONDS } from './record-query.service';
import { RECORD_QUERY_STATUSES, type RecordQueryStatus } from './record.types';

export class RecordQueryIdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  queryId: string;
}

export class RecordResultQueryDto {
  /** Seconds to wait for the query to complete before answering (0: answer at once). */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_WAIT_SECONDS, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  wait?: number;
}

export class RecordHistoryQueryDto {
  /** Newest queries to answer. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_HISTORY_LIMIT, default: DEFAULT_HISTORY_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_HISTORY_LIMIT)
  limit?: number;
}

export class QueryIdResponseDto {
  @ApiProperty({ format: 'uuid', description: 'Poll GET /query/record/history/{queryID} for the results' })
  queryID: string;
}

class RecordRangeDto {
  @ApiProperty()
  min: number;

  @ApiProperty()
  max: number;
}

class ResultDetailsDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: '`{subjectId}` (list) or the subject documents (detailedList)',
  })
  subjects: Array<{ subjectId: string } | SubjectDocument>;

  @ApiPropertyOptional({ description: "The list was cut at the installation's limit" })
  truncated?: boolean;
}

/** CV3's QueryResponse: one source's answer, with only the fields its level allows. */
export class QueryResponseDto {
  @ApiProperty()
  sourceId: string;

  @ApiProperty()
  sourceName: string;

  @ApiPropertyOptional()
  sourceOwner?: string;

  @ApiPropertyOptional()
  ownerEmail?: string;

  @ApiPropertyOptional()
  sourceUrl?: string;

  @ApiProperty({ enum: DISCOVERY_POLICIES, description: 'The level this answer was cut to' })
  granularity: DiscoveryPolicy;

  @ApiPropertyOptional({ description: 'boolean and above' })
  exist?: boolean;

  @ApiPropertyOptional({ type: RecordRangeDto, description: 'range' })
  recordRange?: RecordRangeDto;

  @ApiPropertyOptional({ description: 'count and above' })
  recordCount?: number;

  @ApiPropertyOptional({ type: ResultDetailsDto, description: 'list and detailedList' })
  resultDetails?: ResultDetailsDto;

  @ApiPropertyOptional({ description: 'Set instead of results when the source could not be queried' })
  error?: string;
}

class ResponderFailureDto {
  @ApiProperty()
  responderId: string;

  @ApiProperty({ example: 'timed out' })
  error: string;
}

class RespondersDto {
  @ApiProperty({ type: [String], description: 'Responders the query was sent to: `local`, later node IDs' })
  expected: string[];

  @ApiProperty({ type: [String], description: 'Responders that have finished, failed ones included' })
  finished: string[];

  @ApiProperty({ type: [ResponderFailureDto], description: 'Responders that finished without answering' })
  failed: ResponderFailureDto[];
}

/** A stored record query (CV3's recordQuery message). */
export class RecordQueryDto {
  @ApiProperty({ format: 'uuid' })
  queryId: string;

  @ApiProperty({ description: 'The submitter, or `anonymous`' })
  userId: string;

  @ApiProperty()
  anonymous: boolean;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The QueryBuilder as normalised (defaults filled in, term IDs without prefix)',
  })
  query: QueryBuilder;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty({ enum: RECORD_QUERY_STATUSES })
  status: RecordQueryStatus;

  @ApiProperty({ description: 'No more responses will come (status complete or failed)' })
  complete: boolean;

  @ApiProperty({ type: RespondersDto })
  responders: RespondersDto;

  @ApiPropertyOptional()
  completedAt?: Date;

  @ApiPropertyOptional({ description: 'Why the query failed as a whole' })
  error?: string;

  @ApiPropertyOptional({ description: 'Its job was lost and the query was given up on at its timeout' })
  timedOut?: boolean;
}

/** A query with the responses stored so far. */
export class RecordResultDto {
  @ApiProperty({ type: RecordQueryDto })
  query: RecordQueryDto;

  @ApiProperty({
    type: [QueryResponseDto],
    description: 'One per source per responder (by responder, then source name)',
  })
  responses: QueryResponseDto[];

  @ApiProperty({ description: 'Stop polling: no more responses will come' })
  complete: boolean;

  @ApiProperty({ enum: RECORD_QUERY_STATUSES })
  status: RecordQueryStatus;

  @ApiProperty({ type: RespondersDto })
  responders: RespondersDto;
}
