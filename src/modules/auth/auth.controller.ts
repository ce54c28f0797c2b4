import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser, type AuthenticatedUser } from '@/common/auth/current-user.decorator';
import { Public } from '@/common/auth/public.decorator';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { LocalUserResponseDto } from '@/modules/users/dto/users.dto';
import { LogoutRequestDto, TokenRequestDto, TokenResponseDto } from './auth.dto';
import { AuthService, type TokenGrant } from './auth.service';

@ApiTags('auth')
@Controller(['api/auth', 'query/auth'])
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in or refresh',
    description:
      'Exchanges an authorization code (or a refresh token) at Keycloak and admits only a local user: registered, active, with a transit key.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed request' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Keycloak refused the code or refresh token' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not registered, inactive, or not permitted to log in' })
  token(@Body() body: TokenRequestDto): Promise<TokenResponseDto> {
    return this.auth.token(body as TokenGrant);
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'End the Keycloak session of a refresh token' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Keycloak refused the refresh token' })
  async logout(@Body() body: LogoutRequestDto): Promise<void> {
    await this.auth.logout(body.refresh_token);
  }

  /** The caller's local user. */
  @Get('user-info')
  @UserAccessToken()
  @ApiOperation({ summary: 'Current user' })
  @ApiOkResponse({ type: LocalUserResponseDto })
  userInfo(@CurrentUser() user: AuthenticatedUser): Promise<LocalUserResponseDto> {
    return this.auth.userInfo(user.userId);
  }
}
