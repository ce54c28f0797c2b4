import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { CapabilityDto } from './capability.dto';

/*
 * CV3's SystemConfig (reference 1.15), stored as one document in `instance.config`. POST replaces it whole: every
 * section and field is required except `discoverySettings.capability` and the read-only `instanceSettings.version`.
 * URL fields may be empty (not configured yet) so that the first-start defaults round-trip through GET and POST.
 */

const TEXT = 1000;
const LONG_TEXT = 10_000;
const URL_MAX = 2048;

/** An http(s) URL, or the empty string. */
function HttpUrlOrEmpty(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(URL_MAX),
    ValidateIf((_o, v) => v !== ''),
    Matches(/^https?:\/\/[^\s/?#]+[^\s]*$/, { message: '$property must be an http(s) URL or empty' }),
  );
}

/** Any URI with a scheme (term services may be bolt:// or neo4j://), or the empty string. */
function UriOrEmpty(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(URL_MAX),
    ValidateIf((_o, v) => v !== ''),
    Matches(/^[a-z][a-z0-9+.-]*:\/\/[^\s/?#]+[^\s]*$/i, {
      message: '$property must be a URI (scheme://host…) or empty',
    }),
  );
}

function Text(max = TEXT): PropertyDecorator {
  return applyDecorators(IsString(), MaxLength(max));
}

export const BEACON_ENVIRONMENTS = ['prod', 'test', 'dev', 'staging'] as const;

export class BeaconSettingsDto {
  @ApiProperty({ description: 'Beacon welcome page (http(s) URL or empty)' })
  @HttpUrlOrEmpty()
  welcomeUrl: string;

  @ApiProperty({ description: 'Alternative Beacon URL (http(s) URL or empty)' })
  @HttpUrlOrEmpty()
  alternativeUrl: string;

  @ApiProperty({ description: 'Beacon ID (reverse domain notation)', example: 'org.cafevariome.beacon' })
  @Text(256)
  beaconId: string;

  @ApiProperty({ example: 'v2.0.0' })
  @Text(64)
  apiVersion: string;

  @ApiProperty()
  @Text(LONG_TEXT)
  description: string;

  @ApiProperty({ enum: BEACON_ENVIRONMENTS })
  @IsIn(BEACON_ENVIRONMENTS)
  environment: (typeof BEACON_ENVIRONMENTS)[number];

  @ApiProperty({ description: 'ISO 8601 date-time', example: '2025-01-01T00:00:00.000Z' })
  @IsISO8601({ strict: true })
  createDateTime: string;

  @ApiProperty({ description: 'ISO 8601 date-time', example: '2025-01-01T00:00:00.000Z' })
  @IsISO8601({ strict: true })
  updateDateTime: string;
}

export class OwnershipSettingsDto {
  @ApiProperty({ description: 'Postal address' })
  @Text()
  address: string;

  @ApiProperty({ description: 'Contact e-mail (or empty)', example: 'admin@cafevariome.org' })
  @IsString()
  @MaxLength(320)
  @ValidateIf((_o, v) => v !== '')
  @IsEmail()
  email: string;

  @ApiProperty({ description: 'Owning organisation' })
  @Text(256)
  name: string;

  @ApiProperty()
  @Text(LONG_TEXT)
  description: string;

  @ApiProperty({ description: 'Logo: a URL or a data URI (at most 64 KiB)' })
  @Text(65_536)
  logo: string;

  @ApiProperty({ description: 'Organisation web site (http(s) URL or empty)' })
  @HttpUrlOrEmpty()
  url: string;

  @ApiProperty({ description: 'Organisation ID (e.g. a ROR or GRID ID)' })
  @Text(256)
  organizationId: string;
}

/** Term-service endpoints; each is a URI or empty (not configured). */
export class DiscoveryEndpointsDto {
  @ApiProperty() @UriOrEmpty() genes: string;
  @ApiProperty() @UriOrEmpty() hpo: string;
  @ApiProperty() @UriOrEmpty() ordo: string;
  @ApiProperty() @UriOrEmpty() snomed: string;
  @ApiProperty() @UriOrEmpty() medicine: string;
  @ApiProperty() @UriOrEmpty() reactome: string;
  @ApiProperty({ description: 'Neo4j URI, e.g. bolt://localhost:7687' }) @UriOrEmpty() neo4j: string;
}

export class DiscoverySettingsDto {
  @ApiProperty({ type: DiscoveryEndpointsDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => DiscoveryEndpointsDto)
  endpoints: DiscoveryEndpointsDto;

  @ApiPropertyOptional({ type: CapabilityDto, description: 'Instance-level capability' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CapabilityDto)
  capability?: CapabilityDto;

  @ApiProperty({ minimum: 0, maximum: 100, default: 100, description: 'Default query budget of a new user' })
  @IsInt()
  @Min(0)
  @Max(100)
  defaultBudget: number;
}

export class InstanceSettingsDto {
  @ApiProperty({ description: 'Instance name', example: 'Cafe Variome V3' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ description: 'Public URL without /api (http(s) URL or empty)' })
  @HttpUrlOrEmpty()
  url: string;

  @ApiProperty()
  @Text(LONG_TEXT)
  description: string;

  @ApiPropertyOptional({
    description: 'Backend version (read-only: answered from package.json, ignored when posted)',
    readOnly: true,
    example: '0.1.0',
  })
  @IsOptional()
  @Text(64)
  version?: string;

  @ApiProperty({ description: 'Alternative public URL, HTTPS expected (http(s) URL or empty)' })
  @HttpUrlOrEmpty()
  alternativeUrl: string;
}

export class FederationSettingsDto {
  @ApiProperty({ description: 'Talk to nodes whose tokens cannot be validated (e.g. another IdP)' })
  @IsBoolean()
  allowNonClientAuthenticated: boolean;

  @ApiProperty({ description: 'Create (inactive) local users on first login or federated query' })
  @IsBoolean()
  autoUserRegistration: boolean;

  @ApiProperty({ description: 'Allow queries without a token' })
  @IsBoolean()
  anonymousAccess: boolean;

  @ApiProperty({ minimum: 1, maximum: 32, description: 'Relay hop limit' })
  @IsInt()
  @Min(1)
  @Max(32)
  defaultTTL: number;
}

export class SystemConfigDto {
  @ApiProperty({ type: BeaconSettingsDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => BeaconSettingsDto)
  beaconSettings: BeaconSettingsDto;

  @ApiProperty({ type: OwnershipSettingsDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => OwnershipSettingsDto)
  ownershipSettings: OwnershipSettingsDto;

  @ApiProperty({ type: DiscoverySettingsDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => DiscoverySettingsDto)
  discoverySettings: DiscoverySettingsDto;

  @ApiProperty({ type: InstanceSettingsDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => InstanceSettingsDto)
  instanceSettings: InstanceSettingsDto;

  @ApiProperty({ type: FederationSettingsDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => FederationSettingsDto)
  federationSettings: FederationSettingsDto;

  @ApiProperty({ description: 'Nexus (CV2 compatibility) mode' })
  @IsBoolean()
  nexusEnabled: boolean;
}
