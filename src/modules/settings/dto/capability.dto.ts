import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, ValidateNested } from 'class-validator';

/** Which subject demographics can be queried. */
export class SubjectCapabilityDto {
  @ApiProperty() @IsBoolean() age: boolean;
  @ApiProperty() @IsBoolean() gender: boolean;
  @ApiProperty() @IsBoolean() familyType: boolean;
  @ApiProperty() @IsBoolean() affected: boolean;
}

/** CV3's Capability: the query UI shows a filter only when its flag is true. */
export class CapabilityDto {
  @ApiProperty() @IsBoolean() subject: boolean;
  @ApiProperty() @IsBoolean() genes: boolean;
  @ApiProperty() @IsBoolean() hpo: boolean;
  @ApiProperty() @IsBoolean() ordo: boolean;
  @ApiProperty() @IsBoolean() snomed: boolean;
  @ApiProperty() @IsBoolean() variant: boolean;
  @ApiProperty() @IsBoolean() source: boolean;
  @ApiProperty() @IsBoolean() eav: boolean;

  @ApiProperty({ type: SubjectCapabilityDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => SubjectCapabilityDto)
  subjectCapability: SubjectCapabilityDto;
}
