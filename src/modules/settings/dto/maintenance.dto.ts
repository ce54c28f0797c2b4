import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';

export class MaintenanceDto {
  @ApiProperty({ description: 'Turn maintenance mode on or off' })
  @IsBoolean()
  maintenance: boolean;

  @ApiPropertyOptional({ maxLength: 500, description: 'Shown in every 503 while maintenance mode is on' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  message?: string;
}
