import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';

export class TokenRequestDto {
  @ApiProperty({ enum: ['authorization_code', 'refresh_token'] })
  @IsIn(['authorization_code', 'refresh_token'])
  grant_type: 'authorization_code' | 'refresh_token';

  @ApiPropertyOptional({ description: 'Authorization code from the Keycloak redirect (authorization_code grant)' })
  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'authorization_code')
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  code?: string;

  @ApiPropertyOptional({ description: 'Refresh token (refresh_token grant)' })
  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'refresh_token')
  @IsString()
  @IsNotEmpty()
  @MaxLength(16384)
  refresh_token?: string;

  @ApiPropertyOptional({
    description: 'Redirect URI the code was issued for; one of Keycloak.RedirectURLs (default: the first)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  redirect_uri?: string;
}

export class LogoutRequestDto {
  @ApiProperty({ description: 'The refresh token of the session to end' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(16384)
  refresh_token: string;
}

export class TokenResponseDto {
  @ApiProperty()
  access_token: string;

  @ApiProperty()
  refresh_token: string;
}
