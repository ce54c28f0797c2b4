import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsArray, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { NO_CONTROL_CHARS, noControlChars, Trim } from '@/modules/data/dto/common.dto';
import { SuccessResponseDto } from '@/common/openapi/success-response.dto';
import { ANONYMOUS_USER_ID, DISCOVERY_POLICIES, type DiscoveryPolicy } from '../../query.types';
import { LOCAL_NETWORK_ID } from '../groups.types';

const USERS_DESCRIPTION = `Keycloak user IDs of local users, or "${ANONYMOUS_USER_ID}" (what anonymous callers may query)`;

/** CV3's DiscoveryGroup as a client sends it (the ID is generated). */
export class CreateGroupDto {
  @ApiProperty({ maxLength: 100, description: 'Unique' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  groupName: string;

  @ApiPropertyOptional({ maxLength: 1000, default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  groupDescription?: string;

  @ApiPropertyOptional({
    default: LOCAL_NETWORK_ID,
    description: `This installation's own network; "${LOCAL_NETWORK_ID}" is the only one until federation`,
  })
  @IsOptional()
  @IsString()
  networkId?: string;

  @ApiProperty({ enum: DISCOVERY_POLICIES, description: 'What members see of the sources (lowest first)' })
  @IsIn(DISCOVERY_POLICIES)
  discoveryPolicy: DiscoveryPolicy;

  @ApiPropertyOptional({ type: [String], default: [], description: USERS_DESCRIPTION })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  assignedUsers?: string[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', default: [], description: 'IDs of existing sources' })
  @IsOptional()
  @IsArray()
  @IsUUID('all', { each: true })
  assignedSources?: string[];
}

/** Any subset of the fields; the lists given replace the stored ones. */
export class UpdateGroupDto extends PartialType(CreateGroupDto) {}

export class GroupIdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  groupId: string;
}

export class GroupResponseDto {
  @ApiProperty({ format: 'uuid' }) groupId: string;
  @ApiProperty() groupName: string;
  @ApiProperty() groupDescription: string;
  @ApiProperty() networkId: string;
  @ApiProperty({ enum: DISCOVERY_POLICIES }) discoveryPolicy: DiscoveryPolicy;
  @ApiProperty({ type: [String], description: USERS_DESCRIPTION }) assignedUsers: string[];
  @ApiProperty({ type: [String], format: 'uuid', description: 'Existing sources only' }) assignedSources: string[];
}

export class CreatedGroupResponseDto extends SuccessResponseDto {
  @ApiProperty({ format: 'uuid' })
  groupId: string;
}
