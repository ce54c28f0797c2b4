import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { ACCESS_REQUEST_STATUSES, type AccessRequestStatus } from '../schemas/access-request.schema';
import { NO_CONTROL_CHARS, Trim } from './users.dto';

const noControlChars = { message: '$property must not contain control characters' };

/** Largest accepted body of an anonymous access request (the fields' limits add up to less). */
export const ACCESS_REQUEST_MAX_BYTES = 16 * 1024;

export class CreateAccessRequestDto {
  @ApiProperty({ maxLength: 100 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  firstName: string;

  @ApiProperty({ maxLength: 100 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  lastName: string;

  @ApiProperty({ format: 'email', maxLength: 254 })
  @Trim()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email: string;

  @ApiProperty({ maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  affiliation: string;

  @ApiProperty({ maxLength: 4000, description: 'Why the requester needs access' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  justification: string;
}

export class RequestIdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  requestId: string;
}

/** CV3's AccessRequest plus its decision. */
export class AccessRequestResponseDto {
  @ApiProperty({ format: 'uuid' })
  requestId: string;

  @ApiProperty()
  firstName: string;

  @ApiProperty()
  lastName: string;

  @ApiProperty()
  email: string;

  @ApiProperty()
  affiliation: string;

  @ApiProperty()
  justification: string;

  @ApiProperty({ enum: ACCESS_REQUEST_STATUSES })
  status: AccessRequestStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  createdAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'userId of the admin who decided' })
  decidedBy: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The user created on approval' })
  userId: string | null;
}
