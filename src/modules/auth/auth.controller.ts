import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import { AuthenticatedUserDto } from './auth.dto';
import { CurrentUser, type AuthenticatedUser } from '@/common/auth/current-user.decorator';

@ApiTags('auth')
@UserAccessToken()
@Controller(['api/auth', 'query/auth'])
export class AuthController {
  /** The caller, as proven by the access token. */
  @Get('user-info')
  @ApiOperation({ summary: 'Current user' })
  @ApiOkResponse({ type: AuthenticatedUserDto })
  userInfo(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }
}
