import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { REMAP_DESTINATIONS, type RemapDestination, type SubjectIdLocation } from '../data.types';
import { NO_CONTROL_CHARS, noControlChars, Trim } from './common.dto';

export const PIPELINE_TYPES = ['filePipeline', 'remapPipeline'] as const;
export const SUBJECT_ID_LOCATIONS = [
  'attributeInFile',
  'attributeInName',
  'assignPerBatch',
  'assignByExpansion',
] as const;
export const GROUPINGS = ['individual', 'customized'] as const;
export const PATTERN_SET_TYPES = ['basic', 'qualifier'] as const;

/** CV3's spec spells the expansion variant `assignByExtension`; both are accepted, the stored one is ours. */
const SUBJECT_ID_LOCATION_ALIASES: Record<string, SubjectIdLocation> = { assignByExtension: 'assignByExpansion' };

/** The value must be a string that compiles as a JavaScript regular expression. */
export function IsRegex(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isRegex',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a valid regular expression`, ...options },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'string') {
            return false;
          }
          try {
            new RegExp(value);
            return true;
          } catch {
            return false;
          }
        },
      },
    });
}

/**
 * CV3's spec also gives the assign-per-batch variant the const `attributeInFile`: such a body (batch fields, no
 * `attribute`) is read as `assignPerBatch`. The attribute-in-name variant has the same bug but no field to tell it
 * by, so it must be sent as `attributeInName`.
 */
function readSubjectIdLocation(value: unknown, obj: Record<string, unknown>): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  if (value === 'attributeInFile' && obj.attribute === undefined && (obj.batchSize ?? obj.prefix) !== undefined) {
    return 'assignPerBatch';
  }
  return SUBJECT_ID_LOCATION_ALIASES[value] ?? value;
}

const isFile = (o: CreatePipelineDto) => o.pipelineType === 'filePipeline';
const isRemap = (o: CreatePipelineDto) => o.pipelineType === 'remapPipeline';

/** A regex pattern with its replacement(s); `qualifier` produces the `{qualifier: value}` form. */
export class PatternSetDto {
  @ApiProperty({ enum: PATTERN_SET_TYPES })
  @IsIn(PATTERN_SET_TYPES)
  type: 'basic' | 'qualifier';

  @ApiProperty({ description: 'Regular expression matched against the cell value', maxLength: 1000 })
  @IsString()
  @MaxLength(1000)
  @IsRegex()
  pattern: string;

  @ApiPropertyOptional({ description: 'basic (required): the replacement, `$1`-style groups allowed' })
  @ValidateIf((o: PatternSetDto) => o.type === 'basic' || o.replacement !== undefined)
  @IsString()
  @MaxLength(1000)
  replacement?: string;

  @ApiPropertyOptional({ description: 'qualifier (required): the replacement giving the qualifier (the key)' })
  @ValidateIf((o: PatternSetDto) => o.type === 'qualifier' || o.qualifierReplacement !== undefined)
  @IsString()
  @MaxLength(1000)
  qualifierReplacement?: string;

  @ApiPropertyOptional({ description: 'qualifier (required): the replacement giving the value' })
  @ValidateIf((o: PatternSetDto) => o.type === 'qualifier' || o.valueReplacement !== undefined)
  @IsString()
  @MaxLength(1000)
  valueReplacement?: string;
}

/** Maps one column (`origin`) to a subject field (`destination`). */
export class TermSetDirectiveDto {
  @ApiProperty({ enum: ['termSet'] })
  @Equals('termSet', { message: 'directiveType must be termSet' })
  directiveType: 'termSet';

