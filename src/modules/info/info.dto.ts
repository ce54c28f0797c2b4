import { ApiProperty } from '@nestjs/swagger';

export class InstanceInfoResponseDto {
  @ApiProperty({ description: 'Instance name (SystemConfig instanceSettings.name)', example: 'Cafe Variome V3' })
  name: string;

  @ApiProperty({ description: 'Owning organisation (ownershipSettings.name)', example: 'University of Leicester' })
  owner: string;

  @ApiProperty({ description: 'Owner postal address', example: 'University Road, Leicester' })
  ownerAddress: string;

  @ApiProperty({ description: 'Owner contact e-mail', example: 'admin@cafevariome.org' })
  ownerEmail: string;

  @ApiProperty({ description: 'Always "OK" when the API answers', example: 'OK' })
  status: 'OK';

  @ApiProperty({ description: 'Process uptime as HH:MM:SS.ss', example: '01:02:03.45' })
  uptime: string;
}
