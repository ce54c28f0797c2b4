import { ApiProperty } from '@nestjs/swagger';

/** CV3 answers mutations with the text "Success"; we answer the same word as JSON. */
export class SuccessResponseDto {
  @ApiProperty({ enum: ['Success'], example: 'Success' })
  status: 'Success';
}

export const SUCCESS: SuccessResponseDto = Object.freeze({ status: 'Success' });