  @ApiProperty({ description: 'Column name', maxLength: 256 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  origin: string;

  @ApiProperty({ enum: REMAP_DESTINATIONS })
  @IsIn(REMAP_DESTINATIONS)
  destination: RemapDestination;

  @ApiProperty({ type: [PatternSetDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PatternSetDto)
  patternSets: PatternSetDto[];
}

/**
 * A file pipeline (file → staging rows) or a remap pipeline (staging rows → subjects). The fields a type does
 * not use are refused by the service, naming the field.
 */
export class CreatePipelineDto {
  @ApiProperty({ maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  pipelineName: string;

  @ApiProperty({ enum: PIPELINE_TYPES })
  @IsIn(PIPELINE_TYPES)
  pipelineType: 'filePipeline' | 'remapPipeline';

  // ---- filePipeline ------------------------------------------------------------------------------------------

  @ApiPropertyOptional({
    enum: SUBJECT_ID_LOCATIONS,
    description: 'filePipeline (required). `assignByExtension` (CV3 spelling) is read as `assignByExpansion`.',
  })
  @Transform(({ value, obj }: { value: unknown; obj: Record<string, unknown> }) => readSubjectIdLocation(value, obj))
  @ValidateIf((o: CreatePipelineDto) => isFile(o) || o.subjectIdLocation !== undefined)
  @IsIn(SUBJECT_ID_LOCATIONS)
  subjectIdLocation?: SubjectIdLocation;

  @ApiPropertyOptional({ enum: GROUPINGS, description: 'filePipeline (required)' })
  @ValidateIf((o: CreatePipelineDto) => isFile(o) || o.grouping !== undefined)
  @IsIn(GROUPINGS)
  grouping?: 'individual' | 'customized';

  @ApiPropertyOptional({ description: 'filePipeline: splits one cell into several values', default: ',' })
  @ValidateIf((o: CreatePipelineDto) => o.internalDelimiter !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(8)
  internalDelimiter?: string;

  @ApiPropertyOptional({ type: [String], description: 'filePipeline, required when grouping is customized' })
  @ValidateIf((o: CreatePipelineDto) => (isFile(o) && o.grouping === 'customized') || o.groupColumns !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  groupColumns?: string[];

  @ApiPropertyOptional({ description: 'attributeInFile (required): the column holding the subject ID' })
  @ValidateIf(
    (o: CreatePipelineDto) => (isFile(o) && o.subjectIdLocation === 'attributeInFile') || o.attribute !== undefined,
  )
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  attribute?: string;

  @ApiPropertyOptional({ description: 'assignPerBatch (required): prefix of the generated subject IDs' })
  @ValidateIf(
    (o: CreatePipelineDto) => (isFile(o) && o.subjectIdLocation === 'assignPerBatch') || o.prefix !== undefined,
  )
  @IsString()
  @MaxLength(64)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  prefix?: string;

  @ApiPropertyOptional({ description: 'assignPerBatch (required): rows per generated subject', minimum: 1 })
  @ValidateIf(
    (o: CreatePipelineDto) => (isFile(o) && o.subjectIdLocation === 'assignPerBatch') || o.batchSize !== undefined,
  )
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  batchSize?: number;

  @ApiPropertyOptional({ type: [String], description: 'assignByExpansion (required): the columns to expand' })
  @ValidateIf(
    (o: CreatePipelineDto) => (isFile(o) && o.subjectIdLocation === 'assignByExpansion') || o.columns !== undefined,
  )
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  columns?: string[];

  @ApiPropertyOptional({ enum: GROUPINGS, description: 'assignByExpansion (required)' })
  @ValidateIf(
    (o: CreatePipelineDto) =>
      (isFile(o) && o.subjectIdLocation === 'assignByExpansion') || o.expansionPolicy !== undefined,
  )
  @IsIn(GROUPINGS)
  expansionPolicy?: 'individual' | 'customized';

  @ApiPropertyOptional({ description: 'assignByExpansion (required): the attribute the expanded column names go to' })
  @ValidateIf(
    (o: CreatePipelineDto) =>
      (isFile(o) && o.subjectIdLocation === 'assignByExpansion') || o.newAttribute !== undefined,
  )
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  newAttribute?: string;

  // ---- remapPipeline -----------------------------------------------------------------------------------------

  @ApiPropertyOptional({ type: [TermSetDirectiveDto], description: 'remapPipeline (required, at least one)' })
  @ValidateIf((o: CreatePipelineDto) => isRemap(o) || o.directives !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => TermSetDirectiveDto)
  directives?: TermSetDirectiveDto[];
}

/** A stored pipeline: CV3's Pipeline (file or remap), with its generated ID. */
export class PipelineResponseDto extends CreatePipelineDto {
  @ApiProperty({ format: 'uuid' })
  pipelineId: string;
}
