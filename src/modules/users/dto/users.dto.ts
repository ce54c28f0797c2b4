import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ROLES, type Role } from '@/common/auth/permissions';

/** Trims strings so that a blank value fails @IsNotEmpty; other types pass through to the type checks. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** One line of text: no control characters (they would break mail headers and the UI). */
export const NO_CONTROL_CHARS = /^[^\p{Cc}]*$/u;
const noControlChars = { message: '$property must not contain control characters' };

/** Keycloak's default user profile allows these in usernames. */
const USERNAME = /^[A-Za-z0-9._@-]+$/;

export class UserIdParamDto {
  /** Keycloak user ID. */
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  userId: string;
}

export class CreateUserDto {
  @ApiProperty({ description: 'Keycloak username', maxLength: 100, example: 'jsmith' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(USERNAME, { message: 'username may contain only letters, digits and . _ @ -' })
  username: string;

  @ApiProperty({ format: 'email', maxLength: 254 })
  @Trim()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email: string;

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

  @ApiPropertyOptional({ maxLength: 200, default: '' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(200)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  affiliation?: string;

  @ApiProperty({ enum: ROLES, description: "At most the caller's own role" })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, default: 100, description: 'Differential-privacy budget' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  budget?: number;

  @ApiPropertyOptional({ default: false, description: 'May query (DB-level enable)' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Create the transit key now, so the user may log in' })
  @IsOptional()
  @IsBoolean()
  allowLogin?: boolean;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES, description: "At most the caller's own role" })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(200)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  affiliation?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  firstName?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(NO_CONTROL_CHARS, noControlChars)
  lastName?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  budget?: number;
}

/** A local user (`user.info`), CV3's User. */
export class LocalUserResponseDto {
  @ApiProperty({ format: 'uuid', description: 'Keycloak user ID' })
  userId: string;

  @ApiProperty()
  email: string;

  @ApiProperty()
  username: string;

  @ApiProperty()
  firstName: string;

  @ApiProperty()
  lastName: string;

  @ApiProperty()
  affiliation: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ description: 'May query (DB-level enable)' })
  active: boolean;

  @ApiProperty({ description: 'Has a Vault transit key, so may log in' })
  allowLogin: boolean;

  @ApiProperty({ minimum: 0, maximum: 100 })
  budget: number;
}

/** A realm user, with the local row's fields when there is one. */
export class RealmUserResponseDto {
  @ApiProperty({ format: 'uuid', description: 'Keycloak user ID' })
  userId: string;

  @ApiProperty()
  email: string;

  @ApiProperty()
  username: string;

  @ApiProperty()
  firstName: string;

  @ApiProperty()
  lastName: string;

  @ApiProperty({ description: 'Empty for users without a local row' })
  affiliation: string;

  @ApiProperty({ enum: ROLES, nullable: true, description: 'null for users without a local row' })
  role: Role | null;

  @ApiProperty()
  active: boolean;

  @ApiProperty()
  allowLogin: boolean;

  @ApiProperty({ nullable: true, minimum: 0, maximum: 100 })
  budget: number | null;

  @ApiProperty({ description: 'Has a local row (user.info) at this installation' })
  local: boolean;

  @ApiProperty({ description: 'Has an account in the Keycloak realm' })
  inKeycloak: boolean;
}
