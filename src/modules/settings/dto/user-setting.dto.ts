import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, Matches, ValidateNested } from 'class-validator';
import { IsJsonObject } from '../json-object.validator';

export const THEME_MODES = [0, 1, 2] as const;

/** Limits of the free-form `capability` object a user may store. */
export const USER_CAPABILITY_LIMITS = { maxBytes: 8192, maxDepth: 5 };

export class ColorSettingDto {
  @ApiProperty({ description: 'Seed colour, 6 hex digits', example: '6750a4', pattern: '^[0-9a-fA-F]{6}$' })
  @Matches(/^[0-9a-fA-F]{6}$/, { message: '$property must be 6 hex digits' })
  seedColor: string;

  @ApiProperty({ enum: THEME_MODES, description: '0 = system, 1 = light, 2 = dark' })
  @IsIn(THEME_MODES)
  themeMode: (typeof THEME_MODES)[number];
}

/** CV3's UserSetting: the caller's own UI preferences. POST replaces them whole. */
export class UserSettingDto {
  @ApiProperty({ type: ColorSettingDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => ColorSettingDto)
  colorSetting: ColorSettingDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The filters the user wants to see (a Capability object). Stored as given: a plain JSON object of at most ' +
      `${USER_CAPABILITY_LIMITS.maxBytes} bytes and ${USER_CAPABILITY_LIMITS.maxDepth} levels.`,
  })
  @IsDefined()
  @IsJsonObject(USER_CAPABILITY_LIMITS)
  capability: Record<string, unknown>;
}
