import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { keycloakConfig } from '@/config/configs';
import { CurrentUser, type AuthenticatedUser } from '@/common/auth/current-user.decorator';
import { Permission, RequirePermission } from '@/common/auth/permissions';
import { Public } from '@/common/auth/public.decorator';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import { KeycloakConfigResponseDto } from './dto/responses.dto';
import { SystemConfigDto } from './dto/system-config.dto';
import { UserSettingDto } from './dto/user-setting.dto';
import { SettingsService } from './settings.service';
import { SUCCESS, SuccessResponseDto } from '@/common/openapi/success-response.dto';

@ApiTags('settings')
@Controller(['api/config', 'query/config'])
export class SettingsController {
  constructor(
    private readonly settings: SettingsService,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
  ) {}

  @Get('global')
  @UserAccessToken()
  @RequirePermission(Permission.SystemSettings)
  @ApiOperation({ summary: 'System settings', description: 'Roles: dataAdmin, serverAdmin, developer.' })
  @ApiOkResponse({ type: SystemConfigDto })
  getGlobalConfig(): Promise<SystemConfigDto> {
    return this.settings.getSystemConfig();
  }

  @Post('global')
  @HttpCode(200)
  @UserAccessToken()
  @RequirePermission(Permission.SystemSettings)
  @ApiOperation({
    summary: 'Replace the system settings',
    description:
      'Takes the whole SystemConfig (as GET answers it): every section and field is required, except ' +
      '`discoverySettings.capability`; `instanceSettings.version` is read-only and ignored. Roles: dataAdmin, ' +
      'serverAdmin, developer.',
  })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiBadRequestResponse({
    description: 'A field is missing, unknown, of the wrong type or too long',
    type: ErrorResponseDto,
  })
  async setGlobalConfig(@Body() body: SystemConfigDto): Promise<SuccessResponseDto> {
    await this.settings.replaceSystemConfig(body);
    return SUCCESS;
  }

  @Get('user')
  @UserAccessToken()
  @RequirePermission(Permission.UserSettings)
  @ApiOperation({
    summary: 'Own settings',
    description: 'The caller’s settings, or the defaults when none are stored.',
  })
  @ApiOkResponse({ type: UserSettingDto })
  getUserConfig(@CurrentUser() user: AuthenticatedUser): Promise<UserSettingDto> {
    return this.settings.getUserSetting(user.userId);
  }

  @Post('user')
  @HttpCode(200)
  @UserAccessToken()
  @RequirePermission(Permission.UserSettings)
  @ApiOperation({ summary: 'Replace own settings', description: 'Both `colorSetting` and `capability` are required.' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiBadRequestResponse({
    description: 'A field is missing, unknown, of the wrong type or too long',
    type: ErrorResponseDto,
  })
  async setUserConfig(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: UserSettingDto,
  ): Promise<SuccessResponseDto> {
    await this.settings.replaceUserSetting(user.userId, body);
    return SUCCESS;
  }

  @Get('keycloak')
  @Public()
  @ApiOperation({ summary: 'Keycloak settings', description: 'Lets the frontend build the OIDC login URL; public.' })
  @ApiOkResponse({ type: KeycloakConfigResponseDto })
  @ApiServiceUnavailableResponse({ description: 'Maintenance mode', type: ErrorResponseDto })
  keycloakConfig(): KeycloakConfigResponseDto {
    return { url: this.keycloak.url, realm: this.keycloak.realm, client_id: this.keycloak.client };
  }
}
