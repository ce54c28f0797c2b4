import { ApiProperty } from '@nestjs/swagger';

/** What the frontend needs to build the OIDC login URL. */
export class KeycloakConfigResponseDto {
  @ApiProperty({ description: 'Public Keycloak URL', example: 'https://auth.example.org' })
  url: string;

  @ApiProperty({ example: 'cafe_variome' })
  realm: string;

  @ApiProperty({ description: 'Keycloak client ID of this installation', example: 'cv3-backend' })
  client_id: string;
}
