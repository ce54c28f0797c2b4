import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape of every route. */
export class ErrorResponseDto {
  @ApiProperty({ example: 401 })
  statusCode: number;

  @ApiProperty({ description: 'Stable machine-readable code', example: 'AUTH_TOKEN_EXPIRED' })
  code: string;

  @ApiProperty({ example: 'Access token expired' })
  message: string;

  @ApiProperty({ description: 'Request ID, also in the x-request-id response header' })
  requestId: string;

  @ApiPropertyOptional({ description: 'Per-field problems (validation) or other detail' })
  details?: unknown;
}
