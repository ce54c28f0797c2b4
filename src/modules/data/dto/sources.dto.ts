import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import {
  BEACON_AUTH_METHODS,
  SOURCE_TYPES,
  type BeaconAuthMethod,
  type Capability,
  type EavIndex,
  type RecordIndex,
  type SourceType,
} from '../data.types';
import { NO_CONTROL_CHARS, noControlChars, Trim } from './common.dto';

/** The internal name: letters, digits, `_` and `-` (CV3's spec pattern `^[a-zA-Z0-9]$` lacks its `+`). */
export const SOURCE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/** A source as a client sends it; `sourceType` decides which of the optional fields are required. */
export class CreateSourceDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Generated when absent' })
  @IsOptional()
  @IsUUID('all')
  sourceId?: string;

  @ApiProperty({ enum: SOURCE_TYPES })
  @IsIn(SOURCE_TYPES)
  sourceType: SourceType;

  @ApiProperty({ pattern: SOURCE_NAME.source, description: 'Internal name, unique' })
  @Matches(SOURCE_NAME, { message: 'sourceName may contain only letters, digits, _ and - (1 to 64)' })
  sourceName: string;

  @ApiProperty({ maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  displayName: string;

  @ApiProperty({ maxLength: 5000 })
  @IsString()
  @MaxLength(5000)
  sourceDescription: string;

  @ApiProperty({ maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  owner: string;

  @ApiProperty({ format: 'email', maxLength: 254 })
  @Trim()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  ownerEmail: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  online?: boolean;

  @ApiPropertyOptional({ description: 'molgenis: the query URL; beacon: the Beacon root. Required for both.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_OPTIONS, { message: 'sourceUrl must be an http(s) URL' })
  sourceUrl?: string;

  @ApiPropertyOptional({ description: 'molgenis only (required): where its index is fetched' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_OPTIONS, { message: 'indexUrl must be an http(s) URL' })
  indexUrl?: string;

  @ApiPropertyOptional({ enum: BEACON_AUTH_METHODS, description: 'beacon only (required)' })
  @IsOptional()
  @IsIn(BEACON_AUTH_METHODS)
  beaconAuthMethod?: BeaconAuthMethod;
}

/** Any subset of the fields; `sourceType` may be sent but not changed. */
export class UpdateSourceDto extends PartialType(OmitType(CreateSourceDto, ['sourceId'] as const)) {}

export class UploadTokenQueryDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  sourceId: string;
}

export class UploadTokenResponseDto {
  @ApiProperty({ description: 'A JWT (HS256, 1 h) for `X-Upload-Token` on that source’s upload route' })
  token: string;
}

class SubjectCapabilityDto {
  @ApiProperty() age: boolean;
  @ApiProperty() gender: boolean;
  @ApiProperty() familyType: boolean;
  @ApiProperty() affected: boolean;
}

class CapabilityDto implements Capability {
  @ApiProperty() subject: boolean;
  @ApiProperty() genes: boolean;
  @ApiProperty() hpo: boolean;
  @ApiProperty() ordo: boolean;
  @ApiProperty() snomed: boolean;
  @ApiProperty() variant: boolean;
  @ApiProperty() source: boolean;
  @ApiProperty() eav: boolean;
  @ApiProperty({ type: SubjectCapabilityDto }) subjectCapability: SubjectCapabilityDto;
}

class EavIndexDto implements EavIndex {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'field → display name' })
  attributes: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'value → display name' })
  values: Record<string, string>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    description: 'categorical field → its values',
  })
  mappings: Record<string, string[]>;
}

class RecordIndexDto implements RecordIndex {
  @ApiProperty({ type: CapabilityDto }) capability: CapabilityDto;
  @ApiProperty() recordCount: number;
  @ApiProperty({ type: EavIndexDto }) eavIndex: EavIndexDto;
}

/** CV3's Source (internal, molgenis or beacon). */
export class SourceResponseDto {
  @ApiProperty({ format: 'uuid' }) sourceId: string;
  @ApiProperty() sourceName: string;
  @ApiProperty() displayName: string;
  @ApiProperty() sourceDescription: string;
  @ApiProperty() owner: string;
  @ApiProperty() ownerEmail: string;
  @ApiProperty() online: boolean;
  @ApiProperty({ enum: SOURCE_TYPES }) sourceType: SourceType;
  @ApiProperty({ type: RecordIndexDto }) recordIndex: RecordIndexDto;
  @ApiProperty({ type: [Number] }) pipelineIndex: number[];
  @ApiPropertyOptional() sourceUrl?: string;
  @ApiPropertyOptional() indexUrl?: string;
  @ApiPropertyOptional({ enum: BEACON_AUTH_METHODS }) beaconAuthMethod?: BeaconAuthMethod;
}
