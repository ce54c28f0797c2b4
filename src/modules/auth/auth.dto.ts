import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AuthenticatedUserDto {
  @ApiProperty({ description: 'Keycloak user ID (token subject), also the local userId', format: 'uuid' })
  userId: string;

  @ApiPropertyOptional({ description: 'Keycloak username' })
  username?: string;

  @ApiPropertyOptional({ description: 'E-mail address' })
  email?: string;

  @ApiPropertyOptional({ description: 'Given name' })
  firstName?: string;

  @ApiPropertyOptional({ description: 'Family name' })
  lastName?: string;

  @ApiPropertyOptional({ description: 'Client the token was issued to (azp)' })
  clientId?: string;

  @ApiProperty({ description: 'Token expiry, seconds since the epoch' })
  expiresAt: number;
}
