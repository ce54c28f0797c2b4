import { ApiProperty } from '@nestjs/swagger';

/** CV3 answers mutations with the text "Success"; we answer the same word as JSON. */
export class SuccessResponseDto {
  @ApiProperty({ enum: ['Success'], example: 'Success' })
  status: 'Success';
}

/** What the frontend needs to build the OIDC login URL. */
export class KeycloakConfigResponseDto {
  @ApiProperty({ description: 'Public Keycloak URL', example: 'https://auth.example.org' })
  url: string;

  @ApiProperty({ example: 'cafe_variome' })
  realm: string;

  @ApiProperty({ description: 'Keycloak client ID of this installation', example: 'cv3-backend' })
  client_id: string;
}
