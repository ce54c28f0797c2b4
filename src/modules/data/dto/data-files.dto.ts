import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { FILE_FORMATS, JOB_STATES, type FileFormat, type JobState } from '../data.types';

/** resumable.js's default identifier is `<size>-<name without other characters>`; anything else is refused. */
/** Never `.` or `..` (it names a directory): the first character is not a dot. */
export const RESUMABLE_IDENTIFIER = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$/;

class JobProgressDto {
  @ApiProperty() bytes: number;
  @ApiProperty() rows: number;
  @ApiProperty() subjects: number;
}

class JobErrorDto {
  @ApiPropertyOptional() line?: number;
  @ApiProperty() message: string;
}

class FileJobStatusDto {
  @ApiProperty() jobId: string;
  @ApiProperty({ enum: ['ingest', 'remap'] }) kind: 'ingest' | 'remap';
  @ApiProperty({ format: 'uuid' }) pipelineId: string;
  @ApiProperty({ enum: JOB_STATES }) state: JobState;
  @ApiProperty({ type: JobProgressDto }) progress: JobProgressDto;
  @ApiProperty({ type: [JobErrorDto] }) errors: JobErrorDto[];
  @ApiProperty() queuedAt: Date;
  @ApiPropertyOptional() startedAt?: Date;
  @ApiPropertyOptional() finishedAt?: Date;
}

/** CV3's DataFile, with size, checksum and the last job's status. */
export class DataFileResponseDto {
  @ApiProperty({ format: 'uuid' }) dataFileId: string;
  @ApiProperty({ format: 'uuid' }) sourceId: string;
  @ApiProperty() filename: string;
  @ApiProperty({ enum: FILE_FORMATS }) fileFormat: FileFormat;
  @ApiProperty({ description: 'Bytes' }) size: number;
  @ApiProperty({ description: 'Hex SHA-256 of the assembled file' }) sha256: string;
  @ApiProperty() isProcessed: boolean;
  @ApiPropertyOptional({ type: FileJobStatusDto }) job?: FileJobStatusDto;
  @ApiPropertyOptional() createdAt?: Date;
}

/** The resumable.js fields of one chunk (multipart fields arrive as strings). */
export class UploadChunkDto {
  /** 1-based. */
  @ApiProperty({ minimum: 1 })
  @Type(() => Number)
  @IsInt()
  resumableChunkNumber: number;

  @ApiProperty({ minimum: 1 })
  @Type(() => Number)
  @IsInt()
  resumableTotalChunks: number;

  @ApiProperty({ minimum: 1, description: 'Nominal chunk size in bytes (the last chunk takes the remainder)' })
  @Type(() => Number)
  @IsInt()
  resumableChunkSize: number;

  @ApiProperty({ minimum: 1, description: 'Bytes of the whole file' })
  @Type(() => Number)
  @IsInt()
  resumableTotalSize: number;

  @ApiProperty({ pattern: RESUMABLE_IDENTIFIER.source })
  @IsString()
  @Matches(RESUMABLE_IDENTIFIER, { message: 'resumableIdentifier may contain only letters, digits, _ . and -' })
  resumableIdentifier: string;

  @ApiProperty({ description: 'The file name, without path parts; its extension gives the format' })
  @IsString()
  @MaxLength(255)
  resumableFilename: string;

  /** Sent by resumable.js; not used. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  resumableRelativePath?: string;

  /** Sent by resumable.js; not used. */
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  resumableCurrentChunkSize?: number;

  /** Sent by resumable.js; not used. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  resumableType?: string;
}

/** resumable.js testChunks: is this chunk already here? (It sends every field of the chunk; only two are used.) */
export class UploadChunkQueryDto {
  @ApiProperty({ pattern: RESUMABLE_IDENTIFIER.source })
  @IsString()
  @Matches(RESUMABLE_IDENTIFIER, { message: 'resumableIdentifier may contain only letters, digits, _ . and -' })
  resumableIdentifier: string;

  @ApiProperty({ minimum: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  resumableChunkNumber: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  resumableTotalChunks?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  resumableChunkSize?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  resumableTotalSize?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  resumableCurrentChunkSize?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  resumableFilename?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  resumableRelativePath?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  resumableType?: string;
}

export class UploadChunkResponseDto {
  @ApiProperty({ example: 'The file chunk uploaded successfully' })
  status: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Set by the chunk that completed the file' })
  dataFileId?: string;
}
