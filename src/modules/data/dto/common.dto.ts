import { ApiProperty } from '@nestjs/swagger';
import { SuccessResponseDto } from '@/common/openapi/success-response.dto';
import { Transform } from 'class-transformer';
import { IsUUID } from 'class-validator';

/** Trims strings so that a blank value fails @IsNotEmpty; other types pass through to the type checks. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** One line of text: no control characters. */
export const NO_CONTROL_CHARS = /^[^\p{Cc}]*$/u;
export const noControlChars = { message: '$property must not contain control characters' };

export class SourceIdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  sourceId: string;
}

export class PipelineIdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  pipelineId: string;
}

export class DataFileIdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  dataFileId: string;
}

export class CreatedSourceResponseDto extends SuccessResponseDto {
  @ApiProperty({ format: 'uuid' })
  sourceId: string;
}

export class CreatedPipelineResponseDto extends SuccessResponseDto {
  @ApiProperty({ format: 'uuid' })
  pipelineId: string;
}
